"""The real `llm-doctor demo` in a real terminal (tmux): what a person sees, keys and all."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from tests.conftest import base_environ

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _tmux(socket: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, check=False).stdout


def _wait_for(socket: str, text: str, seconds: float = 40) -> str:
    deadline = time.monotonic() + seconds
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux(socket, "capture-pane", "-p", "-t", "doctor")
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")


def test_demo_in_a_terminal_shows_the_tui_and_quits_with_q():
    socket = f"llm-doctor-test-{os.getpid()}"
    env = base_environ(VIRTUAL_ENV=sys.prefix, TERM="xterm-256color")
    command = f"{sys.executable} -m doctor demo; echo EXIT=$?; sleep 30"
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-s", "doctor", "-x", "80", "-y", "24", command],
                   env=env, check=True)
    try:
        screen = _wait_for(socket, "Your first call works")
        assert "Checks" in screen and "Sample call" in screen and "r Re-run" in screen
        assert "Hello there" in screen
        _tmux(socket, "send-keys", "-t", "doctor", "?")
        assert "llm-doctor help" in _wait_for(socket, "llm-doctor help")
        _tmux(socket, "send-keys", "-t", "doctor", "Escape")
        time.sleep(0.3)
        _tmux(socket, "send-keys", "-t", "doctor", "q")
        assert "EXIT=0" in _wait_for(socket, "EXIT=")
    finally:
        _tmux(socket, "kill-server")
