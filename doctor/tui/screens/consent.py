"""Asks once, before the first live check, whether the doctor may spend tokens.

The offline checks run behind it meanwhile; Enter keeps the doctor offline.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from doctor.session import LIVE_BUDGET
from doctor.tui.screens.confirm import Confirm
from doctor.tui.wrap import Wrapped, para


class Consent(Confirm):
    """True: run the live checks; False: stay offline."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Run the live checks?", classes="dialog-title")
            yield Static(Wrapped([para(f"They send a few small requests to {self.base_url}: {LIVE_BUDGET}. "
                                       "The key goes nowhere else. The offline checks are running meanwhile.")]))
            yield from self.answers("Run them", "Stay offline")
