"""The yes/no dialog both the consent and the fix preview are: y or n, a button each."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button

from doctor.tui.screens.dialog import Dialog


class Confirm(Dialog[bool]):
    """Dismisses with True for yes (y, or the first button), False for no (n, escape)."""

    DEFAULT_CSS = """
    .dialog-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    .dialog-buttons Button {
        margin-left: 1;
    }
    """

    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def buttons(self, yes: str, no: str) -> Horizontal:
        return Horizontal(Button(f"{yes} [y]", variant="primary", id="yes"), Button(f"{no} [n]", id="no"),
                          classes="dialog-buttons")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
