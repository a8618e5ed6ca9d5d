"""git waits no longer than the run's --timeout: a FIFO where git reads `.gitignore` blocks it."""

from __future__ import annotations

import json
import os
import sys
import time

import pytest

from doctor.git import GIT_TIMEOUT
from tests.conftest import CANARY_KEY, doctor_cli, git, write_project


@pytest.mark.skipif(sys.platform == "win32", reason="mkfifo")
def test_a_fifo_gitignore_holds_git_no_longer_than_the_timeout(tmp_path):
    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\n", requirements="openai\n")
    git(project, "init", "-q")
    os.mkfifo(project / ".gitignore")
    start = time.monotonic()
    done = doctor_cli("check", "--offline", "--timeout", "2", "--only", "dotenv-gitignored", "--format", "json",
                      "--project", str(project))
    took = time.monotonic() - start
    assert took < GIT_TIMEOUT - 3, took  # git's own deadline was 10 s whatever --timeout said
    report = json.loads(done.stdout)
    assert report["checks"][0]["status"] != "pass", report["checks"][0]  # nothing was read: never "all good"
