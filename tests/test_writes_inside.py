"""Writes stay inside the project, whatever symlinks a hostile repository holds, and a file's own
escape sequences never reach the terminal through the fix preview."""

from __future__ import annotations

import os
import sys

import pytest

from doctor.atomic import NotReplaced, ensure_within, write_text_atomically
from tests.conftest import CANARY_KEY, doctor_cli
from tests.test_fix_cli import broken_project, fix

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="symlinks")


@posix_only
def test_fix_never_follows_a_backups_symlink_out_of_the_project(tmp_path):
    project = broken_project(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, project / ".git" / "llm-doctor-backups")
    done = fix(project, "--yes")
    assert list(outside.iterdir()) == []  # neither the old .gitignore nor anything else went there
    assert (project / ".gitignore").read_text() == "__pycache__/\n"  # no backup, so no change
    assert "leads out of the project through a symbolic link" in done.stderr


@posix_only
def test_report_never_writes_through_a_folder_symlink_out_of_the_project(tmp_path):
    project = broken_project(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, project / "docs")
    done = doctor_cli("report", "--offline", "-o", "docs/report.md", "--project", str(project), cwd=project)
    assert done.returncode == 2 and "leads out of the project" in done.stderr, done.stderr
    assert list(outside.iterdir()) == []
    inside = doctor_cli("report", "--offline", "-o", "report.md", "--project", str(project), cwd=project)
    assert inside.returncode in (0, 1) and (project / "report.md").is_file(), inside.stderr


def test_a_path_outside_the_project_as_written_is_the_users_choice(tmp_path):
    project = tmp_path / "p"
    project.mkdir()
    write_text_atomically(tmp_path / "elsewhere.md", "ok", within=project)
    assert (tmp_path / "elsewhere.md").read_text() == "ok"
    with pytest.raises(NotReplaced):
        (project / "link").symlink_to(tmp_path)
        ensure_within(project / "link" / "x.md", project)


def test_the_fix_preview_shows_a_files_escape_sequences_inert(tmp_path):
    project = broken_project(tmp_path)
    hostile = "__pycache__/\n# \x1b]52;c;ZXZpbA==\x07 \x1b[2J ##vso[task.setvariable variable=x]y\n"
    (project / ".gitignore").write_text(hostile)
    done = fix(project)
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert "\\x1b]52;c;ZXZpbA==\\x07" in done.stderr and "##vso[" not in done.stderr
    assert (project / ".gitignore").read_text() == hostile and CANARY_KEY not in done.stderr
