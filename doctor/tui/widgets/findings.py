"""The findings of the selected check, each with its place (file:line), one of them selected.

A list rather than text, so that one finding can be picked (keys or mouse) and its place
copied into an editor's "go to file".
"""

from __future__ import annotations

from typing import Sequence

from textual.content import Content
from textual.widgets import OptionList

from doctor.model import Finding
from doctor.tui.widgets.status import STYLES
from doctor.tui.wrap import Wrapped, para


def finding_line(finding: Finding) -> Wrapped:
    place = (f"{finding.location}  ", f"bold {STYLES[finding.status]}") if finding.location else ""
    return Wrapped([para(Content.assemble(place, finding.message, (f"  {finding.code}", "$text-muted")), "• ")])


class FindingList(OptionList):
    """Hidden when the check found nothing with a place."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._findings: tuple[Finding, ...] = ()

    def show(self, findings: Sequence[Finding]) -> None:
        self._findings = tuple(findings)
        self.clear_options()
        self.add_options([finding_line(f) for f in self._findings])
        self.display = bool(self._findings)
        if self._findings:
            self.highlighted = 0

    @property
    def selected(self) -> Finding | None:
        index = self.highlighted
        return self._findings[index] if index is not None and index < len(self._findings) else None
