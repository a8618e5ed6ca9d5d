"""The safe fixes: preview, atomic apply, backup, idempotence, and nothing lost on failure."""

from __future__ import annotations

import os

import pytest

from doctor import fixes
from doctor.model import Result, Status
from tests.conftest import write_project

FOUND = {"x": Result(Status.FAIL, "m", code="dotenv-not-ignored", facts={"codes": ["dotenv-not-ignored"]})}


@pytest.fixture(autouse=True)
def home(tmp_path_factory, monkeypatch):
    """Backups of a project that is not a git repository go under $HOME/.cache: keep them in a test folder."""
    folder = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    return folder


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
    assert sorted(p.name for p in project.iterdir()) == [".gitignore"]  # no temporary file left


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


PINS = {"p": Result(Status.WARN, "m", code="package-unpinned")}
VERSIONS = {"openai": "1.99.0", "httpx": "0.28.1", "python-dotenv": "1.2.4"}


def test_pins_keep_extras_markers_comments_and_crlf(tmp_path):
    before = ('openai[datalib]>=1.40 ; python_version >= "3.8"  # the SDK\r\n'
              "httpx  # transport\r\n-e .\r\npython-dotenv==1.0.0\r\n")
    project = write_project(tmp_path)
    (project / "requirements.txt").write_bytes(before.encode())
    [plan] = fixes.plans_for(project, PINS, VERSIONS)
    fixes.apply(plan)
    assert (project / "requirements.txt").read_bytes().decode() == (
        'openai[datalib]==1.99.0 ; python_version >= "3.8"  # the SDK\r\n'
        "httpx==0.28.1  # transport\r\n-e .\r\npython-dotenv==1.2.4\r\n")


@pytest.mark.parametrize("text,extra", [
    ("openai==1.40.0 --hash=sha256:" + "a" * 64 + "\n", {}),
    ("openai>=1.40; python_version < '3.12'\nopenai>=1.50; python_version >= '3.12'\nhttpx==0.28.1\n"
     "python-dotenv==1.2.4\n", {}),
    ("openai>=1.40\n", {"uv.lock": "version = 1\n"}),
    ("openai>=1.40\n", {"poetry.lock": ""}),
])
def test_no_pins_edit_where_only_the_projects_tool_can_do_it_right(tmp_path, text, extra):
    project = write_project(tmp_path, requirements=text)
    for name, content in extra.items():
        (project / name).write_text(content)
    assert fixes.plans_for(project, PINS, VERSIONS) == []
    assert (project / "requirements.txt").read_text() == text


def test_pins_with_includes_edit_lines_but_add_none(tmp_path):
    project = write_project(tmp_path, requirements="-r base.txt\nopenai>=1.40\n")
    [plan] = fixes.plans_for(project, PINS, VERSIONS)
    assert plan.after == "-r base.txt\nopenai==1.99.0\n"


def test_an_example_that_links_out_of_the_project_is_never_copied(tmp_path):
    secret = tmp_path / "id_rsa"
    secret.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    project = write_project(tmp_path / "p")
    (project / ".env.example").symlink_to(secret)
    assert fixes.plans_for(project, {"d": Result(Status.FAIL, "m", code="dotenv-missing")}, {}) == []
    assert not (project / ".env").exists()


@pytest.mark.parametrize("content", [b"\xff\xfeO\x00P\x00", b"OPENAI_API_KEY=\xe9\n"])
def test_an_example_that_is_not_utf8_gets_no_plan(tmp_path, content):
    project = write_project(tmp_path)
    (project / ".env.example").write_bytes(content)
    assert fixes.plans_for(project, {"d": Result(Status.FAIL, "m", code="dotenv-missing")}, {}) == []


def test_a_gitignore_that_is_a_directory_gets_no_plan(tmp_path):
    project = write_project(tmp_path)
    (project / ".gitignore").mkdir()
    assert fixes.plans_for(project, FOUND, {}) == []


def test_a_symlinked_gitignore_stays_a_symlink(tmp_path):
    project = write_project(tmp_path)
    (project / "shared").mkdir()
    (project / "shared" / "ignore").write_text("build/\n")
    (project / ".gitignore").symlink_to("shared/ignore")
    [plan] = fixes.plans_for(project, FOUND, {})
    fixes.apply(plan)
    assert (project / ".gitignore").is_symlink()
    assert (project / "shared" / "ignore").read_text() == "build/\n.env\n"


def test_a_gitignore_linking_out_of_the_project_gets_no_plan(tmp_path):
    outside = tmp_path / "global-ignore"
    outside.write_text("*.log\n")
    project = write_project(tmp_path / "p")
    (project / ".gitignore").symlink_to(outside)
    assert fixes.plans_for(project, FOUND, {}) == []
    assert outside.read_text() == "*.log\n"


def test_a_full_disk_leaves_the_old_file_and_no_truncated_backup(tmp_path, monkeypatch, home):
    import errno

    project = write_project(tmp_path, gitignore="keep me\n")
    [plan] = fixes.plans_for(project, FOUND, {})
    real_fsync = os.fsync

    def full(descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError):
        fixes.apply(plan)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert (project / ".gitignore").read_text() == "keep me\n"
    assert [p for p in home.rglob("*") if p.is_file()] == []
    assert sorted(p.name for p in project.iterdir()) == [".gitignore"]


def test_a_project_another_tool_manages_never_gets_a_requirements_file(tmp_path):
    project = write_project(tmp_path)
    missing = {"p": Result(Status.WARN, "m", code="requirements-missing")}
    assert fixes.plans_for(project, missing, VERSIONS, tool="poetry") == []
    assert fixes.plans_for(project, missing, VERSIONS, tool="uv") == []
    assert not (project / "requirements.txt").exists()
    [plan] = fixes.plans_for(project, missing, VERSIONS, tool="pip")
    assert plan.path.name == "requirements.txt"
