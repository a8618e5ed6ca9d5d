"""`check --fix`: a diff first, --yes without a terminal, atomic writes with backups, idempotent."""

from __future__ import annotations

import json
import sys

from tests.conftest import CANARY_KEY, base_environ, doctor_cli, git, write_project


def fix(project, *args: str):
    return doctor_cli("check", "--offline", "--fix", "--format", "json", "--project", str(project),
                      "--python", sys.executable, *args, env=base_environ(VIRTUAL_ENV=sys.prefix))


def broken_project(tmp_path):
    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\n", gitignore="__pycache__/\n",
                            requirements="openai>=1.40\n")
    git(project, "init", "-q")
    return project


def test_without_a_terminal_it_shows_the_diff_and_needs_yes(tmp_path):
    project = broken_project(tmp_path)
    done = fix(project)
    assert "+.env" in done.stderr and "add --yes" in done.stderr
    assert (project / ".gitignore").read_text() == "__pycache__/\n"
    assert json.loads(done.stdout)["summary"]["fail"] >= 1


def test_the_preview_of_a_key_whitespace_fix_shows_a_change(tmp_path):
    """The key before and after the fix is masked with its own fingerprint: with one mask for both,
    the preview's two lines differed by the quotes alone, and the space it removes was not seen."""
    project = write_project(tmp_path / "p", env=f'OPENAI_API_KEY="{CANARY_KEY} "\n')
    done = fix(project)
    before = next(line for line in done.stderr.splitlines() if line.startswith("-OPENAI_API_KEY="))
    after = next(line for line in done.stderr.splitlines() if line.startswith("+OPENAI_API_KEY="))
    assert before.split("(fp ")[1][:8] != after.split("(fp ")[1][:8] and CANARY_KEY[8:20] not in done.stderr


def test_yes_applies_with_backups_and_the_report_is_fresh(tmp_path):
    project = broken_project(tmp_path)
    done = fix(project, "--yes")
    assert (project / ".gitignore").read_text() == "__pycache__/\n.env\n"
    backups = project / ".git" / "llm-doctor-backups"
    [gitignore_backup] = backups.glob(".gitignore.*")
    [requirements_backup] = backups.glob("requirements.txt.*")
    assert gitignore_backup.read_text() == "__pycache__/\n"
    assert "openai==" in (project / "requirements.txt").read_text()
    assert requirements_backup.read_text() == "openai>=1.40\n"
    assert ".git/llm-doctor-backups/.gitignore." in done.stderr
    by_id = {c["id"]: c for c in json.loads(done.stdout)["checks"]}
    assert by_id["dotenv-gitignored"]["status"] == "pass" and by_id["packages-pinned"]["status"] == "pass"
    assert CANARY_KEY not in done.stdout + done.stderr
    again = fix(project, "--yes")
    assert "nothing the doctor can fix" in again.stderr
    assert again.returncode == 0


def test_yes_alone_is_a_usage_error(tmp_path):
    done = doctor_cli("check", "--yes", "--project", str(tmp_path))
    assert done.returncode == 2 and "--yes goes with --fix" in done.stderr
