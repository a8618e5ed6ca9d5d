"""Quitting exits with `llm-doctor check`'s code for the results so far; a check still running did not pass."""

from __future__ import annotations

import asyncio

import pytest

from doctor.model import Status
from tests.tui.helpers import app_for, fake, settle


def quit_after(tmp_path, checks, seconds: float | None) -> int:
    """Presses q `seconds` into the run, or once it has ended (None); returns the exit code."""
    async def go():
        app = app_for(tmp_path, checks)
        async with app.run_test() as pilot:
            if seconds is None:
                await settle(pilot)
            else:
                await pilot.pause(seconds)
            await pilot.press("q")
        return app.return_value

    return asyncio.run(go())


@pytest.mark.parametrize("checks,code", [
    ([fake("ok"), fake("meh", Status.WARN)], 0),
    ([fake("ok"), fake("bad", Status.FAIL)], 1),
    ([fake("ok"), fake("broke", Status.ERROR)], 3),
])
def test_quitting_after_the_run_gives_checks_code(tmp_path, checks, code):
    assert quit_after(tmp_path, checks, None) == code


def test_quitting_while_a_check_runs_and_nothing_failed_yet_is_interrupted_not_healthy(tmp_path):
    assert quit_after(tmp_path, [fake("ok"), fake("auth", Status.FAIL, delay=3)], 0.4) == 130


def test_quitting_while_a_check_runs_after_a_failure_gives_1(tmp_path):
    assert quit_after(tmp_path, [fake("bad", Status.FAIL), fake("slow", delay=3)], 0.4) == 1


def test_quitting_while_a_check_runs_after_a_crash_gives_3(tmp_path):
    assert quit_after(tmp_path, [fake("broke", Status.ERROR), fake("slow", delay=3)], 0.4) == 3
