"""Asks once, before the first live check, whether the doctor may spend tokens."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from doctor.session import LIVE_BUDGET


class Consent(ModalScreen[bool]):
    """True: run the live checks; False: stay offline."""

    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "Offline")]

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Run the live checks?", classes="dialog-title")
            yield Static(f"They send a few small requests to {self.base_url}: {LIVE_BUDGET}. "
                         "The key goes nowhere else.")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes, run them [y]", variant="primary", id="yes")
                yield Button("Stay offline [n]", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
