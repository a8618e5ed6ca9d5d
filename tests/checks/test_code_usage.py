"""code-usage as a check: what the code says joined with what .env, the shell and the installed SDK
really hold; the models the code names reaching the live checks; and the inputs a hostile or
huge project brings (the rules themselves are measured on tests/fixtures/code_corpus)."""

from __future__ import annotations

import hashlib
import json
import os
import time

import httpx
import pytest
import respx

from checks.api import model_access
from checks.code_usage import MAX_PER_CODE, code_usage
from checks.context_length import context_length
from doctor.model import Status
from doctor.settings import Flags
from tests.checks.test_api import API, MODELS, completions, live
from tests.conftest import CANARY_KEY, base_environ, facts, make_ctx, run_check, write_project

NO_DOTENV = 'import os\nfrom openai import OpenAI\n\nclient = OpenAI(api_key=os.getenv("OPENAI_API_KEY"), timeout=9)\n'
LEGACY = 'import openai\n\nreply = openai.ChatCompletion.create(model="gpt-4o", messages=[])\n'


def project_with(tmp_path, files: dict[str, str | bytes], env: str | None = "OPENAI_API_KEY=sk-test-fake\n"):  # noqa: ANN001, ANN201
    project = write_project(tmp_path / "proj", env=env)
    for name, content in files.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return project


def usage(project, openai_version: str | None = "1.99.0", **environ):  # noqa: ANN001, ANN201
    interpreter = facts(project, dists={"openai": openai_version}) if openai_version else \
        facts(project, error="the project's Python cannot run")
    return run_check(code_usage, make_ctx(project, environ=base_environ(**environ), interpreter=interpreter))


def of_code(result, code: str) -> list:  # noqa: ANN001
    return [f for f in result.problems if f.code == code]


def located(result) -> set[tuple[str, str, int | None]]:  # noqa: ANN001
    return {(f.code, f.location.file, f.location.line) for f in result.problems if f.location}


def models_in(project, limit: int = 5) -> list[str]:  # noqa: ANN001
    """The models the project's code names, as the live checks would get them."""
    from checks.code_models import code_models
    from doctor.project.code_base import read_code_base
    from doctor.project.source_files import ProjectFiles, walk

    return [m.name for m in code_models(read_code_base(ProjectFiles(project, tuple(walk(project)), "a walk")), limit)]


def test_a_key_only_in_dotenv_that_nothing_loads_fails(tmp_path):
    result = usage(project_with(tmp_path, {"app.py": NO_DOTENV}))
    assert result.status is Status.FAIL
    assert ("dotenv-not-loaded", "app.py", 4) in located(result)
    assert result.fix.guide and "load_dotenv()" in result.fix.summary


def test_the_same_code_passes_when_the_shell_sets_the_key(tmp_path):
    result = usage(project_with(tmp_path, {"app.py": NO_DOTENV}), OPENAI_API_KEY="sk-test-fake")
    assert result.status is Status.PASS, result.message


def test_a_settings_file_that_loads_dotenv_is_a_loader(tmp_path):
    files = {"app.py": NO_DOTENV, "docker-compose.yml": "services:\n  app:\n    env_file: .env\n"}
    assert usage(project_with(tmp_path, files)).status is Status.PASS


def test_pre_v1_code_is_a_mistake_only_on_an_sdk_from_1_0(tmp_path):
    project = project_with(tmp_path, {"legacy.py": LEGACY})
    assert ("code-pre-v1", "legacy.py", 3) in located(usage(project, "1.99.0"))
    assert usage(project, "0.28.1").status is Status.PASS


@pytest.mark.parametrize("requirements, found", [
    (None, True), ("openai\n", True), ("openai>=0.27\n", True), ("openai<2\n", True),
    ("openai==0.28.1\n", False), ("openai>=0.27,<1\n", False), ("openai~=0.28.0\n", False),
])
def test_pre_v1_code_is_found_without_an_environment_unless_the_record_pins_0x(tmp_path, requirements, found):
    """A fresh clone, --untrusted or CI before install: no SDK to ask, so the record decides."""
    project = project_with(tmp_path, {"legacy.py": LEGACY})
    if requirements:
        (project / "requirements.txt").write_text(requirements, encoding="utf-8")
    result = usage(project, None)
    assert (("code-pre-v1", "legacy.py", 3) in located(result)) is found, result.message
    if found:
        assert "nothing in the project's record keeps openai below 1.0" in result.message
        assert result.status is Status.FAIL and result.code == "code-pre-v1"


def test_every_name_openai_1_removed_is_found_with_the_dict_reads_of_its_reply(tmp_path):
    code = ("import openai\nimport openai.error\nfrom openai.embeddings_utils import get_embedding\n"
            "from openai import InvalidRequestError\n"
            "openai.api_base = 'https://example.openai.azure.com'\n"
            "engines = openai.Engine.list()\n"
            "try:\n    r = openai.ChatCompletion.create(model='gpt-4o', messages=[])\n"
            "    print(r['choices'][0]['message']['content'])\n"
            "except openai.error.RateLimitError:\n    pass\n"
            "except openai.InvalidRequestError:\n    pass\n"
            "except openai.ServiceUnavailableError:\n    pass\n"
            "vector = openai.embeddings_utils.cosine_similarity\n"
            "openai.api_key = 'kept'\nopenai.api_version = '2024-02-01'\nok = openai.RateLimitError\n")
    result = usage(project_with(tmp_path, {"old.py": code}))
    lines = sorted(line for code_, _, line in located(result) if code_ == "code-pre-v1")
    assert lines == [2, 3, 4, 5, 6, 8, 10, 12, 14, 16]
    dict_reads = [f for f in result.problems if f.code == "sdk-dict-access"]
    assert [f.location.line for f in dict_reads] == [9]
    assert "r['choices']" in dict_reads[0].message and "openai.ChatCompletion.create()" in dict_reads[0].message
    assert not any(f.location.line in (17, 18) for f in result.problems)  # still names in 1.x
    pinned = usage(project_with(tmp_path / "pinned", {"old.py": code}), "0.28.1")
    assert not {"code-pre-v1", "sdk-dict-access"} & {f.code for f in pinned.problems}


def test_a_notebook_finding_names_the_cell_and_the_line_of_the_file(tmp_path):
    notebook = {"cells": [
        {"cell_type": "markdown", "source": ["# Try the API\n"], "metadata": {}},
        {"cell_type": "code", "source": ["%pip install openai\n", "from openai import OpenAI\n"], "outputs": [],
         "metadata": {}, "execution_count": 1},
        {"cell_type": "code", "source": ["client = OpenAI(timeout=5)\n", "r = client.chat.completions.create(\n",
                                         "    model='gpt-4o', messages=[], max_tokens=5)\n",
                                         "print(r['choices'])\n"], "outputs": [], "metadata": {},
         "execution_count": 2}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    text = json.dumps(notebook, indent=1)
    result = usage(project_with(tmp_path, {"try.ipynb": text}))
    finding = next(f for f in result.problems if f.code == "sdk-dict-access")
    assert finding.message.startswith("cell 3, line 4:")
    assert "print(r['choices'])" in text.splitlines()[finding.location.line - 1]
    shown = finding.to_dict()  # JSON: the .ipynb line for an editor, the cell and its line for a person
    assert (shown["line"], shown["cell"], shown["cell_line"]) == (finding.location.line, 3, 4)
    plain = usage(project_with(tmp_path / "plain", {"app.py": LEGACY})).problems[0].to_dict()
    assert "cell" not in plain and set(plain) == {"code", "status", "message", "file", "line", "column"}


def test_one_code_shows_its_first_findings_and_counts_the_rest(tmp_path):
    calls = "".join(f"client.chat.completions.create(model='gpt-4o', messages=[], temperature={3 + n})\n"
                    for n in range(MAX_PER_CODE + 5))
    code = "from openai import OpenAI\nclient = OpenAI(timeout=3)\n" + calls
    result = usage(project_with(tmp_path, {"many.py": code}))
    assert sum(1 for f in result.problems if f.code == "param-out-of-range") == MAX_PER_CODE
    assert "5 more param-out-of-range findings not shown" in result.details


def test_a_project_without_sdk_code_is_skipped(tmp_path):
    result = usage(project_with(tmp_path, {"util.py": "def add(a, b):\n    return a + b\n"}))
    assert result.status is Status.SKIP and "1 file looked at" in result.message


def fingerprint(project) -> dict[str, str]:  # noqa: ANN001
    """Every file's content hash, not following links, to show a run changed nothing."""
    found = {}
    for folder, _, names in os.walk(project):
        for name in names:
            path = os.path.join(folder, name)
            if os.path.islink(path) or not os.path.isfile(path):
                found[path] = "link"
                continue
            with open(path, "rb") as handle:
                found[path] = hashlib.sha256(handle.read()).hexdigest()
    return found


def test_hostile_and_huge_inputs_are_read_within_bounds(tmp_path):
    """A 50 MB generated module, a binary file named .py, a notebook that is not JSON, Python 2, a
    merge conflict, a link loop and a link out of the project: each a clear word, none a crash,
    and the real mistake next to them is still found."""
    outside = tmp_path / "outside.py"
    outside.write_text("import openai\nopenai.ChatCompletion.create()\n", encoding="utf-8")
    project = project_with(tmp_path, {
        "app.py": LEGACY,
        "binary.py": b"\x00\x01openai\x00" * 10,
        "broken.ipynb": '{"cells": [\n<<<<<<< HEAD\n',
        "legacy2.py": 'print "hello"\n',
        "merge.py": "x = 1\n<<<<<<< HEAD\ny = 2\n=======\ny = 3\n>>>>>>> other\n",
    })
    with open(project / "generated.py", "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB that cost no disk
    (project / "loop").symlink_to(project, target_is_directory=True)
    (project / "escape.py").symlink_to(outside)
    before = fingerprint(project)
    started = time.monotonic()
    result = usage(project)
    assert time.monotonic() - started < 5
    found = located(result)
    assert ("code-pre-v1", "app.py", 3) in found
    assert {("file-unreadable", "binary.py", None), ("file-unreadable", "broken.ipynb", 2),
            ("file-unreadable", "legacy2.py", 1), ("file-unreadable", "merge.py", 2)} <= found
    messages = " ".join(f.message for f in result.problems)
    assert "merge conflict" in messages and "Python 2" in messages
    assert any("generated.py" in d and "larger" in d for d in result.details)
    assert any("escape.py" in d and "out of the project" in d for d in result.details)
    assert not any(f[1] == "escape.py" for f in found)  # the file outside was never read
    assert fingerprint(project) == before


def test_ten_thousand_files_stay_within_the_time_budget(tmp_path):
    project = project_with(tmp_path, {"app.py": LEGACY})
    for n in range(10_000):
        folder = project / "pkg" / f"m{n // 500}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"mod{n}.py").write_text(f"VALUE = {n}\n", encoding="utf-8")
    started = time.monotonic()
    result = usage(project)
    assert time.monotonic() - started < 10
    assert ("code-pre-v1", "app.py", 3) in located(result)
    assert any("10001 files" in d for d in result.details)


# -- the models the code names reach the live checks -----------------------------------------
APP = 'from openai import OpenAI\nclient = OpenAI(timeout=5)\nMODEL = "gpt-4o-mni"\n\n\ndef ask():\n' \
      '    return client.chat.completions.create(model=MODEL, messages=[], max_tokens=5)\n'


@pytest.fixture
def api():
    with respx.mock(base_url=API, assert_all_called=False) as mock:
        mock.get("/models").respond(200, json=MODELS)
        yield mock


def test_model_access_tests_the_model_the_code_names_and_points_at_it(tmp_path, api):
    api.post("/chat/completions").mock(side_effect=lambda request: httpx.Response(
        404, json={"error": {"message": "The model `gpt-4o-mni` does not exist", "type": "invalid_request_error",
                             "code": "model_not_found"}}))
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    result = live(tmp_path, model_access)[0]
    assert result.code == "model-not-found"
    assert result.problems[0].location[:2] == ("app.py", 3)
    assert "gpt-4o-mini" in result.message  # the closest listed name


def test_a_model_chosen_for_the_doctor_is_tested_beside_the_codes(tmp_path, api):
    api.post("/chat/completions").mock(side_effect=completions())
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    result = live(tmp_path, model_access, model="gpt-4o")[0]
    assert result.code == "model-not-found"  # OpenAI lists every model a key may use
    assert {d.split(":")[0] for d in result.details} >= {"gpt-4o", "gpt-4o-mni"}


def test_context_length_measures_each_model_the_code_names(tmp_path):
    code = 'from openai import OpenAI\nc = OpenAI(timeout=5)\nc.chat.completions.create(model="gpt-4", ' \
           'messages=[], max_tokens=9)\nc.chat.completions.create(model="gpt-4o", messages=[], max_tokens=9)\n'
    project = project_with(tmp_path, {"app.py": code}, env=f"OPENAI_API_KEY={CANARY_KEY}\n")
    prompt = project / "prompt.txt"
    prompt.write_text("word " * 7000, encoding="utf-8")
    ctx = make_ctx(project, environ=base_environ(), interpreter=facts(project),
                   flags=Flags(prompt_file=str(prompt), offline=True))
    result = run_check(context_length, ctx)
    assert result.code == "context-over-limit" and "gpt-4'" in result.message
    assert result.problems[0].location[:2] == ("app.py", 3)
    assert len(result.problems) == 1  # gpt-4o's 128k window holds it


# -- explain and the check agree ----------------------------------------------------------------
# What each mistake prints when the code runs, as the SDK, Python and the API word it.
SIGNATURES = {
    "code-pre-v1": "openai.lib._old_api.APIRemovedInV1: You tried to access openai.ChatCompletion, but this is no "
                   "longer supported in openai>=1.0.0",
    "sdk-dict-access": "TypeError: 'ChatCompletion' object is not subscriptable",
    "dotenv-not-loaded": "openai.OpenAIError: The api_key client option must be set either by passing api_key to "
                         "the client or by setting the OPENAI_API_KEY environment variable",
    "env-name-mismatch": "KeyError: 'OPENAI_KEY'",
    "json-word-missing": "openai.BadRequestError: Error code: 400 - {'error': {'message': \"'messages' must contain "
                         "the word 'json' in some form, to use 'response_format' of type 'json_object'.\", 'type': "
                         "'invalid_request_error', 'param': 'messages', 'code': None}}",
    "json-without-mode": "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)",
    "reply-unguarded": "AttributeError: 'NoneType' object has no attribute 'strip'",
    "param-out-of-range": "openai.BadRequestError: Error code: 400 - {'error': {'message': \"Invalid 'temperature': "
                          "decimal above maximum value. Expected a value <= 2, but got 3 instead.\", 'type': "
                          "'invalid_request_error', 'param': 'temperature', 'code': 'decimal_above_max_value'}}",
    "file-unreadable": "SyntaxError: Missing parentheses in call to 'print'. Did you mean print(...)?",
}
MISTAKES = {
    "app.py": 'import json, os\nimport openai\nfrom openai import OpenAI\nclient = OpenAI(timeout=5)\n'
              'r = client.chat.completions.create(model="gpt-4o", max_tokens=9, temperature=3,\n'
              '    messages=[{"role": "user", "content": "hi"}], response_format={"type": "json_object"})\n'
              'print(r["choices"])\nopenai.ChatCompletion.create()\nos.environ["OPENAI_KEY"]\n'
              'q = client.chat.completions.create(model="gpt-4o", max_tokens=9, messages=[])\n'
              'data = json.loads(q.choices[0].message.content)\ntext = q.choices[0].message.content.strip()\n',
    "py2.py": 'print "hi"\n',
}


def test_explain_names_what_code_usage_found_and_gives_the_same_fix(tmp_path):
    """The mistake found statically and its error pasted into explain give the same code (or, where one
    error has several causes, the code among the named alternatives) and the same fix."""
    from checks.explain import explain

    result = usage(project_with(tmp_path, MISTAKES))
    found = {f.code: f for f in result.problems}
    assert set(SIGNATURES) - {"dotenv-not-loaded"} <= set(found), sorted(found)
    for code, text in SIGNATURES.items():
        answer = explain(text)
        named = [answer.diagnosis, *answer.alternatives]
        assert code in [d.code for d in named if d], (code, answer)
        diagnosis = next(d for d in named if d and d.code == code)
        if code in found:
            assert found[code].fix == diagnosis.fix
    exact = {"code-pre-v1", "sdk-dict-access", "env-name-mismatch", "json-word-missing", "reply-unguarded",
             "param-out-of-range", "file-unreadable"}
    assert all(explain(SIGNATURES[code]).diagnosis.code == code for code in exact)


def test_a_retry_inside_nested_loops_is_one_finding(tmp_path):
    code = ("import time\nfrom openai import OpenAI, RateLimitError\nclient = OpenAI(timeout=5)\n\n\n"
            "def ask_all(prompts):\n    while True:\n        for prompt in prompts:\n            try:\n"
            "                client.chat.completions.create(model='gpt-4o', messages=[], max_tokens=5)\n"
            "            except RateLimitError:\n                time.sleep(1)\n")
    result = usage(project_with(tmp_path, {"batch.py": code}))
    assert [f.location.line for f in result.problems if f.code == "retry-on-quota"] == [11]


RETRY_HEAD = ("import time\nimport backoff\nimport openai\nfrom openai import OpenAI\n"
              "from tenacity import retry, retry_if_exception_type, stop_after_attempt\n"
              "client = OpenAI(timeout=5)\n\n\n")
CALL = "    return client.chat.completions.create(model='gpt-4o', messages=[], max_tokens=5)\n"


@pytest.mark.parametrize("decorated, found", [
    ("@retry\n", True),
    ("@retry(stop=stop_after_attempt(5))\n", True),
    ("@retry(retry=retry_if_exception_type((openai.APIConnectionError, openai.RateLimitError)))\n", True),
    ("@retry(retry=retry_if_exception_type(openai.APIError))\n", True),
    ("@backoff.on_exception(backoff.expo, Exception, max_tries=8)\n", True),
    ("@backoff.on_exception(backoff.expo, openai.RateLimitError)\n", True),
    ("@retry(retry=retry_if_exception_type(openai.APIConnectionError))\n", False),
    ("@retry(retry=lambda state: is_transient(state))\n", False),
    ("@backoff.on_exception(backoff.expo, Exception, giveup=lambda e: 'quota' in str(e))\n", False),
    ("@backoff.on_exception(backoff.expo, TimeoutError)\n", False),
])
def test_retry_decorators_that_retry_an_empty_wallet(tmp_path, decorated, found):
    code = RETRY_HEAD + decorated + "def ask():\n" + CALL
    result = usage(project_with(tmp_path, {"ask.py": code}))
    assert (("retry-on-quota", "ask.py", 9) in located(result)) is found, result.problems


def test_a_decorator_that_retries_everything_is_only_a_finding_around_a_request(tmp_path):
    code = RETRY_HEAD + "@retry\ndef read_config():\n    return open('c').read()\n"
    assert "retry-on-quota" not in {f.code for f in usage(project_with(tmp_path, {"cfg.py": code})).problems}


@pytest.mark.parametrize("loop, handler, found", [
    ("while True:\n", "    except Exception:\n        time.sleep(2)\n", True),
    ("while True:\n", "    except:\n        time.sleep(2)\n", True),
    ("for attempt in range(5):\n", "    except openai.APIError as error:\n        time.sleep(2 ** attempt)\n", True),
    ("while True:\n", "    except Exception as error:\n        if attempt > 3:\n            raise\n", False),
    ("for prompt in prompts:\n", "    except Exception:\n        continue\n", False),
    ("while True:\n", "    except ValueError:\n        time.sleep(2)\n", False),
    ("while True:\n", "    except Exception as error:\n        print('error:', error)\n", False),  # a chat loop
])
def test_loops_that_retry_every_exception_around_a_request(tmp_path, loop, handler, found):
    body = "\n".join("    " + line if line else line for line in (
        loop + "    try:\n        reply = client.chat.completions.create(model='gpt-4o', messages=[], "
        "max_tokens=5)\n        return reply\n" + handler).split("\n"))
    code = RETRY_HEAD + "def ask(prompts, attempt=0):\n" + body
    result = usage(project_with(tmp_path, {"loop.py": code}))
    hits = [f for f in result.problems if f.code == "retry-on-quota"]
    assert bool(hits) is found, code
    if found:
        assert hits[0].location.line == 14 and "retries every exception" in hits[0].message


@pytest.mark.parametrize("read, dotenv, found", [
    ('os.environ["AZURE_OPENAI_ENDPOINTS"]', "AZURE_OPENAI_ENDPOINT", True),
    ('os.getenv("OPENAI_API_VERSON")', "OPENAI_API_VERSION", True),
    ('os.environ["AZURE_OPENAI_DEPLOYMENT"]', "AZURE_OPENAI_DEPLOYMENT_NAME", True),
    ('os.getenv("OPENAI_BASEURL")', "OPENAI_BASE_URL", True),
    ('os.environ["DATABASE_URI"]', "DATABASE_URL", False),  # not a variable that reaches the API
    ('os.environ["OPENAI_API_VERSION"]', "OPENAI_API_KEY", False),  # another kind of variable
    ('os.getenv("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com")', "AZURE_OPENAI_ENDPOIN", False),  # default
])
def test_every_variable_that_reaches_the_api_is_matched_against_what_is_set(tmp_path, read, dotenv, found):
    code = f"import os\nfrom dotenv import load_dotenv\nload_dotenv()\nvalue = {read}\n"
    result = usage(project_with(tmp_path, {"cfg.py": code}, env=f"{dotenv}=set\n"))
    hits = [f for f in result.problems if f.code == "env-name-mismatch"]
    assert bool(hits) is found, result.problems
    if found:
        assert hits[0].location.line == 4 and f"sets {dotenv}" in hits[0].message


LOADS_IN_MAIN = ("import os\nfrom dotenv import load_dotenv\nfrom openai import OpenAI\n\n"
                 "KEY = os.getenv('OPENAI_API_KEY')\n\n\ndef main():\n    load_dotenv()\n"
                 "    client = OpenAI(api_key=KEY, timeout=5)\n")


def test_dotenv_loaded_inside_a_function_after_a_module_level_read_is_late(tmp_path):
    result = usage(project_with(tmp_path, {"app.py": LOADS_IN_MAIN}))
    finding = next(f for f in result.problems if f.code == "dotenv-loaded-late")
    assert finding.location[:2] == ("app.py", 5)
    assert "load_dotenv() runs only inside main() (app.py line 8)" in finding.message


def test_a_function_that_loads_dotenv_called_first_at_the_top_level_is_in_time(tmp_path):
    in_time = ("import os\nfrom dotenv import load_dotenv\n\n\ndef setup():\n    load_dotenv()\n\n\nsetup()\n"
               "KEY = os.getenv('OPENAI_API_KEY')\n")
    late = in_time.replace("setup()\nKEY", "KEY").replace("\n", "\n", 1) + "setup()\n"
    assert "dotenv-loaded-late" not in {f.code for f in usage(project_with(tmp_path, {"a.py": in_time})).problems}
    assert ("dotenv-loaded-late", "a.py", 9) in located(usage(project_with(tmp_path / "late", {"a.py": late})))


def test_a_loading_function_is_no_finding_when_another_module_loads_dotenv_first(tmp_path):
    entry = "from dotenv import load_dotenv\nload_dotenv()\nimport app\n"
    result = usage(project_with(tmp_path, {"app.py": LOADS_IN_MAIN, "run.py": entry}))
    assert "dotenv-loaded-late" not in {f.code for f in result.problems}


WRAPPED = '''from dotenv import load_dotenv
import instructor
import litellm
from langchain_openai import AzureChatOpenAI, ChatOpenAI
from llama_index.llms.openai import OpenAI as LlamaOpenAI
from openai import OpenAI

chat = ChatOpenAI(model="gpt-4o-mnii")
azure = AzureChatOpenAI(azure_deployment="prod-4o", api_version="2024-06-01", timeout=20, max_tokens=300)
index_llm = LlamaOpenAI(model="gpt-4.1-mini")
typed = instructor.from_openai(OpenAI())
load_dotenv()


def ask(text):
    reply = litellm.completion(model="gpt-4o", messages=[{"role": "user", "content": text}])
    other = litellm.completion(model="claude-3-5-haiku-latest", messages=[], max_tokens=5, timeout=9)
    user = typed.chat.completions.create(model="gpt-4o", response_model=dict, messages=[], max_tokens=9)
    return reply, other, user["name"]
'''


def test_wrappers_are_read_with_the_same_rules(tmp_path):
    """LangChain, LlamaIndex, LiteLLM and instructor, by their documented parameters only."""
    project = project_with(tmp_path, {"wrapped.py": WRAPPED})
    found = located(usage(project))
    assert {("client-no-timeout", "wrapped.py", 8), ("client-no-timeout", "wrapped.py", 11)} <= found
    assert ("client-no-timeout", "wrapped.py", 9) not in found  # AzureChatOpenAI(timeout=20)
    assert ("client-no-timeout", "wrapped.py", 10) not in found  # LlamaIndex's OpenAI: 60 s of its own
    assert {("max-tokens-missing", "wrapped.py", line) for line in (8, 10, 16)} <= found
    assert not {("max-tokens-missing", "wrapped.py", line) for line in (9, 17, 18)} & found
    # ChatOpenAI() and LlamaIndex's OpenAI() read OPENAI_API_KEY when built: before load_dotenv() runs
    assert {("dotenv-loaded-late", "wrapped.py", line) for line in (8, 10, 11)} <= found
    assert "sdk-dict-access" not in {code for code, _, _ in found}  # instructor's reply is the typed object
    assert models_in(project) == ["gpt-4o-mnii", "gpt-4.1-mini", "gpt-4o"]


def test_names_from_other_libraries_are_not_taken_for_wrappers(tmp_path):
    code = ("from mylib import ChatOpenAI, completion\n\nchat = ChatOpenAI(model='gpt-4o')\n"
            "completion(model='gpt-4o', messages=[])\n")
    found = {code_ for code_, _, _ in located(usage(project_with(tmp_path, {"other.py": code})))}
    assert not {"client-no-timeout", "max-tokens-missing"} & found


def test_a_cap_bound_at_run_time_spares_the_wrapper(tmp_path):
    code = ("from langchain_openai import ChatOpenAI\n\nllm = ChatOpenAI(model='gpt-4o', timeout=9)\n"
            "short = llm.bind(max_tokens=200)\n")
    assert "max-tokens-missing" not in {c for c, _, _ in located(usage(project_with(tmp_path, {"lc.py": code})))}


HELPERS = {
    "app/llm.py": '''from openai import OpenAI

client = OpenAI(timeout=10)


def ask(prompt, model="gpt-4o-mini", **options):
    reply = client.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}],
                                           **options)
    return reply.choices[0].message.content


def ask_checked(prompt):
    reply = client.chat.completions.create(model="gpt-4o", messages=[], max_tokens=50)
    if reply.choices[0].finish_reason != "stop":
        raise RuntimeError("cut short")
    return reply.choices[0].message.content
''',
    "app/main.py": '''import json

from app.llm import ask, ask_checked
from app import llm


def plan(goal):
    steps = json.loads(ask(goal, max_tokens=300))
    title = ask(goal, "gpt-4.1-nano").strip()
    short = llm.ask(goal, model="o4-mini", max_tokens=20)
    checked = ask_checked(goal).strip()
    return steps, title, short, checked, json.loads(ask_checked(goal))
''',
}


def test_values_are_followed_through_the_projects_own_helpers(tmp_path):
    project = project_with(tmp_path, HELPERS)
    result = usage(project)
    found = located(result)
    assert ("json-without-mode", "app/main.py", 8) in found
    assert ("reply-unguarded", "app/main.py", 9) in found
    assert ("max-tokens-missing", "app/main.py", 9) in found  # ask() hands on **options: no cap given here
    assert not {("max-tokens-missing", "app/main.py", 8), ("max-tokens-missing", "app/main.py", 10)} & found
    assert ("reply-unguarded", "app/main.py", 11) not in found  # ask_checked() looks at finish_reason
    assert ("json-without-mode", "app/main.py", 12) in found  # JSON mode is still not asked for
    assert not any(f[0] == "max-tokens-missing" and f[1] == "app/llm.py" and f[2] == 7 for f in found)
    message = next(f.message for f in result.problems if f.code == "reply-unguarded" and f.location.line == 9)
    assert "ask(goal, 'gpt-4.1-nano').strip()" in message and "ask() returns its message.content" in message
    assert models_in(project)[:3] == ["gpt-4o-mini", "gpt-4.1-nano", "o4-mini"]


def test_recursive_and_star_called_helpers_are_not_guessed_at(tmp_path):
    code = ('import json\nfrom openai import OpenAI\nclient = OpenAI(timeout=5)\n\n\n'
            'def ask(p, depth=0):\n    if depth > 3:\n        return ask(p, depth - 1)\n'
            '    return client.chat.completions.create(model="gpt-4o", messages=[], max_tokens=5)\n\n\n'
            'def loop(p):\n    return loop(p)\n\n\nargs = ["x"]\njson.loads(ask(*args))\nloop("x").strip()\n')
    result = usage(project_with(tmp_path, {"rec.py": code}))
    assert not {"json-without-mode", "reply-unguarded"} & {f.code for f in result.problems}


def test_a_client_given_no_key_reads_the_sdks_name_and_a_similar_one_is_set(tmp_path):
    code = ("from dotenv import load_dotenv\nfrom langchain_openai import ChatOpenAI\nfrom openai import OpenAI\n"
            "load_dotenv()\nclient = OpenAI(timeout=5)\nllm = ChatOpenAI(model='gpt-4o', timeout=5, max_tokens=9)\n"
            "keyed = OpenAI(api_key='x', timeout=5)\n")
    result = usage(project_with(tmp_path, {"app.py": code}, env="OPENAI_KEY=sk-test-fake\n"))
    hits = [f for f in result.problems if f.code == "env-name-mismatch"]
    assert [f.location.line for f in hits] == [5, 6]
    assert "OpenAI() reads OPENAI_API_KEY when it is built, which nothing sets; .env sets OPENAI_KEY" in hits[0].message


@pytest.mark.parametrize("given,said", [
    ('"OPENAI_API_KEY"', 'the name of the variable, "OPENAI_API_KEY", not its value'),
    ('"sk-proj-REPLACE_ME"', "a placeholder, not a key"),
    ('"<your key>"', "a placeholder, not a key"),
    ('""', "an empty key"),
])
def test_a_client_given_a_variables_name_or_a_placeholder_as_the_key_fails(tmp_path, given, said):
    """The QA case: the doctor's calls read .env and pass while `python ask.py` sends the literal and gets a 401."""
    result = usage(project_with(tmp_path, {"ask.py": "from openai import OpenAI\n"
                                            f"client = OpenAI(api_key={given}, timeout=30)\n"
                                            "r = client.chat.completions.create(model='gpt-4o-mini', messages=[], "
                                            "max_tokens=50)\n"}))
    found = of_code(result, "key-placeholder")
    assert found and found[0].status is Status.FAIL and said in found[0].message, result.problems
    assert found[0].location[:2] == ("ask.py", 2)


@pytest.mark.parametrize("given", ['"ollama"', '"not-needed"', 'os.getenv("OPENAI_API_KEY")', '"OPENAI_API_KEY", '
                                   'base_url="http://localhost:11434/v1"'])
def test_a_local_servers_word_or_a_key_read_from_the_environment_is_no_placeholder(tmp_path, given):
    result = usage(project_with(tmp_path, {"ask.py": "import os\nfrom openai import OpenAI\n"
                                                     f"client = OpenAI(api_key={given}, timeout=30)\n"}))
    assert not of_code(result, "key-placeholder"), result.problems


@pytest.mark.parametrize("call,said", [
    ('prompt="Say hi", max_tokens=50', "given prompt=, which only the old Completions API took"),
    ('messages="Say hi", max_tokens=50', "messages= is a string"),
    ('messages=[{"content": "hi"}], max_tokens=50', 'a message with no "role"'),
    ('messages=[{"role": "human", "content": "hi"}], max_tokens=50', "the role 'human' is not one the API knows"),
])
def test_a_chat_request_whose_conversation_cannot_be_right_fails(tmp_path, call, said):
    """QA: `prompt=` and `messages="..."` passed the code check, and the script then failed every time."""
    result = usage(project_with(tmp_path, {"ask.py": "from openai import OpenAI\nclient = OpenAI(timeout=30)\n"
                                                     f"r = client.chat.completions.create(model='gpt-4o-mini', {call})\n"
                                                     "print(r.choices[0].message.content or '')\n"}))
    found = of_code(result, "messages-invalid")
    assert found and found[0].status is Status.FAIL and said in found[0].message, result.problems


@pytest.mark.parametrize("call", ['messages=history', 'messages=[{"role": "user", "content": q}, *earlier]',
                                  'messages=[{"role": "developer", "content": "x"}, m]', "**options"])
def test_a_conversation_built_elsewhere_or_well_formed_is_left_alone(tmp_path, call):
    result = usage(project_with(tmp_path, {"ask.py": "from openai import OpenAI\nclient = OpenAI(timeout=30)\n"
                                                     "history, earlier, m, q, options = [], [], {}, '', {}\n"
                                                     f"r = client.chat.completions.create(model='gpt-4o-mini', {call})\n"}))
    assert not of_code(result, "messages-invalid"), result.problems


@pytest.mark.parametrize("path", ["tests/test_ask.py", "conftest.py", "examples/quickstart.py", "app/ask_test.py"])
def test_a_fake_key_in_a_test_or_an_example_is_no_placeholder_finding(tmp_path, path):
    """A test builds its client with a fake key beside a mocked transport; an example leaves a line to fill in."""
    result = usage(project_with(tmp_path, {path: "from openai import OpenAI\n"
                                                 "client = OpenAI(api_key='sk-test-xxxxxxxxxxxx', timeout=30)\n"}))
    assert not of_code(result, "key-placeholder"), result.problems
