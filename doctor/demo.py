"""The throwaway sample project `llm-doctor demo` diagnoses: the guide's setup, done right,
pointed at the sandbox API. The scenario, not the project, decides what goes wrong."""

from __future__ import annotations

import importlib.metadata as md
import secrets
import shutil
import subprocess
from pathlib import Path

# The user's real settings must not leak into the demo, nor the demo's key into the user's API.
SANDBOX_ONLY_ENVIRON = frozenset({
    "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "OPENAI_API_BASE",
    "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy",
})
DEMO_TIMEOUT = 5  # short, so the "slow" scenario shows a tight timeout in seconds, not minutes
DEMO_MODEL = "gpt-4o-mini"  # the sandbox is not api.openai.com, so the model is named, as a user's code names it


def sample_project(root: Path, base_url: str, model: str | None = DEMO_MODEL) -> Path:
    """Writes .env, .gitignore, requirements.txt and pyproject.toml, and makes it a git repository.
    `model` is what the project's code uses (None: the code's model is not known to the doctor)."""
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
    model_line = f'model = "{model}"\n' if model else ""
    (project / "pyproject.toml").write_text(f"[tool.llm-doctor]\ntimeout = {DEMO_TIMEOUT}\n{model_line}", encoding="utf-8")
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q"], cwd=project, check=False, capture_output=True)
    return project
