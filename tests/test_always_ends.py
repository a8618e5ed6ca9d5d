"""A run always ends, within the timeout plus a few seconds, and leaves no process behind."""

from __future__ import annotations

import sys
import time
import uuid

import pytest

from tests.conftest import base_environ, doctor_cli, processes_with, write_project

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="reads /proc")


@posix_only
@pytest.mark.parametrize("command", [["check"], ["check", "--format", "json"], ["report"]])
@pytest.mark.parametrize("env", ["", "OPENAI_API_KEY=sk-your-real-key-goes-here\n"], ids=["no-key", "placeholder"])
def test_a_live_run_whose_key_check_fails_ends_at_once(tmp_path, command, env):
    project = write_project(tmp_path / "p", env=env or None)
    token = uuid.uuid4().hex
    start = time.monotonic()
    done = doctor_cli(*command, "--project", str(project), "--python", sys.executable,
                      env=base_environ(LLM_DOCTOR_TEST_TOKEN=token))
    took = time.monotonic() - start
    assert done.returncode == 1, done.stderr
    assert took < 15, f"took {took:.1f} s"
    assert processes_with(token) == []
