"""The project's inputs read under the run's deadline, and what stands in for one not read by then.

Reading `.env` (with its `${VAR}` expansion) and the record of packages is linear and capped,
yet a hostile project can make it take seconds, and it happens while the Context is built,
before any check's timeout applies. So they are read, `.env` first, in a worker thread that the
run waits for until its deadline (`--timeout`). An input not read by then is stood in for by an
`Unread` copy: what is known without reading it (its path, the project's tool) answers as
usual, and anything read from its content raises `NotFinished`, which the runner reports as
that check not finished. No check can take an input it never saw for an empty or a healthy one.

The thread is a daemon: still reading when the run ends, it never holds up the doctor's exit.
Python cannot stop a thread, so a late one runs on to its reader's caps, beside the checks; and
a `.env` that takes all the time leaves the record unread too (it waits its turn).
"""

from __future__ import annotations

import threading
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
    """Runs the jobs in order in one daemon thread and waits for it until `seconds` have passed;
    returns their answers, None for each job not done by then. One thread for all, not one each: on
    a busy machine every hand-over of the interpreter between threads costs milliseconds (a thread
    per job added about 2 ms to a run's median, one thread 0.2 ms). A job that raised raises here,
    as if it had run in line, so a reader's bug stays as visible as before."""
    answers: list[Any] = [None] * len(jobs)
    failed: list[BaseException] = []

    def work() -> None:
        try:
            for number, job in enumerate(jobs):
                answers[number] = job()
        except BaseException as error:  # noqa: BLE001 - raised again in the waiting thread
            failed.append(error)

    worker = threading.Thread(target=work, name="llm-doctor-read", daemon=True)
    worker.start()
    worker.join(seconds)
    if failed:
        raise failed[0]
    return list(answers)
