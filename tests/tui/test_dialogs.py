"""Dialogs answer alike: y yes; Enter, n and Esc the safe no; their keys written on screen."""

from __future__ import annotations

import asyncio

import pytest

from doctor.model import Status
from doctor.tui.screens.consent import Consent
from doctor.tui.screens.fix_preview import FixPreview
from doctor.tui.screens.help import KEYS, HelpScreen, help_text
from tests.conftest import git, write_project
from tests.tui.helpers import app_for, fake, settle, text_of


def dialog_text(app) -> str:
    from textual.widgets import Button, Static

    return " ".join(str(w.render()) for w in app.screen.query(Static)) + " ".join(
        str(b.label) for b in app.screen.query(Button))


@pytest.mark.parametrize("key", ["enter", "n", "escape"])
def test_the_consent_dialogs_safe_answer_is_enter_n_or_esc_and_it_stays_offline(tmp_path, key):
    async def go():
        app = app_for(tmp_path, [fake("local"), fake("remote", live=True, group="Connection")], ask=True)
        async with app.run_test() as pilot:
            await pilot.pause()
            assert isinstance(app.screen, Consent)
            shown = dialog_text(app)
            assert "Press y to run them" in shown and "Enter, n or Esc" in shown and "[y]" in shown and "[n]" in shown
            await pilot.press(key)
            await settle(pilot)
            assert app.session.offline and app.session.results["remote"].status is Status.SKIP

    asyncio.run(go())


def test_y_runs_the_live_checks(tmp_path):
    async def go():
        app = app_for(tmp_path, [fake("remote", live=True, group="Connection")], ask=True)
        async with app.run_test() as pilot:
            await pilot.pause()
            await pilot.press("y")
            await settle(pilot)
            assert not app.session.offline and app.session.results["remote"].status is Status.PASS

    asyncio.run(go())


def test_the_offline_checks_run_while_the_consent_dialog_waits(tmp_path):
    calls: list[str] = []
    checks = [fake("local", calls=calls), fake("other", Status.FAIL, calls=calls),
              fake("remote", live=True, group="Connection", needs=("local",), calls=calls)]

    async def go():
        app = app_for(tmp_path, checks, ask=True)
        async with app.run_test() as pilot:
            await settle(pilot)
            assert isinstance(app.screen, Consent)  # still asking
            assert sorted(calls) == ["local", "other"] and set(app.session.results) == {"local", "other"}
            await pilot.press("y")
            await settle(pilot)
            assert calls[-1] == "remote" and app.session.results["remote"].status is Status.PASS

    asyncio.run(go())


def test_answering_before_the_offline_checks_end_runs_the_live_ones_after_them(tmp_path):
    calls: list[str] = []
    checks = [fake("slow", delay=0.5, calls=calls), fake("remote", live=True, group="Connection", calls=calls)]

    async def go():
        app = app_for(tmp_path, checks, ask=True)
        async with app.run_test() as pilot:
            await pilot.pause(0.1)
            await pilot.press("y")
            for _ in range(20):
                await settle(pilot)
                if not app.in_progress:
                    break
            assert calls == ["slow", "remote"] and len(app.session.results) == 2

    asyncio.run(go())


@pytest.mark.parametrize("key", ["enter", "n", "escape"])
def test_the_fix_dialog_writes_nothing_on_enter_n_or_esc_and_says_y_applies(tmp_path, key):
    from checks.dotenv_git import dotenv_gitignored

    project = write_project(tmp_path / "p", env="OPENAI_API_KEY=x\n", gitignore="__pycache__/\n")
    git(project, "init", "-q")

    async def go():
        app = app_for(project, [dotenv_gitignored])
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("f")
            await pilot.pause()
            assert isinstance(app.screen, FixPreview)
            shown = dialog_text(app)
            assert "Press y to apply the fix" in shown and "Enter, n or Esc: cancel" in shown
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, FixPreview)
            assert "Nothing was changed" in text_of(app, "#message")
        assert (project / ".gitignore").read_text() == "__pycache__/\n"

    asyncio.run(go())


def test_the_help_lists_every_key_and_says_how_to_close_it(tmp_path):
    from doctor.tui.app import DoctorApp

    listed = {key for keys, _ in KEYS for key in keys.split(", ")}
    assert {b.key.replace("question_mark", "?") for b in DoctorApp.BINDINGS} | {"Tab", "Esc", "ctrl+p", "ctrl+q"} \
        <= listed
    for words in ("shift+Tab", "PgDn", "as Enter and n do", "130"):
        assert words in str(help_text()), words

    async def go():
        app = app_for(tmp_path, [fake("a")])
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen) and "Esc, Enter or ? closes this help" in dialog_text(app)
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpScreen)

    asyncio.run(go())
