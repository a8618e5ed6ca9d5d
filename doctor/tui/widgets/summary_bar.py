"""Counts, progress, tokens spent and mode under the panels: one line, two if a narrow terminal needs it."""

from __future__ import annotations

from typing import Iterable, Sequence

from textual.content import Content
from textual.widgets import Static

from doctor.model import Result, Status
from doctor.tui.widgets.status import STYLES, WORDS
from doctor.tui.wrap import GLUE, Wrapped, para


def summary(results: Iterable[Result], total: int, mode: str, running: bool,
            applied: Sequence[str] = ()) -> Wrapped:
    """The counts, then the fixes applied so far, so the treatment stays in view after the re-run."""
    results = list(results)
    parts: list[Content | str | tuple[str, str]] = []
    for status in Status:
        n = sum(1 for r in results if r.status is status)
        if n:
            parts += [(f"{n}{GLUE}{WORDS[status]}", STYLES[status]), "  "]
    tokens = sum(r.tokens_used for r in results)
    spent = f" · {tokens}{GLUE}tokens" if tokens else ""  # left out while nothing is spent: room at 60 columns
    progress = f"running{GLUE}{len(results)}/{total}" if running else "done"
    lines = [para(Content.assemble(*parts, (f"{progress}{spent} · {mode}", "$text-muted")))]
    if applied:
        lines.append(para("; ".join(applied), Content.styled(f"Fixed ({len(applied)}): ", "bold $success")))
    return Wrapped(lines)


class SummaryBar(Static):
    def show(self, results: Iterable[Result], total: int, mode: str, running: bool,
             applied: Sequence[str] = ()) -> None:
        """`mode`: "offline", "online", or "asking" while the question whether to go online is open."""
        self.update(summary(results, total, mode, running, applied))
