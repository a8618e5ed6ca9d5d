"""The offline run's git processes: no more than the answers need (each one costs a fork of the
doctor and a wait on the run's critical path)."""

from __future__ import annotations

from checks.dotenv_git import dotenv_gitignored
from doctor.model import Status
from tests.conftest import CANARY_KEY, git, make_ctx, run_check, write_project
from tests.gitspy import git_calls  # noqa: F401 - a fixture


def test_a_env_in_the_project_folder_is_not_asked_again_whether_it_is_in_the_work_tree(tmp_path, git_calls):
    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\n", gitignore=".env\n")
    git(project, "init", "-q")
    result = run_check(dotenv_gitignored, make_ctx(project))
    assert result.status == Status.PASS
    assert [call[0] for call in git_calls].count("rev-parse") == 1  # --show-toplevel answered both


def test_a_env_above_the_repository_is_still_asked_about(tmp_path, git_calls):
    write_project(tmp_path, env=f"OPENAI_API_KEY={CANARY_KEY}\n")  # load_dotenv() walks up to it
    project = tmp_path / "repo" / "app"
    project.mkdir(parents=True)
    git(tmp_path / "repo", "init", "-q")
    (tmp_path / "repo" / ".gitignore").write_text("")
    result = run_check(dotenv_gitignored, make_ctx(project))
    assert ["rev-parse", "--is-inside-work-tree"] in git_calls
    assert result.status == Status.PASS, result  # git cannot commit a file outside its work tree


def test_the_history_is_read_while_the_files_are_searched(tmp_path, git_calls, monkeypatch):
    import importlib
    import time

    from checks.secrets_in_files import secrets_in_files

    module = importlib.import_module("checks.secrets_in_files")  # the package's name for it is the check

    project = write_project(tmp_path / "p", gitignore=".env\n")
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "-c", "user.email=d@example.com", "-c", "user.name=d", "commit", "-qm", "start")
    real_scan = module.scan_files
    during: list[bool] = []

    def slow_scan(*args):  # noqa: ANN002, ANN202
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(call[:1] == ["rev-list"] for call in git_calls):
            time.sleep(0.01)
        during.append(any(call[:1] == ["rev-list"] for call in git_calls))
        return real_scan(*args)
    monkeypatch.setattr(module, "scan_files", slow_scan)
    result = run_check(secrets_in_files, make_ctx(project))
    assert result.status == Status.PASS and during == [True]
