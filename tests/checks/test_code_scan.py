"""How far code-usage reads, and that it reads the same way every time: the parse budget counts
work (files, syntax nodes) in path order, never the clock, and the inputs a generated, minified
or hostile project brings cost bounded time and never crash the check."""

from __future__ import annotations

import json
import time

import pytest

from checks.code_usage import code_usage
from doctor.model import Status
from doctor.project import code_base
from doctor.project.code_base import read_code_base
from doctor.project.source_files import ProjectFiles, walk
from tests.checks.test_code_usage import fingerprint, located, models_in, project_with, usage
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
    for number in range(5):  # each run with a cache folder of its own: five readings, not one remembered
        result = usage(project, XDG_CACHE_HOME=str(tmp_path / f"cache-{number}"))
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


@pytest.mark.parametrize("small", [True, False], ids=["searched-as-words", "searched-with-a-pattern"])
def test_every_resource_of_the_sdk_marks_a_file_worth_parsing_in_a_small_and_a_large_code_base(monkeypatch, small):
    texts = [b"result = client.%s.create()\n" % name.encode() for name in code_base.SDK_RESOURCES]
    others = [b"import json\nclient.chatty.send()\n", b"value = chat.completions_total\n", b"x = 1\n"]
    monkeypatch.setattr(code_base, "SMALL_CODE_BASE", 10**9 if small else 0)
    assert code_base._may_matter(texts + others) == set(range(len(texts)))


def notebook(*sources) -> str:  # noqa: ANN002
    cells = [{"cell_type": "code", "source": source, "metadata": {}, "outputs": [], "execution_count": None}
             for source in sources]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


BAD_INPUTS = {
    "minified.py": "import openai;" + ";".join(f"v{n}=[{n},{n}+1,{{'k':{n}}}]" for n in range(12_000)) + "\n",
    "dense.py": "import openai\nTABLE = [\n" + "(1,2,3),\n" * 45_000 + "]\n",
    "nested.py": "from openai import OpenAI\nc = OpenAI()\nx = " + "[" * 199 + "1" + "]" * 199 + "\n" +
                 "".join("    " * depth + "if c:\n" for depth in range(99)) + "    " * 99 + "pass\n",
    "deeper.py": "import openai\n" + "".join("    " * depth + "if x:\n" for depth in range(200)) + "    " * 200 + "y\n",
    "long_sum.py": "from openai import OpenAI\nclient = OpenAI(timeout=5)\nr = client.chat.completions.create("
                   "model='gpt-4o', messages=[], max_tokens=5)\ntext = r.choices[0].message.content" +
                   " + 'a'" * 900 + "\nif r.choices[0].message.content" + " + 'b'" * 900 + ":\n    pass\n",
    "chain_call.py": "import openai\nvalue = openai.OpenAI()" + ".attr" * 900 + "()\n",
    "chain.py": "import openai\nvalue = openai" + ".attr" * 20_000 + "\n",
    "star.py": "from openai import *\nfrom os import *\nfrom .missing import *\nargs, kw = [], {}\n"
               "client = OpenAI(*args, **kw)\nclient.chat.completions.create(*args, **kw)\n"
               "exec('import openai; openai.ChatCompletion.create()')\neval('json.loads(x)')\n",
    "conditional.py": "try:\n    import openai\nexcept ImportError:\n    openai = None\nif openai:\n"
                      "    from openai import OpenAI as Client\nelse:\n    Client = None\n",
    "pkg/__init__.py": "from pkg.a import ask\n",
    "pkg/a.py": "import json\nfrom pkg.b import helper\nfrom openai import OpenAI\nclient = OpenAI(timeout=3)\n\n\n"
                "def ask(p):\n    return helper(ask(p))\n\n\njson.loads(ask('x'))\n",
    "pkg/b.py": "from pkg.a import ask, client\n\n\ndef helper(p):\n    return helper(p) if p else ask(p)\n\n\n"
                "def chat(p):\n    return client.chat.completions.create(model=BIG, messages=[], max_tokens=5)\n"
                "BIG = '" + "m" * 500_000 + "'\n",
    "cells.ipynb": notebook(None, [1, None, {"a": 2}], "from openai import OpenAI\n", ["client = OpenAI()\n"], 7),
    "odd.ipynb": json.dumps({"cells": [None, 3, {"cell_type": "code"}, {"cell_type": "code", "source": {"x": 1}}]}),
}


def test_bad_inputs_cost_bounded_time_give_the_same_result_every_run_and_never_crash(tmp_path):
    project = project_with(tmp_path, BAD_INPUTS)
    with open(project / "generated.py", "wb") as handle:  # tens of MB of generated code
        handle.write(b"import openai\nDATA = [\n" + b"    'x',\n" * 3_000_000 + b"]\n")
    before = fingerprint(project)
    runs = []
    for number in range(2):
        started = time.monotonic()
        result = usage(project, XDG_CACHE_HOME=str(tmp_path / f"cache-{number}"))  # two readings, none remembered
        assert time.monotonic() - started < 15
        assert result.status is not Status.ERROR, result.message
        runs.append((result.status, result.message, result.details,
                     [(f.code, f.location, f.message) for f in result.problems]))
    assert runs[1] == runs[0]
    found = located(result)
    assert ("client-no-timeout", "cells.ipynb", None) not in found  # a notebook's place has a line
    assert any(f[0] == "client-no-timeout" and f[1] == "cells.ipynb" for f in found)
    assert any("minified.py" in d and "minified" in d for d in result.details)
    assert any("dense.py" in d and "syntax nodes" in d for d in result.details)
    assert ("file-unreadable", "deeper.py", 102) in found  # Python itself stops at 100 levels
    assert any("generated.py" in d and "larger" in d for d in result.details)
    assert all(len(f.message) < 400 for f in result.problems)  # the 500 KB literal is never quoted whole
    assert fingerprint(project) == before


def test_a_500_kb_string_is_no_model_name(tmp_path):
    code = BAD_INPUTS["pkg/b.py"].replace("from pkg.a import ask, client", "from openai import OpenAI\n"
                                          "client = OpenAI()\nask = None")
    assert models_in(project_with(tmp_path, {"big.py": code})) == []


def test_notebooks_with_null_or_odd_sources_are_read_as_far_as_they_go(tmp_path):
    project = project_with(tmp_path, {"cells.ipynb": BAD_INPUTS["cells.ipynb"], "odd.ipynb": BAD_INPUTS["odd.ipynb"]})
    result = run_check(code_usage, make_ctx(project, environ=base_environ(), interpreter=facts(project)))
    assert result.status is not Status.ERROR
    assert ("client-no-timeout", "cell 4, line 1") in [(f.code, f.message[:14]) for f in result.problems
                                                       if f.location.file == "cells.ipynb"]
