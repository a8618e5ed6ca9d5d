"""Shown when a copy cannot be confirmed: the text itself, to select by hand.

Saying "copied" when nothing was would send the user to paste an empty clipboard; see
doctor/tui/clipboard.py for when a copy counts as done.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from doctor.tui.screens.dialog import Dialog
from doctor.tui.wrap import Wrapped, para


class CopyText(Dialog[None]):
    DEFAULT_CSS = """
    #copy-text {
        border: round $primary 40%;
        padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape,enter", "dismiss", "Close")]

    def __init__(self, what: str, text: str) -> None:
        super().__init__()
        self.what, self.text = what, text

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(f"Could not confirm the copy of {self.what}", classes="dialog-title")
            yield Static("Your terminal was asked to copy it (OSC 52), but it does not say whether it did. "
                         "If pasting gives nothing, select the text below: most terminals select past the app "
                         "while you hold Shift (Option on a Mac).")
            yield Static(Wrapped([para(line) for line in self.text.splitlines()]), id="copy-text")
            yield Static("Esc or Enter closes this.", classes="dialog-keys")
