"""Counts in words: one is singular, every other count plural, in every report."""

from __future__ import annotations

import pytest

from doctor.words import counted


@pytest.mark.parametrize("count,noun,said", [(1, "file", "1 file"), (0, "file", "0 files"), (2, "branch", "2 branches"),
                                             (1, "branch", "1 branch"), (3, "commit", "3 commits"),
                                             (2, "remote-tracking branch", "2 remote-tracking branches")])
def test_counted(count, noun, said):
    assert counted(count, noun) == said


def test_a_repository_of_one_commit_is_not_said_in_the_plural(tmp_path):
    from checks.secrets_in_files import secrets_in_files
    from tests.conftest import git, make_ctx, run_check, write_project

    project = write_project(tmp_path / "p", gitignore=".env\n")
    git(project, "init", "-q")
    (project / "ask.py").write_text("print('hi')\n")
    git(project, "add", ".")
    git(project, "-c", "user.email=d@example.com", "-c", "user.name=d", "commit", "-qm", "one")
    history = next(d for d in run_check(secrets_in_files, make_ctx(project)).details if d.startswith("history:"))
    assert "searched the one commit of 1 branch" in history, history
