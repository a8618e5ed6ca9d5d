"""Messages the diagnosis worker posts; widgets never call the runner themselves."""

from __future__ import annotations

from textual.message import Message

from doctor.model import Check, Result


class CheckStarted(Message):
    """A check began running."""

    def __init__(self, check: Check) -> None:
        super().__init__()
        self.check = check


class CheckFinished(Message):
    """A check produced its (already redacted) result."""

    def __init__(self, check: Check, result: Result) -> None:
        super().__init__()
        self.check = check
        self.result = result


class RunFinished(Message):
    """Every check of the run is done."""
