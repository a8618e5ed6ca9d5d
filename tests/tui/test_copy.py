"""Copying says "copied" only when a program took the text; otherwise it shows the text to select.

Fake clipboard programs on PATH stand for tmux, xclip and the rest: each keeps what it was given.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from doctor.model import Status
from doctor.tui.screens.copy_text import CopyText
from tests.tui.helpers import app_for, fake, settle, text_of


def fake_program(folder: Path, name: str, *, fails_with: str | None = None) -> Path:
    """A program that keeps its stdin in `folder/name.got` and its arguments in `folder/name.args`."""
    folder.mkdir(exist_ok=True)
    script = folder / name
    refuse = f'case "$*" in *{fails_with}*) exit 1;; esac\n' if fails_with else ""
    script.write_text(f'#!/bin/sh\n{refuse}echo "$*" >> "$0.args"\ncat > "$0.got"\n')
    script.chmod(0o755)
    return script


def press_c(tmp_path, **env: str):
    """Presses c on a failed check whose fix has one command; returns the message, the dialog's text (None when
    there is no dialog) and the text sent with OSC 52."""
    async def go():
        app = app_for(tmp_path / "p", [fake("bad", Status.FAIL)], **env)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("c")
            await pilot.pause(0.3)
            dialog = " ".join(str(w.render()) for w in app.screen.query("Static")) \
                if isinstance(app.screen, CopyText) else None
            return text_of(app, "#message") if app.query_one("#message").display else "", dialog, app.clipboard

    (tmp_path / "p").mkdir()
    return asyncio.run(go())


def path_with(folder: Path) -> str:
    return f"{folder}{os.pathsep}{os.environ['PATH']}"


def test_inside_tmux_the_text_goes_to_tmuxs_buffer(tmp_path):
    tmux = fake_program(tmp_path / "bin", "tmux")
    message, dialog, _ = press_c(tmp_path, TMUX="/tmp/tmux-0/default,1,0", PATH=path_with(tmp_path / "bin"))
    assert message == "Copied the command to tmux's paste buffer." and dialog is None
    assert Path(f"{tmux}.got").read_text() == "repair bad" and Path(f"{tmux}.args").read_text() == "load-buffer -w -\n"


def test_a_tmux_without_load_buffer_w_is_asked_without_it(tmp_path):
    tmux = fake_program(tmp_path / "bin", "tmux", fails_with="-w")
    message, _, _ = press_c(tmp_path, TMUX="/tmp/tmux-0/default,1,0", PATH=path_with(tmp_path / "bin"))
    assert message.startswith("Copied") and Path(f"{tmux}.got").read_text() == "repair bad"


def test_on_this_machine_the_clipboard_tool_copies(tmp_path):
    xclip = fake_program(tmp_path / "bin", "xclip")
    message, dialog, _ = press_c(tmp_path, DISPLAY=":0", PATH=path_with(tmp_path / "bin"))
    assert message == "Copied the command to the clipboard." and dialog is None
    assert Path(f"{xclip}.got").read_text() == "repair bad"


@pytest.mark.parametrize("env", [
    {"SSH_TTY": "/dev/pts/3", "DISPLAY": ":0"},  # over SSH, this machine's clipboard is the wrong one
    {"SSH_CONNECTION": "10.0.0.1 50000 10.0.0.2 22", "DISPLAY": ":0"},
    {},  # no clipboard program
    {"DISPLAY": ":0", "FAILS": "1"},  # a program that refuses
])
def test_without_a_confirmed_copy_it_says_so_and_shows_the_text_to_select(tmp_path, env):
    xclip = fake_program(tmp_path / "bin", "xclip", fails_with="clipboard" if env.pop("FAILS", None) else None)
    message, dialog, osc52 = press_c(tmp_path, PATH=path_with(tmp_path / "bin"), **env)
    assert "Copied" not in message and dialog is not None
    assert "Could not confirm the copy" in dialog and "repair bad" in dialog and "Esc or Enter closes" in dialog
    assert osc52 == "repair bad"  # the terminal was still asked, with OSC 52
    if "SSH_TTY" in env or "SSH_CONNECTION" in env:
        assert not Path(f"{xclip}.got").exists()


def test_nothing_to_copy_is_said_plainly(tmp_path):
    async def go():
        app = app_for(tmp_path, [fake("ok")])
        async with app.run_test() as pilot:
            await settle(pilot)
            await pilot.press("c")
            await pilot.press("l")
            await pilot.pause()
            return text_of(app, "#message")

    assert asyncio.run(go()) == "The selected check has no finding with a file and line to copy."


def test_the_screenshot_is_saved_in_the_current_folder_and_the_message_gives_its_full_path(tmp_path, monkeypatch):
    folder = tmp_path / "here"
    folder.mkdir()
    monkeypatch.chdir(folder)

    async def go():
        app = app_for(tmp_path, [fake("a")])
        async with app.run_test() as pilot:
            await settle(pilot)
            commands = {c.title: c for c in app.get_system_commands(app.screen)}
            assert "Screenshot" not in commands  # Textual's, which saves to a Downloads folder that may not exist
            commands["Save a screenshot"].callback()
            await pilot.pause(0.4)
            return text_of(app, "#message")

    message = asyncio.run(go())
    [saved] = folder.glob("*.svg")
    assert message == f"Saved a screenshot: {saved}" and saved.read_text().startswith("<svg")


def test_the_palette_copies_too(tmp_path):
    xclip = fake_program(tmp_path / "bin", "xclip")

    async def go():
        app = app_for(tmp_path, [fake("bad", Status.FAIL)], DISPLAY=":0", PATH=path_with(tmp_path / "bin"))
        async with app.run_test() as pilot:
            await settle(pilot)
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"Copy the commands", "enter")
            await pilot.pause(0.4)
            return text_of(app, "#message")

    assert asyncio.run(go()) == "Copied the command to the clipboard."
    assert Path(f"{xclip}.got").read_text() == "repair bad"
