"""The pre-commit hook's command really blocks a commit that would leak the key."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from tests.conftest import CANARY_KEY, base_environ, doctor_cli, git, write_project

HOOKS = Path(__file__).parents[1] / ".pre-commit-hooks.yaml"


def hook_args() -> list[str]:
    entry = next(line.split(":", 1)[1].strip() for line in HOOKS.read_text().splitlines()
                 if line.strip().startswith("entry:"))
    words = shlex.split(entry)
    assert words[0] == "llm-doctor"
    return words[1:]


def test_hook_fails_when_env_would_be_committed_and_passes_once_ignored(tmp_path):
    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\n")
    git(project, "init", "-q")
    env = base_environ(VIRTUAL_ENV=sys.prefix)
    blocked = doctor_cli(*hook_args(), cwd=project, env=env)
    assert blocked.returncode == 1 and "dotenv-not-ignored" in blocked.stdout
    (project / ".gitignore").write_text(".env\n")
    allowed = doctor_cli(*hook_args(), cwd=project, env=env)
    assert allowed.returncode == 0, allowed.stdout
    assert CANARY_KEY not in blocked.stdout + allowed.stdout
