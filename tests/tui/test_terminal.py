"""The real `llm-doctor` in a real terminal (tmux): what a person sees, keys, exit code and clipboard."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import sys
import time
from typing import Iterator

import pytest

from tests.conftest import CANARY_KEY, base_environ, git, write_project

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


@contextlib.contextmanager
def terminal(arguments: str, size: tuple[int, int] = (80, 24), **env: str) -> Iterator[str]:
    """`python -m doctor ARGUMENTS` in a tmux pane of `size`; yields the socket. EXIT=<code> shows at the end.

    `env` is set in the pane's command: tmux sets TERM in a pane whatever its own environment says.
    """
    socket = f"llm-doctor-test-{os.getpid()}-{time.monotonic_ns()}"
    environ = base_environ(VIRTUAL_ENV=sys.prefix, TERM="xterm-256color")
    settings = " ".join(f"{name}={shlex.quote(value)}" for name, value in env.items())
    command = f"env {settings} {sys.executable} -m doctor {arguments}; echo EXIT=$?; sleep 30"
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-s", "doctor", "-x", str(size[0]), "-y", str(size[1]),
                    command], env=environ, check=True)
    try:
        yield socket
    finally:
        _tmux(socket, "kill-server")


def _keys(socket: str, *keys: str) -> None:
    for key in keys:
        _tmux(socket, "send-keys", "-t", "doctor", key)
        time.sleep(0.3)


def test_demo_in_a_terminal_shows_the_tui_and_quits_with_q():
    with terminal("demo") as socket:
        screen = _wait_for(socket, "Your first call works")
        assert "Checks" in screen and "Sample call" in screen and "r Re-run" in screen
        assert "Hello there" in screen
        _keys(socket, "?")
        assert "llm-doctor help" in _wait_for(socket, "llm-doctor help")
        _keys(socket, "Escape", "q")
        assert "EXIT=0" in _wait_for(socket, "EXIT=")


@pytest.mark.parametrize("key", ["q", "C-c"])
def test_quitting_while_a_live_check_waits_for_its_answer_exits_130_not_0_and_says_what_did_not_finish(key):
    """The issue's case: q (or Ctrl+C, as in any terminal program) 2.5 s into `demo bad-key --latency 3`,
    while the key check waits for its 401."""
    with terminal("demo bad-key --latency 3") as socket:
        _wait_for(socket, "✓ Key and base URL format")
        assert "API key accepted" in _wait_for(socket, "running")
        _keys(socket, key)
        _wait_for(socket, "EXIT=")
        screen = _tmux(socket, "capture-pane", "-p", "-J", "-S", "-", "-t", "doctor")  # with what scrolled away
        assert "EXIT=130" in screen and "ctrl+q" not in screen and "Traceback" not in screen, screen
        said = [line for line in screen.splitlines() if "llm-doctor: quit before" in line]
        assert len(said) == 1 and " of 16 checks finished" in said[0], screen


def test_at_60x20_titles_are_whole_the_keys_stay_and_tab_reaches_the_fix():
    with terminal("demo bad-key", size=(60, 20)) as socket:
        screen = _wait_for(socket, "done")
        keys = screen.rstrip().splitlines()[-1]
        assert "? Help" in keys and "^p palette" in keys and "q Quit" in keys
        assert "…" not in screen and "Details" in screen
        _keys(socket, "Tab", "End")
        assert "Guide:" in _wait_for(socket, "Why this matters")


def test_c_and_l_inside_tmux_copy_into_tmuxs_buffer_and_say_so(tmp_path):
    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\n", gitignore="__pycache__/\n")
    git(project, "init", "-q")
    with terminal(f"--offline --only dotenv-gitignored --project {project}", size=(100, 30)) as socket:
        _wait_for(socket, "done")
        _keys(socket, "c")
        assert "to tmux's paste buffer" in _wait_for(socket, "Copied")
        assert ".gitignore" in _tmux(socket, "show-buffer") and "printf" in _tmux(socket, "show-buffer")
        _keys(socket, "l")
        assert "Copied .gitignore to tmux's paste buffer." in _wait_for(socket, "Copied .gitignore")
        assert _tmux(socket, "show-buffer") == ".gitignore"
        assert CANARY_KEY[12:-6] not in _tmux(socket, "capture-pane", "-p", "-t", "doctor")


@pytest.mark.parametrize("term,size", [("dumb", (80, 24)), ("xterm-256color", (59, 20)), ("xterm-256color", (80, 19))])
def test_a_terminal_that_cannot_draw_the_app_gets_the_text_report(tmp_path, term, size):
    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\n")
    with terminal(f"--offline --project {project}", size=size, TERM=term) as socket:
        screen = _wait_for(socket, "EXIT=")
        assert "╭─ Checks" not in screen and ("EXIT=1" in screen or "EXIT=0" in screen), screen
        assert "Found" in screen or "No problems" in screen, screen
        everything = _tmux(socket, "capture-pane", "-p", "-J", "-S", "-", "-t", "doctor")  # with what scrolled away
        too_small = f"the terminal is {size[0]}x{size[1]}; the app needs at least 60x20"
        assert (too_small in everything) == (term != "dumb"), everything
