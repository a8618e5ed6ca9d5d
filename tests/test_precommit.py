"""The pre-commit hook's command really blocks a commit that would leak the key."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from tests.conftest import CANARY_KEY, base_environ, doctor_cli, git, leaks, write_project

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


# A key as a user pastes it into code: not the canary the .env holds, so only secrets-in-files can see it.
PASTED_KEY = "sk-proj-" + "Pa5tEdK3yR7tq2Vm9Lx4Nb8Wc1Zd6Hf3Js" * 2 + "T3BlbkFJ" + "Qe4Rt7Yu1Io9Pa2Sd5Fg"
ASK = 'from openai import OpenAI\n\nclient = OpenAI(api_key="{key}", timeout=30.0)\n'


def hooked_repository(root: Path) -> Path:
    """A repository set up as the guide says, with the hook's entry installed as git's own pre-commit
    hook (what pre-commit's generated hook runs, without pre-commit's install step, which needs the index)."""
    project = write_project(root, env=f"OPENAI_API_KEY={CANARY_KEY}\n", gitignore=".env\n")
    (project / "ask.py").write_text(ASK.format(key="set in .env"), encoding="utf-8")
    git(project, "init", "-q")
    git(project, "config", "user.email", "dev@example.com")
    git(project, "config", "user.name", "dev")
    doctor = Path(sys.executable).with_name("llm-doctor")
    hook = project / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\nexec {shlex.quote(str(doctor))} {shlex.join(hook_args())}\n", encoding="utf-8")
    hook.chmod(0o755)
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "first")
    return project


def commit(project: Path, *args: str):
    import subprocess

    # git shows a hook's output on its stderr
    return subprocess.run(["git", "commit", "-m", "change", *args], cwd=project, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, env=base_environ(), timeout=120)


def head(project: Path) -> str:
    import subprocess

    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True).stdout.strip()


def test_a_key_pasted_into_code_stops_the_commit(tmp_path):
    project = hooked_repository(tmp_path / "p")
    before = head(project)
    (project / "ask.py").write_text(ASK.format(key=PASTED_KEY), encoding="utf-8")
    git(project, "add", "ask.py")
    blocked = commit(project)
    assert blocked.returncode == 1, blocked.stdout
    assert "key-hardcoded" in blocked.stdout and "ask.py line 3" in blocked.stdout
    assert head(project) == before  # nothing was committed
    assert leaks(blocked.stdout, PASTED_KEY, CANARY_KEY) == []


def test_the_hook_judges_the_staged_content_not_the_working_tree(tmp_path):
    project = hooked_repository(tmp_path / "p")
    before = head(project)
    (project / "ask.py").write_text(ASK.format(key=PASTED_KEY), encoding="utf-8")
    git(project, "add", "ask.py")
    (project / "ask.py").write_text(ASK.format(key="removed, but only from the working tree"), encoding="utf-8")
    assert commit(project).returncode == 1 and head(project) == before  # the staged key would be committed

    git(project, "add", "ask.py")  # the clean file is staged; a key typed afterwards is not in this commit
    (project / "notes.py").write_text(f'KEY = "{PASTED_KEY}"\n', encoding="utf-8")  # untracked, not staged
    allowed = commit(project)
    assert allowed.returncode == 0, allowed.stdout
    assert head(project) != before


def test_commit_all_is_judged_on_what_it_stages(tmp_path):
    """`git commit -a` stages into a temporary index that git names to the hook (GIT_INDEX_FILE)."""
    project = hooked_repository(tmp_path / "p")
    before = head(project)
    (project / "ask.py").write_text(ASK.format(key=PASTED_KEY), encoding="utf-8")  # modified, never `git add`ed
    blocked = commit(project, "-a")
    assert blocked.returncode == 1 and "key-hardcoded" in blocked.stdout, blocked.stdout
    assert head(project) == before
