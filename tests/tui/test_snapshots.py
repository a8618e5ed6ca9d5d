"""Snapshot tests pin the main screens at 80x24, in a dark and a light theme, and at 60x20.

Update them on purpose with `python -m pytest tests/tui --snapshot-update`, then look
at the SVGs in tests/tui/__snapshots__ before committing.
"""

from __future__ import annotations

import time

import pytest

from checks import guide
from doctor.model import Status
from tests.conftest import write_project
from tests.tui.helpers import app_for, fake, settle

CHECKS = [
    fake("python", group="Environment"),
    fake("venv", Status.WARN, group="Environment"),
    fake("dotenv", Status.FAIL, group="Secrets"),
    fake("key", group="Secrets", needs=("dotenv",)),
    fake("auth", group="Connection", live=True),
]


class StoppedClock:
    """The runner's clock, stopped: every check takes 0 ms, so a loaded machine, where a fake check
    may take 100 ms and show "0.1s", draws the same screen as an idle one."""

    def __getattr__(self, name: str):
        return getattr(time, name)

    @staticmethod
    def perf_counter() -> float:
        return 0.0


@pytest.fixture
def app(tmp_path, monkeypatch):
    from doctor import runner

    monkeypatch.setattr(runner, "time", StoppedClock())
    monkeypatch.setattr(guide, "_REPOSITORY", tmp_path / "elsewhere")  # docs paths as in the repository
    return app_for(write_project(tmp_path / "chatbot"), CHECKS)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
def test_main_screen(app, snap_compare, theme):
    app.theme = theme
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_main_screen_at_60x20(app, snap_compare):
    assert snap_compare(app, terminal_size=(60, 20), run_before=settle)


def test_help_screen(app, snap_compare):
    async def open_help(pilot):
        await settle(pilot)
        await pilot.press("question_mark")

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_help)
