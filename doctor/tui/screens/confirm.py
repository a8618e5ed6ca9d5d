"""The yes/no dialog both the consent and the fix preview are.

Every dialog answers alike: `y` says yes; `n`, Esc and Enter say no. Enter is the key
pressed without reading, so it gives the answer that spends nothing and writes nothing;
focus starts on that answer's button, and yes takes a deliberate `y` (or a click, or Tab
to its button). The keys are written in the dialog, not left to be guessed.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button, Static

from doctor.tui.screens.dialog import Dialog


class Confirm(Dialog[bool]):
    """Dismisses with True for yes, False for no."""

    DEFAULT_CSS = """
    .dialog-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    .dialog-buttons Button {
        margin-left: 1;
    }
    Confirm.-short .dialog-buttons {
        margin-top: 0;
    }
    """

    AUTO_FOCUS = "#no"
    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape,enter", "answer(False)", "No")]

    def answers(self, yes: str, no: str) -> list[Static | Horizontal]:
        """The keys in words, then a button for each answer."""
        compact = self.app.size.height < 30  # a button of one line, not three, where rows are few
        return [Static(f"Press y to {yes.lower()}. Enter, n or Esc: {no.lower()}.", classes="dialog-keys"),
                Horizontal(Button(Content(f"{yes} [y]"), id="yes", compact=compact),  # Content: "[y]" is not markup
                           Button(Content(f"{no} [n]"), variant="primary", id="no", compact=compact),
                           classes="dialog-buttons")]

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
