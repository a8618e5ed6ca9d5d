"""One line of counts, tokens and mode under the panels."""

from __future__ import annotations

from typing import Iterable

from textual.content import Content
from textual.widgets import Static

from doctor.model import Result, Status
from doctor.tui.widgets.status import STYLES, WORDS


def summary(results: Iterable[Result], total: int, offline: bool, running: bool) -> Content:
    results = list(results)
    parts: list[Content | str | tuple[str, str]] = []
    for status in Status:
        n = sum(1 for r in results if r.status is status)
        if n:
            parts += [(f"{n} {WORDS[status]}", STYLES[status]), "  "]
    tokens = sum(r.tokens_used for r in results)
    progress = f"running {len(results)}/{total}" if running else "done"
    mode = "offline" if offline else "online"
    return Content.assemble(*parts, (f"{progress} · {tokens} tokens · {mode}", "$text-muted"))


class SummaryBar(Static):
    def show(self, results: Iterable[Result], total: int, offline: bool, running: bool) -> None:
        self.update(summary(results, total, offline, running))
