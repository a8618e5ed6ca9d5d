"""The history scan remembers the commits it found clean, and nothing else, between runs."""

from __future__ import annotations

import random
import string

import pytest

from checks.secrets_in_files import secrets_in_files
from doctor.model import Status
from tests.conftest import base_environ, git, leaks, make_ctx, run_check, write_project
from tests.gitspy import git_calls  # noqa: F401 - a fixture

_RANDOM = random.Random(20261207)
KEY = "sk-proj-" + "".join(_RANDOM.choice(string.ascii_letters + string.digits) for _ in range(120))


def history_scans(calls: list[list[str]]) -> list[list[str]]:
    return [call for call in calls if call[:1] == ["log"] and any(a.startswith("-G") for a in call)]


def repository(root, commits: int):
    project = write_project(root, gitignore=".env\n")
    git(project, "init", "-q")
    for number in range(commits):
        (project / "notes.md").write_text(f"step {number}\n")
        git(project, "add", ".")
        git(project, "-c", "user.email=d@example.com", "-c", "user.name=d", "commit", "-qm", f"step {number}")
    return project


def scan(project, cache, calls):
    calls.clear()
    ctx = make_ctx(project, environ=base_environ(XDG_CACHE_HOME=str(cache)))
    return run_check(secrets_in_files, ctx)


def test_a_second_run_asks_git_only_about_new_commits(tmp_path, git_calls):
    project, cache = repository(tmp_path / "p", 3), tmp_path / "cache"
    first = scan(project, cache, git_calls)
    assert first.status == Status.PASS and "all 3 commits" in " ".join(first.details)
    assert len(history_scans(git_calls)) == 1

    again = scan(project, cache, git_calls)
    assert again.status == Status.PASS and "all 3 commits" in " ".join(again.details)
    assert history_scans(git_calls) == []  # every commit was remembered clean: no log pass at all

    (project / "notes.md").write_text("step 3\n")
    git(project, "-c", "user.email=d@example.com", "-c", "user.name=d", "commit", "-qam", "step 3")
    scan(project, cache, git_calls)
    [asked] = history_scans(git_calls)
    assert asked  # one pass, for the new commit only (its id went to git's stdin)


def test_a_key_in_history_is_reported_on_every_run_and_never_stored(tmp_path, git_calls):
    project, cache = repository(tmp_path / "p", 2), tmp_path / "cache"
    (project / "ask.py").write_text(f'KEY = "{KEY}"\n')
    git(project, "add", "ask.py")
    git(project, "-c", "user.email=d@example.com", "-c", "user.name=d", "commit", "-qm", "oops")
    (project / "ask.py").write_text("import os\nKEY = os.environ['OPENAI_API_KEY']\n")
    git(project, "-c", "user.email=d@example.com", "-c", "user.name=d", "commit", "-qam", "fix")
    for _ in range(2):
        result = scan(project, cache, git_calls)
        assert result.status == Status.FAIL and [f.code for f in result.findings] == ["key-in-history"]
    stored = "".join(path.read_text() for path in cache.rglob("*.json"))
    assert leaks(stored, KEY) == [] and KEY[:12] not in stored
    oops = doctor_commit(project, "oops")
    assert oops not in stored and len(stored.split('"')) > 4  # the clean commits are there, the leaking one is not


def doctor_commit(project, message: str) -> str:
    import subprocess

    return subprocess.run(["git", "log", "--format=%H", f"--grep={message}"], cwd=project, capture_output=True,
                          text=True, check=True).stdout.strip()


@pytest.mark.parametrize("damage", ["not json", '{"clean": "a string"}', '["a list"]', "\x00\xff"])
def test_a_damaged_cache_means_a_full_scan(tmp_path, git_calls, damage):
    project, cache = repository(tmp_path / "p", 2), tmp_path / "cache"
    scan(project, cache, git_calls)
    for path in cache.rglob("*.json"):
        path.write_text(damage, encoding="utf-8", errors="surrogateescape")
    result = scan(project, cache, git_calls)
    assert result.status == Status.PASS and len(history_scans(git_calls)) == 1


def test_a_cache_folder_that_cannot_be_written_changes_nothing(tmp_path, git_calls):
    project = repository(tmp_path / "p", 2)
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    for _ in range(2):
        result = scan(project, blocked, git_calls)
        assert result.status == Status.PASS and len(history_scans(git_calls)) == 1
    assert blocked.read_text() == ""


def test_a_key_added_by_a_merge_is_found_on_every_run_while_the_clean_commits_are_remembered(tmp_path, git_calls):
    """The bounded scan over every branch and merge (issue 20) and the cache (issue 17) together: the merge
    that added the key is never remembered clean, and the details say what earlier runs found clean."""
    project, cache = repository(tmp_path / "p", 4), tmp_path / "cache"
    who = ("-c", "user.email=d@example.com", "-c", "user.name=d")
    git(project, "checkout", "-q", "-b", "side")
    (project / "side.md").write_text("side\n")
    git(project, "add", ".")
    git(project, *who, "commit", "-qm", "side")
    git(project, "checkout", "-q", "-")
    git(project, *who, "merge", "-q", "--no-ff", "--no-commit", "side")
    (project / "config.py").write_text(f'KEY = "{KEY}"\n')
    git(project, "add", ".")
    git(project, *who, "commit", "-qm", "merge with a key")
    git(project, "rm", "-q", "config.py")
    git(project, *who, "commit", "-qm", "removed")
    first, second = scan(project, cache, git_calls), scan(project, cache, git_calls)
    for result in (first, second):
        assert [f.code for f in result.problems] == ["key-in-history"], result.details
    history = next(d for d in second.details if d.startswith("history:"))
    assert "5 found clean by earlier runs" in history and "searched all 7 commits" in history, history
    stored = "".join(p.read_text() for p in (cache / "llm-doctor" / "history").glob("*.json"))
    assert KEY[8:20] not in stored and len(stored) > 0
