"""Messages the diagnosis worker posts; widgets never call the runner themselves.

Each carries the number of the run that sent it: a run that was restarted may still
have messages in flight, and the app ignores them.
"""

from __future__ import annotations

from textual.message import Message

from doctor.model import Check, Result


class RunMessage(Message):
    """Carries `run`, the number of the run that sent it."""

    def __init__(self, run: int) -> None:
        super().__init__()
        self.run = run


class CheckStarted(RunMessage):
    """A check began running."""

    def __init__(self, run: int, check: Check) -> None:
        super().__init__(run)
        self.check = check


class CheckFinished(RunMessage):
    """A check produced its (already redacted) result."""

    def __init__(self, run: int, check: Check, result: Result) -> None:
        super().__init__(run)
        self.check = check
        self.result = result


class RunFinished(RunMessage):
    """Every check of the run is done."""
