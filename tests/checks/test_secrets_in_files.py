"""secrets-in-files: keys written in shared files, keys left in history, and the fakes that are not keys.

The keys are made at test time (pseudo-random from a fixed seed, so they carry a real key's
randomness and every run sees the same ones), never stored in the repository: a key-shaped
string in a fixture would be a key in our own files.
"""

from __future__ import annotations

import importlib
import json
import random
import re
import string
import subprocess

import pytest

from checks.secrets_in_files import secrets_in_files
from doctor.model import Status
from doctor.project.secrets import find_secrets, looks_fake
from tests.conftest import base_environ, git, leaks, make_ctx, run_check, write_project

ALPHABET = string.ascii_letters + string.digits
module = importlib.import_module("checks.secrets_in_files")  # the package's name for it is the check


_RANDOM = random.Random(20261130)


def random_text(length: int, alphabet: str = ALPHABET) -> str:
    return "".join(_RANDOM.choice(alphabet) for _ in range(length))


def key_of(provider: str) -> str:
    """A fresh key in the shape each provider issues."""
    return {
        "OpenAI": lambda: f"sk-proj-{random_text(60)}T3BlbkFJ{random_text(60)}",
        "Anthropic": lambda: f"sk-ant-api03-{random_text(93)}AA",
        "OpenRouter": lambda: f"sk-or-v1-{random_text(64, '0123456789abcdef')}",
        "Groq": lambda: f"gsk_{random_text(52)}",
        "Google": lambda: f"AIzaSy{random_text(33)}",
        "GitHub": lambda: f"ghp_{random_text(36)}",
        "AWS": lambda: f"AKIA{random_text(16, string.ascii_uppercase + string.digits)}",
        "JWT": lambda: f"eyJ{random_text(30)}.eyJ{random_text(40)}.{random_text(43)}",
        "Replicate": lambda: f"r8_{random_text(37)}",
        "Fireworks": lambda: f"fw_{random_text(24)}",
        "Together": lambda: f"tgp_v1_{random_text(43)}",
        "Cerebras": lambda: f"csk-{random_text(48, string.ascii_lowercase + string.digits)}",
        "NVIDIA": lambda: f"nvapi-{random_text(64)}",
        "xAI": lambda: f"xai-{random_text(80)}",
        "Perplexity": lambda: f"pplx-{random_text(48)}",
        "Hugging Face": lambda: f"hf_{random_text(34)}",
        "GitHub fine-grained": lambda: f"github_pat_{random_text(82)}",
        "OpenAI project, no marker": lambda: f"sk-proj-{random_text(64)}",
        "OpenAI-compatible": lambda: f"sk-{random_text(48)}",
        "Azure": lambda: random_text(32, "0123456789abcdef"),
        "Mistral": lambda: random_text(32),
    }[provider]()


def scan(project, **environ):  # noqa: ANN001, ANN201
    ctx = make_ctx(project, environ=base_environ(**environ))
    return run_check(secrets_in_files, ctx)


def in_git(tmp_path, files: dict[str, str], ignore: str = ".env\n"):  # noqa: ANN001, ANN201
    project = write_project(tmp_path / "proj", gitignore=ignore)
    for name, text in files.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "start")
    return project


@pytest.mark.parametrize("provider", ["OpenAI", "Anthropic", "OpenRouter", "Groq", "Google", "GitHub", "AWS", "JWT",
                                      "Replicate", "Fireworks", "Together", "Cerebras", "NVIDIA", "xAI", "Perplexity",
                                      "Hugging Face", "GitHub fine-grained", "OpenAI project, no marker",
                                      "OpenAI-compatible"])
def test_every_provider_shape_is_found(provider):
    """Each shape is looked for only in a text holding one of its markers: every shape is still found."""
    key = key_of(provider)
    found = find_secrets(f'token = "{key}"\n')
    assert [hit.value for hit in found] == [key]
    assert not looks_fake(key)


@pytest.mark.parametrize("call", [
    'client = AzureOpenAI(\n    azure_endpoint="https://x.openai.azure.com",\n    api_key="{key}",\n'
    '    api_version="2024-06-01")',
    'llm = AzureChatOpenAI(deployment_name="gpt4", openai_api_key="{key}", timeout=(3, 30))',
])
def test_an_azure_key_is_found_where_an_azure_client_is_given_it_and_nowhere_else(call):
    key = key_of("Azure")
    assert [hit.value for hit in find_secrets(call.format(key=key))] == [key]
    for elsewhere in (f'checksum = "{key}"', f'client = OpenAI(base_url=URL, default_headers={{"x": "{key}"}})',
                      f'commit = "{key}"  # AzureOpenAI support'):
        assert find_secrets(elsewhere) == [], elsewhere


def test_any_providers_key_handed_to_a_client_in_code_is_found():
    # Keys of their own seed: from the shared generator, which key a test gets depends on the tests run before it.
    picks = [random.Random(seed) for seed in (1, 2)]
    keys = ["".join(pick.choice(ALPHABET) for _ in range(32)) for pick in picks]
    assert sum(c.isdigit() for c in keys[0]) < 4  # a key with few digits, which was missed before
    found = find_secrets(f'client = Mistral(api_key="{keys[0]}")\nother = Cohere(cohere_api_key="{keys[1]}")\n')
    assert [hit.value for hit in found] == keys
    for local in ('api_key="ollama"', 'api_key="EMPTY"', 'api_key="sk-no-key-required"', 'api_key="lm-studio"',
                  'api_key="not-needed-for-local-models"', 'api_key="gpt-4o-mini-2024-07-18"',
                  'api_key="your_api_key_goes_here_1234"', 'api_key=os.environ["MISTRAL_API_KEY"]',
                  'api_key="models/text-embedding-004"', 'access_token="${{ secrets.HF_TOKEN }}"',
                  'api_key="ThisIsMyApplicationName"', 'api_key="LangChainOpenAIWrapper"',
                  'api_key="HuggingFaceInferenceKey1"', 'api_key="MyProjectConfiguration2"'):
        assert find_secrets(local) == [], local


def test_a_key_given_across_spaces_and_lines_is_found_and_a_key_read_from_the_environment_is_not_looked_for():
    """The API pattern is compiled only for a text where a `_key`/`_token` name is given a quoted value:
    that plain search must see every spacing the pattern allows."""
    from doctor.project.secrets import _assigns_a_quote

    keys = ["".join(random.Random(seed).sample(ALPHABET, 40)) for seed in (3, 4, 5)]
    text = f'client = Client(api_key =\n    "{keys[0]}")\naccess_token\t=\t\'{keys[1]}\'\nsubscription_key=\u2003"{keys[2]}"\n'
    assert [hit.value for hit in find_secrets(text)] == keys
    assert not _assigns_a_quote('client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"), api_token=TOKEN)\n')


def test_nearly_every_random_key_handed_to_a_client_is_found():
    """A generated key need not hold four digits: one in five 32-character keys held fewer, and was missed."""
    pick = random.Random(7)
    keys = ["".join(pick.choice(ALPHABET) for _ in range(32)) for _ in range(2000)]
    missed = [key for key in keys if [hit.value for hit in find_secrets(f'c = Client(api_key="{key}")')] != [key]]
    assert len(missed) <= 10, len(missed)  # about 2 in 1,000 are as plain as a name


@pytest.mark.parametrize("fake", ["sk-...", "sk-your-key-here", "sk-test-xxxxxxxxxxxxxxxxxxxxxxxx",
                                  "sk-proj-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "sk-<your key>",
                                  "sk-1234567890abcdefghij1234567890ab", "gsk_yourgroqkeyhereyourgroqkeyhere00000"])
def test_placeholders_are_not_keys(fake):
    assert find_secrets(f"OPENAI_API_KEY={fake}\n") == []


def test_a_key_in_code_is_found_with_its_line_and_never_shown(tmp_path):
    key = key_of("OpenAI")
    project = in_git(tmp_path, {"app/config.py": f'import os\n\nAPI_KEY = "{key}"\n'})
    result = scan(project)
    assert result.status is Status.FAIL and result.code == "key-hardcoded"
    where = result.problems[0].location
    assert (where.file, where.line) == ("app/config.py", 3)
    assert "an OpenAI key" in result.message and key[-4:] in result.message
    assert leaks(json.dumps([result.message, *result.details, str(result.facts)]), key) == []


def test_notebook_sources_and_outputs_dockerfiles_and_config_are_searched(tmp_path):
    groq, google, github = key_of("Groq"), key_of("Google"), key_of("GitHub")
    notebook = {"cells": [{"cell_type": "code", "source": ["%env OPENAI_API_KEY=placeholder\n"], "outputs": [
        {"output_type": "stream", "name": "stdout", "text": [f"env: GROQ_API_KEY={groq}\n"]}]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    project = in_git(tmp_path, {"explore.ipynb": json.dumps(notebook, indent=1),
                                "Dockerfile": f"FROM python:3.12\nENV GOOGLE_API_KEY={google}\n",
                                "deploy/settings.yaml": f"github:\n  token: {github}\n"})
    found = {(f.location.file, f.code) for f in scan(project).problems}
    assert found == {("explore.ipynb", "key-hardcoded"), ("Dockerfile", "key-hardcoded"),
                     ("deploy/settings.yaml", "key-hardcoded")}


def test_env_variants_count_unless_git_ignores_them(tmp_path):
    key = key_of("OpenAI")
    shared = in_git(tmp_path / "a", {".env.local": f"OPENAI_API_KEY={key}\n"})
    assert [f.location.file for f in scan(shared).problems] == [".env.local"]
    ignored = in_git(tmp_path / "b", {".env.local": f"OPENAI_API_KEY={key}\n"}, ignore=".env\n.env.*\n")
    assert scan(ignored).status is Status.PASS


def test_the_key_in_use_is_named_as_such(tmp_path):
    key = key_of("OpenAI")
    project = in_git(tmp_path, {"settings.toml": f'openai_key = "{key}"\n'})
    result = scan(project, OPENAI_API_KEY=key)
    assert result.message.startswith("the key in use")


def test_the_guides_own_project_raises_no_false_alarm(tmp_path):
    """The guide's files as a beginner has them: placeholders in the README and the example, the
    real key only in the ignored .env."""
    key = key_of("OpenAI")
    project = in_git(tmp_path, {
        "README.md": "Put your key in .env: OPENAI_API_KEY=sk-...\nA key looks like sk-proj-abc123...\n",
        ".env.example": "OPENAI_API_KEY=sk-your-key-here\n",
        "ask.py": 'from dotenv import load_dotenv\nload_dotenv()\nprint("sk-... is a placeholder")\n',
        "tests/test_ask.py": 'FAKE = "sk-test-xxxxxxxxxxxxxxxxxxxxxxxxxxxx"\n',
        "requirements.txt": "openai==1.99.0\n",
    })
    (project / ".env").write_text(f"OPENAI_API_KEY={key}\n", encoding="utf-8")
    result = scan(project)
    assert result.status is Status.PASS, result.message
    assert any(d.startswith("history: searched the one commit of 1 branch") for d in result.details)


def test_a_key_removed_from_the_files_stays_in_history(tmp_path):
    key = key_of("Anthropic")
    project = in_git(tmp_path, {"notes.py": f'CLAUDE = "{key}"\n'})
    (project / "notes.py").write_text("CLAUDE = None\n", encoding="utf-8")
    git(project, "commit", "-qam", "remove the key")
    result = scan(project)
    assert result.code == "key-in-history"
    assert "an Anthropic key" in result.message and "notes.py" in result.message and "commit" in result.message
    assert leaks(result.message + " ".join(result.details), key) == []


def fast_history(project, count: int, key_at: int, key: str, filler: str = "VALUE = {n}") -> None:  # noqa: ANN001
    """`count` commits on main made at once with git fast-import; commit number `key_at` (from 1,
    the oldest) adds `key` to a file, and the next commit removes it."""
    stream = []
    for n in range(1, count + 1):
        body = f'KEY = "{key}"\n' if n == key_at else filler.format(n=n) + "\n"
        data = body.encode()
        when = 1700000000 + n * 60
        stream.append(f"commit refs/heads/main\nmark :{n}\ncommitter t <t@example.invalid> {when} +0000\n"
                      f"data 3\nc{n % 10}\n" + (f"from :{n - 1}\n" if n > 1 else "") +
                      f"M 644 inline notes.py\ndata {len(data)}\n{body}\n")
    git(project, "init", "-q", "-b", "main")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=project, input="".join(stream).encode(), check=True,
                   capture_output=True)
    git(project, "reset", "-q", "--hard", "main")


def test_a_key_older_than_600_commits_is_found_in_a_history_bounded_by_work(tmp_path):
    key = key_of("Groq")
    project = write_project(tmp_path / "proj")
    fast_history(project, 650, 3, key)
    result = scan(project)
    assert result.code == "key-in-history" and "notes.py" in result.message
    assert any(d.startswith("history: searched all 650 commits of 1 branch") for d in result.details)
    assert leaks(result.message + " ".join(result.details), key) == []


def test_the_history_search_stops_at_its_byte_budget_and_says_which_commits_it_covered(tmp_path, monkeypatch):
    """Every commit changes a line git's search matches (a placeholder, not a key), so every commit
    costs patch bytes: the budget ends the search part way, the same way on every run."""
    monkeypatch.setattr(module, "BATCH", 100)
    monkeypatch.setattr(module, "HISTORY_BYTES", 40_000)
    new, old = key_of("Groq"), key_of("Google")
    project = write_project(tmp_path / "proj")
    fast_history(project, 300, 5, old, filler='KEY = "sk-your-key-here-{n:05}"')
    (project / "recent.py").write_text(f'KEY = "{new}"\n', encoding="utf-8")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "recent")
    git(project, "rm", "-q", "recent.py")
    git(project, "commit", "-qm", "removed")
    runs = [scan(project) for _ in range(2)]
    line = next(d for d in runs[0].details if d.startswith("history:"))
    match = re.search(r"searched the newest (\d+) of 302 commits of 1 branch, back to \d{4}-\d\d-\d\d; stopped at "
                      r"its limit of 39 KB of changes read, so the (\d+) older commits were not searched", line)
    assert match and 100 < int(match[1]) < 300 and int(match[1]) + int(match[2]) == 302, line
    assert [f.location.file for f in runs[0].problems] == ["recent.py"]  # the old key lies beyond the budget
    assert runs[1].details == runs[0].details and runs[1].message == runs[0].message


def test_a_key_added_in_a_merge_commit_and_removed_later_is_found(tmp_path):
    key = key_of("OpenRouter")
    project = in_git(tmp_path, {"a.py": "A = 1\n"})
    git(project, "branch", "-M", "main")
    git(project, "checkout", "-qb", "feature")
    (project / "b.py").write_text("B = 2\n", encoding="utf-8")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "feature")
    git(project, "checkout", "-q", "main")
    (project / "c.py").write_text("C = 3\n", encoding="utf-8")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "main moves on")
    git(project, "merge", "-q", "--no-commit", "feature")
    (project / "merged.py").write_text(f'KEY = "{key}"\n', encoding="utf-8")  # added while resolving the merge
    git(project, "add", "-A")
    git(project, "commit", "-qm", "merge feature")
    git(project, "rm", "-q", "merged.py")
    git(project, "commit", "-qm", "remove the key")
    result = scan(project)
    assert result.code == "key-in-history" and "merged.py" in result.message, result.details


def test_a_key_on_a_branch_that_is_not_checked_out_is_found(tmp_path):
    key = key_of("OpenAI")
    project = in_git(tmp_path, {"a.py": "A = 1\n"})
    git(project, "checkout", "-qb", "experiment")
    (project / "try.py").write_text(f'KEY = "{key}"\n', encoding="utf-8")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "try it")
    git(project, "checkout", "-q", "-")
    git(project, "tag", "v1")
    result = scan(project)
    assert result.code == "key-in-history" and "try.py" in result.message
    assert any("of 2 branches and 1 tag" in d for d in result.details)


def test_when_git_cannot_answer_the_result_says_the_history_was_not_searched(tmp_path):
    project = in_git(tmp_path, {"a.py": "A = 1\n"})
    (project / ".git" / "refs" / "heads" / "broken").write_text("1" * 40 + "\n", encoding="utf-8")
    result = scan(project)
    assert result.status is Status.PASS
    assert "history" in result.message and "not searched" in result.message, result.message
    assert "or its history" not in result.message


def test_outside_git_every_file_of_the_project_is_searched(tmp_path):
    key = key_of("OpenRouter")
    project = write_project(tmp_path / "proj")
    (project / "bot.py").write_text(f'KEY = "{key}"\n', encoding="utf-8")
    (project / ".venv" / "lib").mkdir(parents=True)
    (project / ".venv" / "lib" / "vendored.py").write_text(f'KEY = "{key_of("OpenAI")}"\n', encoding="utf-8")
    result = scan(project)
    assert [f.location.file for f in result.problems] == ["bot.py"]
    assert not any("history" in d for d in result.details)


def test_an_empty_project_is_skipped(tmp_path):
    assert scan(write_project(tmp_path / "proj")).status is Status.SKIP


def test_a_repository_without_git_to_read_it_says_its_history_was_not_searched(tmp_path):
    project = in_git(tmp_path, {"a.py": "A = 1\n"})
    result = run_check(secrets_in_files, make_ctx(project, environ=base_environ(PATH="/nonexistent")))
    assert result.status is Status.PASS
    assert result.message.endswith("its history was not searched (git did not answer)")
    assert "history: not searched, git is not installed or did not answer" in result.details


def test_a_committed_env_is_named_as_the_exception_when_nothing_else_holds_a_key(tmp_path):
    """Beside dotenv-tracked, a plain pass would read as "no key is shared" while .env, with its key, is."""
    key = key_of("OpenAI")
    project = in_git(tmp_path, {".env": f"OPENAI_API_KEY={key}\n", "ask.py": "print('hi')\n"}, ignore="")
    result = scan(project)
    assert result.status is Status.PASS
    assert ".env is the exception: git shares it (see .env kept out of git)" in result.message
    untracked = in_git(tmp_path / "other", {"ask.py": "print('hi')\n"})
    (untracked / ".env").write_text(f"OPENAI_API_KEY={key}\n", encoding="utf-8")
    assert "exception" not in scan(untracked).message


def test_a_env_committed_once_and_untracked_since_is_named_as_the_exception(tmp_path):
    """QA: '.env kept out of git' said the key was committed while this check passed with 'or its history'."""
    key = key_of("OpenAI")
    project = in_git(tmp_path, {".env": f"OPENAI_API_KEY={key}\n", "ask.py": "print('hi')\n"}, ignore="")
    git(project, "rm", "-q", "--cached", ".env")
    (project / ".gitignore").write_text(".env\n")
    git(project, "add", ".gitignore")
    git(project, "commit", "-qm", "untrack .env")
    result = scan(project)
    assert result.status is Status.PASS
    assert ".env's own past commits are the exception (see .env kept out of git)" in result.message
