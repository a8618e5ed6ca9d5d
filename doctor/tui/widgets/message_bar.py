"""The line where the app answers an action ("Copied…", "Queued…", "Wrote…").

Textual's notifications are toasts drawn over the bottom right of the screen, which is where
the details and the sample call are: a toast about the commands hid the commands. This bar
takes its own rows above the summary for a few seconds, so it never covers a panel.
"""

from __future__ import annotations

from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from doctor.tui.wrap import Wrapped, para


class MessageBar(Static):
    """Hidden until `say`; each message replaces the last one and hides itself after `seconds`."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.display = False
        self._timer: Timer | None = None

    def say(self, message: Content, severity: str, seconds: float) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.set_classes(f"-{severity}")
        self.update(Wrapped([para(message)]))
        self.display = True
        self._timer = self.set_timer(seconds, self.clear)

    def clear(self) -> None:
        self.display = False
        self.update("")
