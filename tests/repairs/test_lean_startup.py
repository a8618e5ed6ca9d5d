"""libcst is imported only when a code repair is built: a run that offers none (a healthy project, or
one whose repairs are all in .env) never loads it, as `python -X importtime` shows."""

from __future__ import annotations

import importlib.metadata as md
import json
import subprocess
import sys

from tests.conftest import CANARY_KEY, base_environ, git, write_project


def imported_names(project) -> set[str]:
    """The dotted names of the modules a plain offline run imports, as `python -X importtime` lists them."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "doctor", "check", "--offline", "--format", "json",
                           "--project", str(project), "--python", sys.executable], capture_output=True, text=True,
                          env=base_environ(VIRTUAL_ENV=sys.prefix), cwd=project)
    assert "Traceback" not in done.stderr, done.stderr
    return {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}


def imported(project) -> set[str]:
    """The top-level packages a plain offline run imports."""
    return {name.split(".")[0] for name in imported_names(project)}


def test_a_run_with_only_dotenv_repairs_to_offer_never_imports_libcst(tmp_path):
    project = write_project(tmp_path / "p", env=f'OPENAI_API_KEY=" {CANARY_KEY} "\n', gitignore=".env\n")
    (project / "ask.py").write_text("from dotenv import load_dotenv\nload_dotenv()\nprint('no API here')\n")
    modules = imported(project)
    assert "doctor" in modules and "libcst" not in modules


def test_a_script_that_never_loads_dotenv_is_offered_its_repair_without_libcst(tmp_path):
    """load_dotenv() goes into a writable script when nothing where it goes names it already: deciding so
    with `ast` needs no libcst (0.3 s to import), and the fix is offered, safe, with the command that applies it."""
    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\n", gitignore=".env\n")
    (project / "ask.py").write_text("import os\nfrom openai import OpenAI\nclient = OpenAI(timeout=9)\n")
    assert "libcst" not in imported(project)
    fix = usage_fix(project)
    assert fix["code"] == "dotenv-not-loaded" and fix["applicability"] == "safe"
    assert fix["commands"][0].startswith("llm-doctor check --fix --yes")


def usage_fix(project) -> dict:
    """code-usage's own fix (its first problem's) in the JSON report."""
    done = subprocess.run([sys.executable, "-m", "doctor", "check", "--offline", "--format", "json", "--only",
                           "code-usage", "--project", str(project), "--python", sys.executable],
                          capture_output=True, text=True, env=base_environ(VIRTUAL_ENV=sys.prefix), cwd=project)
    [usage] = json.loads(done.stdout)["checks"]
    return {"code": usage["code"], **usage["fix"]}


def test_a_plain_run_never_imports_libcst_for_repairs_decided_with_ast(tmp_path):
    """The guide's timeout may decline, and is decided with `ast`: offered, unsafe, without libcst."""
    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\n", gitignore=".env\n")
    (project / "ask.py").write_text("from dotenv import load_dotenv\nload_dotenv()\nfrom openai import OpenAI\n"
                                    "client = OpenAI()\n")
    assert "libcst" not in imported(project)
    fix = usage_fix(project)
    assert fix["code"] == "client-no-timeout" and fix["applicability"] == "unsafe"


def test_libcst_is_imported_to_decide_the_0_28_port_and_the_port_is_offered(tmp_path):
    """The port declines in more ways than `ast` reproduces: its plan is built to say, so a user who
    follows the commands finds `--fix` offered."""
    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\n", gitignore=".env\n")
    (project / "ask.py").write_text("import openai\nopenai.api_key = 'x'\nr = openai.ChatCompletion.create(model='m')\n")
    assert "libcst" in imported(project)
    fix = usage_fix(project)
    assert fix["code"] == "code-pre-v1" and fix["applicability"] == "safe"


def test_a_run_whose_problems_no_fix_answers_imports_no_part_of_the_fixes(tmp_path):
    """The guide's own ask.py warns only of retry-on-quota, which no fix answers: the registry, the
    planners and the backups (7 to 17 ms of imports) stay out of the run."""
    from doctor.fixes.registry import PLANNED_CODES
    from doctor.repairs.codes import PLANNED
    from tests.test_code_corpus import CORPUS

    assert PLANNED == PLANNED_CODES  # the run's gate lists what the registry answers
    pins = "".join(f"{name}=={md.version(name)}\n" for name in ("openai", "httpx", "python-dotenv"))
    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\n", gitignore=".env\n",
                            requirements=pins)
    git(project, "init", "-q")
    (project / "ask.py").write_text((CORPUS / "guide_ask" / "ask.py").read_text())
    done = subprocess.run([sys.executable, "-m", "doctor", "check", "--offline", "--format", "json", "--project",
                           str(project), "--python", sys.executable], capture_output=True, text=True,
                          env=base_environ(VIRTUAL_ENV=sys.prefix), cwd=project)
    found = {(c["code"], bool(c["fix"])) for c in json.loads(done.stdout)["checks"] if c["code"]}
    assert found == {("retry-on-quota", True)}
    assert not {"doctor.fixes", "doctor.repairs.applies"} & imported_names(project)
