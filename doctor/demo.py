"""The throwaway sample project `llm-doctor demo` diagnoses: the guide's setup, done right,
pointed at the sandbox API. The scenario, not the project, decides what goes wrong."""

from __future__ import annotations

import importlib.metadata as md
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

# The user's real settings must not leak into the demo, nor the demo's key into the user's API.
SANDBOX_ONLY_ENVIRON = frozenset({
    "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "OPENAI_API_BASE",
    "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy",
})
DEMO_TIMEOUT = 5  # short, so the "slow" scenario shows a tight timeout in seconds, not minutes
DEMO_MODEL = "gpt-4o-mini"  # the sandbox is not api.openai.com, so the model is named, as a user's code names it


def missing_sdk() -> str | None:
    """Why the sample project cannot run on llm-doctor's own Python, or None. The doctor asks for
    no particular openai (it must never move a project's pin when installed beside it), so a
    doctor sharing a venv with openai 0.28 has no SDK the demo's code can use."""
    try:
        version = md.version("openai")
    except md.PackageNotFoundError:
        version = None
    if version and version.split(".", 1)[0].isdigit() and int(version.split(".", 1)[0]) >= 1:
        return None
    found = f"openai {version}" if version else "no openai"
    return (f"the demo runs its sample project on llm-doctor's own Python ({sys.executable}), which has {found}; "
            "the sample needs openai 1.0 or newer. Install llm-doctor in an environment of its own "
            "(docs/install.md: `pipx install ./llm-doctor`), not beside the project's openai")


def sample_project(root: Path, base_url: str, model: str | None = DEMO_MODEL) -> Path:
    """Writes app.py, .env, .gitignore, requirements.txt and pyproject.toml, and makes it a git
    repository. `model` is what the project's code uses (None: a model chosen at run time, which
    the doctor cannot know)."""
    project = root / "sample-project"
    project.mkdir()
    key = "sk-sandbox-" + secrets.token_hex(20)
    (project / ".env").write_text(f"OPENAI_API_KEY={key}\nOPENAI_BASE_URL={base_url}\n", encoding="utf-8")
    (project / ".gitignore").write_text(".env\n.venv/\n", encoding="utf-8")
    pins = []
    for name in ("httpx", "openai", "python-dotenv"):
        try:
            pins.append(f"{name}=={md.version(name)}\n")
        except md.PackageNotFoundError:
            continue
    (project / "requirements.txt").write_text("".join(pins), encoding="utf-8")
    (project / "pyproject.toml").write_text(f"[tool.llm-doctor]\ntimeout = {DEMO_TIMEOUT}\n", encoding="utf-8")
    write_sample_code(project, model)
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q"], cwd=project, check=False, capture_output=True)
    return project


def write_sample_code(project: Path, model: str | None) -> None:
    """app.py: the guide's worked example with its lessons applied (the key loaded before the client
    is built, a timeout, a token cap, no retries on an empty account, a reply that may be empty)."""
    choice = f'MODEL = "{model}"' if model else 'MODEL = sys.argv[1] if len(sys.argv) > 1 else input("Model: ")'
    (project / "app.py").write_text(_SAMPLE_CODE.replace("MODEL = ...", choice), encoding="utf-8")


_SAMPLE_CODE = '''"""Asks the model one question and prints the reply with the tokens it used."""
import os
import sys

from dotenv import load_dotenv
from openai import OpenAI, RateLimitError

load_dotenv()
client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"), timeout=30.0)
MODEL = ...


def ask(prompt: str) -> str:
    try:
        response = client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": prompt}], max_tokens=200)
    except RateLimitError as error:
        if error.code == "insufficient_quota":
            sys.exit("The account has no credit left: add some in the provider's billing page.")
        raise
    print(f"[tokens: {response.usage.total_tokens if response.usage else 'unknown'}]")
    return response.choices[0].message.content or ""


if __name__ == "__main__":
    print(ask("Summarise what an LLM API does in two sentences."))
'''
