"""secrets-in-files: keys written in shared files, keys left in history, and the fakes that are not keys.

The keys are made at test time (pseudo-random from a fixed seed, so they carry a real key's
randomness and every run sees the same ones), never stored in the repository: a key-shaped
string in a fixture would be a key in our own files.
"""

from __future__ import annotations

import importlib
import json
import random
import string

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


@pytest.mark.parametrize("provider", ["OpenAI", "Anthropic", "OpenRouter", "Groq", "Google", "GitHub", "AWS", "JWT"])
def test_every_provider_shape_is_found(provider):
    key = key_of(provider)
    found = find_secrets(f'token = "{key}"\n')
    assert [hit.value for hit in found] == [key]
    assert not looks_fake(key)


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
    assert any("history: searched what all 1 commits added" in d for d in result.details)


def test_a_key_removed_from_the_files_stays_in_history(tmp_path):
    key = key_of("Anthropic")
    project = in_git(tmp_path, {"notes.py": f'CLAUDE = "{key}"\n'})
    (project / "notes.py").write_text("CLAUDE = None\n", encoding="utf-8")
    git(project, "commit", "-qam", "remove the key")
    result = scan(project)
    assert result.code == "key-in-history"
    assert "an Anthropic key" in result.message and "notes.py" in result.message and "commit" in result.message
    assert leaks(result.message + " ".join(result.details), key) == []


def test_the_history_search_is_bounded_and_says_what_it_covered(tmp_path, monkeypatch):
    monkeypatch.setattr(module, "MAX_COMMITS", 2)
    old = key_of("Groq")
    project = in_git(tmp_path, {"a.py": f'KEY = "{old}"\n'})
    for n in range(3):
        (project / "a.py").write_text(f"KEY = None  # {n}\n", encoding="utf-8")
        git(project, "commit", "-qam", f"change {n}")
    result = scan(project)
    assert result.status is Status.PASS  # the key was added 4 commits ago: beyond the 2 searched
    assert any("the newest 2 of 4 commits" in d for d in result.details)


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
