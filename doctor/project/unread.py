"""The project's inputs read under the run's deadline, and what stands in for one not read by then.

Reading `.env` (with its `${VAR}` expansion) and the record of packages is linear and capped,
yet a hostile project can make it take seconds, and it happens while the Context is built,
before any check's timeout applies. So each is read in a thread of its own, and the run waits
for them until its deadline (`--timeout`). An input not read by then is stood in for by an
`Unread` copy: what is known without reading it (its path, the project's tool) answers as
usual, and anything read from its content raises `NotFinished`, which the runner reports as
that check not finished. No check can take an input it never saw for an empty or a healthy one.

The threads are daemons: one still reading when the run ends never holds up the doctor's exit.
Python cannot stop a thread, so a late one runs on to its reader's caps, beside the checks.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, ClassVar

from doctor.model import NotFinished


class Unread:
    """Mixed into a copy of an input's class (`UnreadDotenv(Unread, DotenvFile)`): the attributes
    named in `KNOWN`, dunders and `unfinished` answer; every other one raises NotFinished with
    `unfinished`, the sentence that says what was not read."""

    KNOWN: ClassVar[frozenset[str]] = frozenset()

    def __getattribute__(self, name: str) -> Any:
        if name.startswith("__") or name == "unfinished" or name in type(self).KNOWN:
            return object.__getattribute__(self, name)
        raise NotFinished(object.__getattribute__(self, "unfinished"))

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {object.__getattribute__(self, 'unfinished')}>"

    __eq__ = object.__eq__
    __hash__ = object.__hash__


def within(seconds: float, *jobs: Callable[[], Any]) -> list[Any]:
    """Runs each job in a daemon thread of its own and waits for all of them until `seconds` have
    passed; returns their answers in order, None for a job not done by then. A job that raised
    raises here, as if it had run in line (a reader's bug stays as visible as before)."""
    deadline = time.monotonic() + seconds
    slots = [_Slot(job) for job in jobs]
    for slot in slots:
        slot.thread.start()
    for slot in slots:
        slot.thread.join(max(0.0, deadline - time.monotonic()))
    answers = []
    for slot in slots:
        if slot.thread.is_alive():
            answers.append(None)
        elif slot.error is not None:
            raise slot.error
        else:
            answers.append(slot.answer)
    return answers


class _Slot:
    """One job's thread and what it ended with."""

    def __init__(self, job: Callable[[], Any]) -> None:
        self.answer: Any = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(job,), name="llm-doctor-read", daemon=True)

    def _run(self, job: Callable[[], Any]) -> None:
        try:
            self.answer = job()
        except BaseException as error:  # noqa: BLE001 - handed to the waiting thread, which raises it
            self.error = error

