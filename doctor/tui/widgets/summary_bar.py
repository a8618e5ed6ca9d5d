"""Counts, progress, tokens spent and mode under the panels: one line, two if a narrow terminal needs it."""

from __future__ import annotations

from typing import Iterable

from textual.content import Content
from textual.widgets import Static

from doctor.model import Result, Status
from doctor.tui.widgets.status import STYLES, WORDS
from doctor.tui.wrap import GLUE, Wrapped, para


def summary(results: Iterable[Result], total: int, offline: bool, running: bool) -> Wrapped:
    results = list(results)
    parts: list[Content | str | tuple[str, str]] = []
    for status in Status:
        n = sum(1 for r in results if r.status is status)
        if n:
            parts += [(f"{n}{GLUE}{WORDS[status]}", STYLES[status]), "  "]
    tokens = sum(r.tokens_used for r in results)
    spent = f" · {tokens}{GLUE}tokens" if tokens else ""  # left out while nothing is spent: room at 60 columns
    progress = f"running{GLUE}{len(results)}/{total}" if running else "done"
    mode = "offline" if offline else "online"
    return Wrapped([para(Content.assemble(*parts, (f"{progress}{spent} · {mode}", "$text-muted")))])


class SummaryBar(Static):
    def show(self, results: Iterable[Result], total: int, offline: bool, running: bool) -> None:
        self.update(summary(results, total, offline, running))
