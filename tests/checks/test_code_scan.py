"""How far code-usage reads, and that it reads the same way every time: the parse budget counts
work (files, syntax nodes) in path order, never the clock, and the inputs a generated, minified
or hostile project brings cost bounded time and never crash the check."""

from __future__ import annotations

import json
import time

from checks.code_usage import code_usage
from doctor.model import Status
from doctor.project.code_base import read_code_base
from doctor.project.source_files import ProjectFiles, walk
from tests.checks.test_code_usage import fingerprint, located, project_with, usage
from tests.conftest import base_environ, facts, make_ctx, run_check

CALLER = '''import json
from openai import OpenAI

client = OpenAI(timeout=5)


def ask_{n}(prompt):
    reply = client.chat.completions.create(model="gpt-4o", messages=[{{"role": "user", "content": prompt}}])
    return json.loads(reply.choices[0].message.content)
'''


def five_hundred(tmp_path):  # noqa: ANN001, ANN201
    return project_with(tmp_path, {f"pkg/area{n % 10}/mod_{n:03}.py": CALLER.format(n=n) for n in range(500)})


def test_a_500_file_project_gives_identical_findings_on_five_runs(tmp_path):
    project = five_hundred(tmp_path)
    runs = []
    for _ in range(5):
        result = usage(project)
        runs.append((result.status, result.message, result.details,
                     [(f.code, f.location, f.message) for f in result.problems]))
    assert all(run == runs[0] for run in runs[1:])
    assert sum(1 for f in runs[0][3] if f[0] == "max-tokens-missing") == 20  # shown; the rest are counted
    assert "480 more max-tokens-missing findings not shown" in runs[0][2]


def test_a_cut_names_how_much_was_parsed_and_which_files_were_left_out(tmp_path):
    project = five_hundred(tmp_path)
    files = ProjectFiles(project, tuple(walk(project)), "a walk of the folder")
    code = read_code_base(files, max_files=400)
    assert len(code.modules) == 400 and code.relevant == 500
    assert code.not_reached[0] == "pkg/area8/mod_008.py" and len(code.not_reached) == 100
    parsed = sorted(m.path for m in code.modules)
    assert parsed == sorted(p for p in files.paths if p.endswith(".py"))[:400]  # the first 400 in path order
    by_nodes = [read_code_base(ProjectFiles(project, files.paths, "w"), max_nodes=20_000) for _ in range(2)]
    assert 0 < len(by_nodes[0].modules) < 400
    assert [m.path for m in by_nodes[0].modules] == [m.path for m in by_nodes[1].modules]


def test_the_check_says_what_the_budget_left_out(tmp_path, monkeypatch):
    import doctor.project.code_base as code_base

    project = five_hundred(tmp_path)
    monkeypatch.setattr(code_base, "MAX_PARSED_FILES", 400)
    result = usage(project)
    line = next(d for d in result.details if d.startswith("parsed 400 of"))
    assert "parsed 400 of the 500 files that mention them: the first 400 in path order" in line
    assert "pkg/area8/mod_008.py" in line and "97 more" in line


def test_a_file_that_only_calls_the_responses_api_is_read(tmp_path):
    project = project_with(tmp_path, {
        "llm.py": "from openai import OpenAI\nclient = OpenAI(timeout=5)\n",
        "ask.py": "from llm import client\n\n\ndef ask(text):\n    return client.responses.create(model='gpt-4o', "
                  "input=text)\n",
        "draw.py": "from llm import client\n\nclient.images.generate(prompt='a cat')\n",
    })
    result = usage(project)
    assert ("max-tokens-missing", "ask.py", 5) in located(result)
    assert result.facts["parsed"] == 3
