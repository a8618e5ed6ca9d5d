"""Sessions and fake checks for driving the TUI with Pilot."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Sequence

from doctor.model import Check, Finding, Fix, Result, Status, check, from_findings
from doctor.session import Session
from doctor.settings import Flags, ProjectConfig
from doctor.tui.app import DoctorApp
from tests.conftest import base_environ


def fake(id: str, status: Status = Status.PASS, *, group: str = "Environment", needs=(), live=False,
         delay: float = 0.0, calls: list | None = None) -> Check:
    @check(id, title=f"Fake {id}", group=group, codes=(f"{id}-code",), needs=needs, live=live)
    async def fn(ctx):
        """What it checks: a fake thing.

        Why it fails: because the test says so.

        How to fix: change the test.
        """
        if calls is not None:
            calls.append(id)
        await asyncio.sleep(delay)
        if status is Status.PASS:
            return Result(status, f"{id} is fine")
        return Result(status, f"{id} is broken", code=f"{id}-code",
                      fix=Fix(f"Repair {id}.", steps=("First step.",), commands=(f"repair {id}",), guide="Guide X"))

    return fn


def finding_check(id: str, *findings: Finding, group: str = "Secrets") -> Check:
    """A fake check that reports `findings` as a real one does, through `from_findings`."""
    @check(id, title=f"Fake {id}", group=group, codes=tuple(f.code for f in findings))
    async def fn(ctx):
        """What it checks: fake findings."""
        return from_findings(findings, f"{id} found nothing")

    return fn


def session(project: Path, checks: Sequence[Check], offline: bool = False, python: str | None = None,
            **environ: str) -> Session:
    return Session(project, Flags(offline=offline, python=python), ProjectConfig(), base_environ(**environ),
                   list(checks))


def text_of(app, selector: str) -> str:
    """The text a panel shows: the widget's own, or its Static children's."""
    from textual.widgets import Static

    widget = app.query_one(selector)
    parts = [widget] if isinstance(widget, Static) else list(widget.query(Static))
    return " ".join(str(part.render()) for part in parts)


def screen_lines(app) -> list[str]:
    """What the terminal shows, line by line, as drawn (wrapped, cut, covered)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def panel_lines(app, selector: str) -> list[str]:
    """The lines a panel shows inside its border, padding and scrollbar, as drawn."""
    region = app.query_one(selector).scrollable_content_region
    return [line[region.x:region.right] for line in screen_lines(app)[region.y:region.bottom]]


async def settle(pilot) -> None:
    """Waits until the diagnosis worker is done and its messages are handled."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def app_for(project: Path, checks: Sequence[Check], *, ask: bool = False, offline: bool = False,
            python: str | None = None, **env: str) -> DoctorApp:
    return DoctorApp(session(project, checks, offline, python, **env), ask_before_live=ask, version="test")
