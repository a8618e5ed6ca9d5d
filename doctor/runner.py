"""Runs checks as a DAG over `needs`: concurrently, each with a timeout, none able to crash the run.

Events come out as they happen (`Started`, `Finished`), so the text front end can
print in registry order while the TUI updates rows live.
"""

from __future__ import annotations

import asyncio
import time
import traceback
from dataclasses import replace
from typing import TYPE_CHECKING, AsyncIterator, Iterable, Mapping, Sequence

from doctor.model import Check, Fix, NotFinished, Result, Status
from doctor.namedtuples import named_tuple
from doctor.settings import downgrade, skipped_by_config

if TYPE_CHECKING:
    from doctor.context import Context

MAX_CONCURRENCY = 8


@named_tuple
class Started:
    check: Check


@named_tuple
class Finished:
    check: Check
    result: Result


Event = Started | Finished


class SelectionError(ValueError):
    """--only or --skip named a check that does not exist."""


def select(checks: Sequence[Check], only: Iterable[str] = (), skip: Iterable[str] = ()) -> tuple[Check, ...]:
    """The checks to run, in registry order; unknown ids are a usage error."""
    known = {c.id for c in checks}
    only, skip = tuple(only), tuple(skip)
    unknown = sorted((set(only) | set(skip)) - known)
    if unknown:
        raise SelectionError(f"unknown check id: {', '.join(unknown)} (see `llm-doctor list`)")
    return tuple(c for c in checks if (not only or c.id in only) and c.id not in skip)


def validate(checks: Sequence[Check]) -> None:
    """Ids are unique and every need (and every check waited for) comes earlier, which also rules out cycles."""
    seen: set[str] = set()
    for c in checks:
        if c.id in seen:
            raise ValueError(f"duplicate check id {c.id}")
        missing = [n for n in (*c.needs, *c.after) if n not in seen]
        if missing:
            raise ValueError(f"{c.id} needs {missing}, which must come earlier in ALL_CHECKS")
        seen.add(c.id)


async def run(checks: Sequence[Check], ctx: Context, *, offline: bool = False,
              earlier: Mapping[str, Result] | None = None) -> AsyncIterator[Event]:
    """Runs `checks`, yielding events.

    A need that is not among `checks` is judged by its `earlier` result (a re-run of one
    check in the TUI), and counts as met when there is none: `--only` runs exactly what
    it names.
    """
    queue: asyncio.Queue[Event] = asyncio.Queue()
    done: dict[str, asyncio.Future[Result]] = {c.id: asyncio.get_running_loop().create_future() for c in checks}
    gate = asyncio.Semaphore(MAX_CONCURRENCY)
    titles = {c.id: c.title for c in checks}

    async def one(check: Check) -> None:
        result = skipped_by_config(check.id, ctx.config, ctx.flags.only)
        if result is None and offline and check.live:
            result = Result(Status.SKIP, "offline: live checks are off")
        if result is None and ctx.flags.untrusted and check.runs_project_python:
            result = Result(Status.SKIP, "--untrusted: this check runs the project's Python, and nothing of the "
                                         "project is run")
        if result is None:
            result = await _blocked_by(check, done, earlier or {}, titles)
        for other in check.after:
            if result is None and other in done:
                await asyncio.shield(done[other])
        if result is None:
            async with gate:
                queue.put_nowait(Started(check))
                result = await _guarded(check, ctx)
        result = ctx.redactor.redact_result(downgrade(result, ctx.config))
        done[check.id].set_result(result)
        queue.put_nowait(Finished(check, result))

    for check in checks:
        if check.warmup is not None and not (offline and check.live) and \
                not (ctx.flags.untrusted and check.runs_project_python):
            check.warmup(ctx)
    tasks = [asyncio.create_task(one(c)) for c in checks]
    try:
        for _ in range(len(checks)):
            event = await queue.get()
            while isinstance(event, Started):
                yield event
                event = await queue.get()
            yield event
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _blocked_by(check: Check, done: dict[str, asyncio.Future[Result]], earlier: Mapping[str, Result],
                      titles: Mapping[str, str]) -> Result | None:
    """A skip naming the first need that did not pass by the title the report shows for it, or None
    when all are met. A need judged by an earlier run's result (not among `titles`) falls back to its id."""
    for need in check.needs:
        if need in done:
            outcome = await done[need]
        elif need in earlier:
            outcome = earlier[need]
        else:
            continue
        if outcome.status not in (Status.PASS, Status.WARN):
            shown = titles.get(need, need)
            return Result(Status.SKIP, f"needs {shown}, which did not pass", facts={"blocked_by": need})
    return None


async def _guarded(check: Check, ctx: Context) -> Result:
    """Runs one check; a timeout or an exception becomes ERROR with the traceback kept aside."""
    start = time.perf_counter()
    budget = check.budget(ctx.timeout)
    try:
        result = await asyncio.wait_for(check(ctx), budget)
    except (asyncio.TimeoutError, TimeoutError):
        result = Result(Status.ERROR, f"the check did not finish within {budget:g} s", code="check-timeout")
    except NotFinished as unfinished:
        result = Result(Status.ERROR, f"not finished: {unfinished}", code="check-timeout",
                        fix=Fix("Run again with a longer --timeout (or `timeout` in [tool.llm-doctor])."))
    except Exception as error:  # noqa: BLE001 - no check may crash the run
        result = Result(
            Status.ERROR,
            f"the check crashed: {type(error).__name__}: {error} (run with -v for the traceback; please report it)",
            code="check-crashed",
            traceback=traceback.format_exc(),
        )
    elapsed = int((time.perf_counter() - start) * 1000)
    return replace(result, duration_ms=elapsed)
