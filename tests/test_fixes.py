"""The safe fixes: preview, atomic apply, backup, idempotence, and nothing lost on failure."""

from __future__ import annotations

import os

import pytest

from doctor import fixes
from doctor.model import Result, Status
from tests.conftest import write_project

FOUND = {"x": Result(Status.FAIL, "m", code="dotenv-not-ignored", facts={"codes": ["dotenv-not-ignored"]})}


def test_gitignore_fix_previews_applies_backs_up_and_is_idempotent(tmp_path):
    project = write_project(tmp_path, gitignore="__pycache__/")
    [plan] = fixes.plans_for(project, FOUND, {})
    assert "+.env" in plan.diff() and "__pycache__/" in plan.diff()
    backup = fixes.apply(plan)
    assert (project / ".gitignore").read_text() == "__pycache__/\n.env\n"
    assert backup.read_text() == "__pycache__/"
    assert fixes.plans_for(project, FOUND, {}) == []


def test_gitignore_is_created_when_missing(tmp_path):
    [plan] = fixes.plans_for(tmp_path, FOUND, {})
    assert fixes.apply(plan) is None
    assert (tmp_path / ".gitignore").read_text() == ".env\n"
    assert (tmp_path / ".gitignore").stat().st_mode & 0o777 == 0o644  # not the temporary file's 0600


def test_a_file_changed_after_the_preview_is_not_overwritten(tmp_path):
    project = write_project(tmp_path, gitignore="a\n")
    [plan] = fixes.plans_for(project, FOUND, {})
    (project / ".gitignore").write_text("edited meanwhile\n")
    with pytest.raises(fixes.StaleFix):
        fixes.apply(plan)
    assert (project / ".gitignore").read_text() == "edited meanwhile\n"


def test_an_interrupted_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    project = write_project(tmp_path, gitignore="keep me\n")
    [plan] = fixes.plans_for(project, FOUND, {})

    def power_cut(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(KeyboardInterrupt):
        fixes.apply(plan)
    assert (project / ".gitignore").read_text() == "keep me\n"
    assert sorted(p.name for p in project.iterdir()) == [".gitignore", ".gitignore.llm-doctor.bak"]


def test_pins_replace_the_guides_packages_and_keep_the_rest(tmp_path):
    project = write_project(tmp_path, requirements="# mine\nopenai>=1.40\nrich==13.0.0\nhttpx\n")
    found = {"p": Result(Status.WARN, "m", code="package-unpinned")}
    [plan] = fixes.plans_for(project, found, {"openai": "1.99.0", "httpx": "0.28.1", "python-dotenv": "1.2.4"})
    fixes.apply(plan)
    assert (project / "requirements.txt").read_text() == (
        "# mine\nopenai==1.99.0\nrich==13.0.0\nhttpx==0.28.1\npython-dotenv==1.2.4\n")
    assert fixes.plans_for(project, found, {"openai": "1.99.0", "httpx": "0.28.1", "python-dotenv": "1.2.4"}) == []


def test_dotenv_from_example_is_private(tmp_path):
    project = write_project(tmp_path)
    (project / ".env.example").write_text("OPENAI_API_KEY=sk-your-real-key-goes-here\n")
    found = {"d": Result(Status.FAIL, "m", code="dotenv-missing")}
    [plan] = fixes.plans_for(project, found, {})
    fixes.apply(plan)
    assert (project / ".env").read_text() == "OPENAI_API_KEY=sk-your-real-key-goes-here\n"
    assert (project / ".env").stat().st_mode & 0o077 == 0
    assert fixes.plans_for(project, found, {}) == []
