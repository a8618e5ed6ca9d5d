"""The cheap decision (doctor/repairs/applies.py) against the real plans (plans.repaired_codes): a code
it marks is one `--fix` repairs at that level in every file, on the repairs' own hard cases and on
every project of the code corpus, so the two cannot drift apart."""

from __future__ import annotations

import os
import shutil

import pytest

from doctor.fixes.plan import SAFE, UNSAFE
from doctor.fixes.registry import FixInputs
from doctor.model import Finding, Status
from doctor.project.tools import Tool
from doctor.repairs.applies import certain_levels
from doctor.repairs.plans import repaired_levels
from tests.repairs.test_corpus_repairs import repairable
from tests.repairs.test_repair_plans import LEGACY, inputs, project_with
from tests.test_code_corpus import PROJECTS


def real_levels(found: FixInputs) -> dict[str, str]:
    """code -> the level at which the plans, built for real, repair it in every file it is found in."""
    return repaired_levels(found, {f.code for f in found.findings})


def compared(found: FixInputs) -> dict[str, str]:
    """The cheap decision, after checking that it claims nothing the plans would not do."""
    cheap, real = certain_levels(found), real_levels(found)
    wrong = {code: (level, real.get(code)) for code, level in cheap.items() if real.get(code) != level}
    assert not wrong, f"marked, and --fix would not do it (cheap, real): {wrong}"
    return cheap


CLIENT = "import os\nfrom openai import OpenAI\n"
# name -> (ask.py, its findings (code, line), what the cheap decision says)
CASES = {
    "load_dotenv() goes after the imports": (
        CLIENT + "client = OpenAI(api_key=os.environ['OPENAI_API_KEY'], timeout=9)\n",
        [("dotenv-not-loaded", 3)], {"dotenv-not-loaded": SAFE}),
    "a comment naming load_dotenv() where it would go declines it": (
        CLIENT + "# load_dotenv() one day\nclient = OpenAI(api_key=os.environ['OPENAI_API_KEY'], timeout=9)\n",
        [("dotenv-not-loaded", 4)], {}),
    "loaded late: load_dotenv() moves up": (
        CLIENT + "from dotenv import load_dotenv\nclient = OpenAI(timeout=9)\nload_dotenv()\n",
        [("dotenv-loaded-late", 4)], {"dotenv-loaded-late": SAFE}),
    "loaded late on the statement it would go before": (
        CLIENT + "from dotenv import load_dotenv\nclient = OpenAI(timeout=9); load_dotenv()\n",
        [("dotenv-loaded-late", 4)], {}),
    "a docstring and a __future__ import": (
        '"""Doc."""\nfrom __future__ import annotations\n' + CLIENT + "client = OpenAI(timeout=9)\n",
        [("dotenv-not-loaded", 5)], {"dotenv-not-loaded": SAFE}),
    "a client with no timeout": (
        CLIENT + "client = OpenAI()\n", [("client-no-timeout", 3)], {"client-no-timeout": UNSAFE}),
    "a client given *args, which may hold it": (
        CLIENT + "args = ()\nclient = OpenAI(*args)\n", [("client-no-timeout", 4)], {}),
    "a client given a bare generator, which a keyword would break": (
        CLIENT + "client = OpenAI(x for x in ())\n", [("client-no-timeout", 3)], {}),
    "a client in parentheses, whose line libcst may count otherwise": (
        CLIENT + "client = (OpenAI)()\n", [("client-no-timeout", 3)], {}),
    "no timeout, and load_dotenv() too": (
        CLIENT + "client = OpenAI(api_key=os.environ['OPENAI_API_KEY'])\n",
        [("client-no-timeout", 3), ("dotenv-not-loaded", 3)],
        {"client-no-timeout": UNSAFE, "dotenv-not-loaded": SAFE}),
    "a request with no cap": (
        CLIENT + "client = OpenAI(timeout=9)\nr = client.chat.completions.create(model='m', messages=[])\n",
        [("max-tokens-missing", 4)], {"max-tokens-missing": UNSAFE}),
    "a request that spreads its options": (
        CLIENT + "client = OpenAI(timeout=9)\no = {}\nr = client.chat.completions.create(model='m', **o)\n",
        [("max-tokens-missing", 5)], {}),
    "a reply's text used as a string": (
        CLIENT + "client = OpenAI(timeout=9)\n\ndef ask():\n    r = client.responses.create(model='m', input='x')\n"
                 "    return r.choices[0].message.content.strip()\n",
        [("reply-unguarded", 7)], {"reply-unguarded": UNSAFE}),
    "a reply's text only tested": (
        CLIENT + "def ask(r):\n    if r.choices[0].message.content:\n        return 1\n",
        [("reply-unguarded", 4)], {}),
    "a reply's text also added to, which the guard would break": (
        CLIENT + "def ask(r):\n    print(r.choices[0].message.content.strip())\n\n"
                 "def more(r):\n    r.choices[0].message.content += '!'\n",
        [("reply-unguarded", 4)], {}),
    "a reply's text as a case pattern": (
        CLIENT + "def ask(r, w):\n    print(r.choices[0].message.content.strip())\n"
                 "    match w:\n        case r.message.content:\n            pass\n",
        [("reply-unguarded", 4)], {}),
    "the 0.28 port is never decided here": (LEGACY, [("code-pre-v1", 6), ("dotenv-not-loaded", 4)],
                                            {"dotenv-not-loaded": SAFE}),
    "nor the unsafe repairs of a file the port changes first": (
        LEGACY.replace('messages=[', 'max_tokens=5, messages=['), [("code-pre-v1", 6), ("reply-unguarded", 7)], {}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_cheap_decision_on_the_repairs_hard_cases(tmp_path, name):
    source, found, expected = CASES[name]
    project = project_with(tmp_path, {"ask.py": source})
    decided = compared(inputs(project, *((code, "ask.py", line) for code, line in found)))
    assert decided == expected


def test_a_read_only_file_a_notebook_and_a_finding_with_no_place_are_not_decided(tmp_path):
    source = CLIENT + "client = OpenAI()\n"
    project = project_with(tmp_path, {"ask.py": source, "more.py": source, "try.ipynb": "{}"})
    assert compared(inputs(project, ("client-no-timeout", "ask.py", 3))) == {"client-no-timeout": UNSAFE}
    os.chmod(project / "more.py", 0o444)
    assert compared(inputs(project, ("client-no-timeout", "ask.py", 3), ("client-no-timeout", "more.py", 3))) == {}
    assert compared(inputs(project, ("dotenv-not-loaded", "try.ipynb", 3))) == {}
    no_place = Finding(Status.FAIL, "client-no-timeout", "x")
    assert certain_levels(FixInputs(project, frozenset({"client-no-timeout"}), Tool("pip"), findings=(no_place,))) == {}


@pytest.mark.parametrize("source", PROJECTS, ids=[p.name for p in PROJECTS])
def test_the_cheap_decision_agrees_with_the_plans_on_the_corpus(tmp_path, source):
    """On real code it never claims more than the plans; and it claims as much as they do, apart from
    what it leaves to them by design (the port, notebooks)."""
    project = tmp_path / source.name
    shutil.copytree(source, project, symlinks=True)
    _, findings = repairable(project)
    found = FixInputs(project, frozenset(f.code for f in findings), Tool("pip"), findings=findings)
    cheap, real = compared(found), real_levels(found)
    by_design = {f.code for f in findings if f.code in {"code-pre-v1", "sdk-dict-access"}
                 or f.location is None or not f.location.file.endswith(".py")}
    ported = {f.location.file for f in findings if f.code in {"code-pre-v1", "sdk-dict-access"} and f.location}
    by_design |= {f.code for f in findings if f.location and f.location.file in ported and f.code in
                  {"client-no-timeout", "max-tokens-missing", "reply-unguarded"}}
    assert {c: level for c, level in real.items() if c not in by_design} == cheap
