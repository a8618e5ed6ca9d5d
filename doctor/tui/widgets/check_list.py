"""The list of checks, grouped as the guide is, each row showing its live state."""

from __future__ import annotations

from typing import Sequence

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from doctor.model import Check, Result
from doctor.tui.widgets.status import MARKS, SPINNER, STYLES, WAITING
from doctor.tui.wrap import Wrapped, para


class CheckList(OptionList):
    """One row per check under its group's heading. Rows are waiting, running (spinner) or done.

    A title too long for the column wraps under itself rather than being cut: the column is
    narrow on a small terminal, and a cut title may hide what was checked.
    """

    def __init__(self, checks: Sequence[Check], **kwargs) -> None:
        super().__init__(**kwargs)
        self._checks = {c.id: c for c in checks}
        self._states: dict[str, str | Result] = {c.id: "waiting" for c in checks}
        self._frame = 0
        options: list[Option] = []
        group = None
        for c in checks:
            if c.group != group:
                group = c.group
                options.append(Option(Content.styled(group, "bold $text-accent"), id=f"group:{group}", disabled=True))
            options.append(Option(self._prompt(c.id), id=c.id))
        self.add_options(options)

    @property
    def selected_id(self) -> str | None:
        option = self.highlighted_option
        return option.id if option is not None and option.id in self._checks else None

    def select(self, check_id: str) -> None:
        self.highlighted = self.get_option_index(check_id)

    def set_state(self, check_id: str, state: str | Result) -> None:
        self._states[check_id] = state
        self.replace_option_prompt(check_id, self._prompt(check_id))

    def tick(self) -> None:
        """Advances the spinner of running rows."""
        self._frame = (self._frame + 1) % len(SPINNER)
        for check_id, state in self._states.items():
            if state == "running":
                self.replace_option_prompt(check_id, self._prompt(check_id))

    def _prompt(self, check_id: str) -> Wrapped:
        check, state = self._checks[check_id], self._states.get(check_id, "waiting")
        if isinstance(state, Result):
            mark = Content.styled(MARKS[state.status], f"bold {STYLES[state.status]}")
            took = f" {state.duration_ms / 1000:.1f}s" if state.duration_ms >= 100 else ""
            return Wrapped([para(Content.assemble(check.title, (took, "$text-muted")), " " + mark + " ")])
        if state == "running":
            return Wrapped([para(check.title, Content.assemble(" ", (SPINNER[self._frame], "$accent"), " "))])
        return Wrapped([para(Content.styled(check.title, "$text-muted"),
                             Content.styled(f" {WAITING} ", "$text-muted"))])
