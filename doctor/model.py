"""The plain data every part of llm-doctor shares: statuses, fixes, results and checks.

Nothing here does I/O, so the checks, the runner and every front end can agree on one
vocabulary without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Iterable, Mapping

from doctor.namedtuples import named_tuple

if TYPE_CHECKING:
    from doctor.context import Context


class Status(str, Enum):
    """How a check ended. Only the runner produces ERROR and dependency skips."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"

    @property
    def severity(self) -> int:
        """Orders findings so that the worst one can lead a result."""
        return _SEVERITY[self]


_SEVERITY = {Status.SKIP: 0, Status.PASS: 1, Status.WARN: 2, Status.FAIL: 3, Status.ERROR: 4}


class NotFinished(Exception):
    """Raised where a check reads an input the doctor did not finish reading before the run's
    deadline (see doctor/project/unread.py); the message says what was not finished. The runner
    reports that check as not finished, as it reports one that ran out of time: an input never
    seen is neither empty nor healthy."""


@dataclass(frozen=True)
class Fix:
    """What the user should do: a summary, ordered steps and commands safe to copy.

    `guide` names the section of the beginner's guide that covers the fix, so every
    failure leads back to the step the user skipped or got wrong. `applicability` says
    whether the doctor can apply it itself, as ruff does: "safe" (`--fix` applies it),
    "unsafe" (it may change behaviour beyond the intended edit: `--fix --unsafe-fixes`),
    or None (the user's own steps).
    """

    summary: str
    steps: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    guide: str | None = None
    applicability: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "steps": list(self.steps),
            "commands": list(self.commands),
            "links": list(self.links),
            "guide": self.guide,
            "applicability": self.applicability,
        }


@named_tuple
class Location:
    """Where a problem is: a file relative to the project, with line and column from 1. In a
    notebook, `line` is the line of the `.ipynb` file (what an editor opens), and `cell` and
    `cell_line` (from 1) name the cell and the line in it, which is what a person looks for."""

    file: str
    line: int | None = None
    column: int | None = None
    cell: int | None = None
    cell_line: int | None = None

    def __str__(self) -> str:  # a notebook finding's message itself starts "cell 3, line 2:"
        return ":".join(str(part) for part in (self.file, self.line, self.column) if part is not None)


@dataclass(frozen=True)
class Finding:
    """One problem a check found; a check that finds several reports the worst first.

    `location` may be given as a plain tuple `(file, line)` or `(file, line, column)`.
    """

    status: Status
    code: str
    message: str
    fix: Fix | None = None
    details: tuple[str, ...] = ()
    location: Location | None = None
    cause: str | None = None  # why this failure matters, when it is not what the check itself is about

    def __post_init__(self) -> None:
        if self.location is not None and not isinstance(self.location, Location):
            object.__setattr__(self, "location", Location(*self.location))

    def within(self, result: Status) -> Status:
        """The finding's status, never worse than its check's result, which decides the exit code
        (a failure the project counts as a warning is shown as a warning)."""
        return self.status if self.status.severity <= result.severity else result

    def to_dict(self) -> dict[str, Any]:
        where = self.location
        found = {"code": self.code, "status": self.status.value, "message": self.message,
                 "file": where.file if where else None, "line": where.line if where else None,
                 "column": where.column if where else None}
        if where is not None and where.cell is not None:  # only in a notebook: other findings keep their shape
            found |= {"cell": where.cell, "cell_line": where.cell_line}
        return found


@dataclass(frozen=True)
class Result:
    """The outcome of one check. `code` names the diagnosis and is None on a pass.

    `findings` lists every problem the check found, the lead one first, each with its
    location when it has one; a result with one problem may leave it empty (see `problems`).
    """

    status: Status
    message: str
    code: str | None = None
    details: tuple[str, ...] = ()
    fix: Fix | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    duration_ms: int = 0
    tokens_used: int = 0
    traceback: str | None = None
    findings: tuple[Finding, ...] = ()
    cause: str | None = None  # why this failure matters (a quota error seen by json-mode: the quota's cause)

    @property
    def problems(self) -> tuple[Finding, ...]:
        """Every problem, as findings: the recorded ones, or the result's own code as one."""
        if self.findings:
            return self.findings
        if self.code is None or self.status in (Status.PASS, Status.SKIP):
            return ()
        where = self.facts.get("location")
        location = Location(where["file"], where.get("line"), where.get("column")) if isinstance(where, dict) else None
        return (Finding(self.status, self.code, self.message, self.fix, (), location),)


def passed(message: str, *, details: Iterable[str] = (), facts: Mapping[str, Any] | None = None) -> Result:
    return Result(Status.PASS, message, details=tuple(details), facts=dict(facts or {}))


def skipped(reason: str, *, facts: Mapping[str, Any] | None = None) -> Result:
    return Result(Status.SKIP, reason, facts=dict(facts or {}))


def from_findings(
    findings: Iterable[Finding],
    ok_message: str,
    *,
    details: Iterable[str] = (),
    facts: Mapping[str, Any] | None = None,
) -> Result:
    """Folds a check's findings into one Result led by the most severe one.

    The other findings stay visible as details, each tagged with its code, so that
    fixing the first problem never hides the next one.
    """
    found = sorted(findings, key=lambda f: -f.status.severity)
    facts = dict(facts or {})
    if not found:
        return passed(ok_message, details=details, facts=facts)
    lead, rest = found[0], found[1:]
    facts["codes"] = [f.code for f in found]
    if lead.location is not None:
        facts["location"] = lead.location._asdict()
    extra = [f"also {f.code}: {f.message}" for f in rest]
    return Result(
        lead.status,
        lead.message,
        code=lead.code,
        details=(*lead.details, *extra, *details),
        fix=lead.fix,
        facts=facts,
        findings=tuple(found),
        cause=lead.cause,
    )


CheckFunction = Callable[["Context"], Awaitable[Result]]


@dataclass(frozen=True)
class Check:
    """A registered check: its stable id, what it needs, and the function that runs it.

    `live` marks checks that touch the network or spend tokens: `--offline` skips them
    and `llm-doctor list` says so. `codes` lists every diagnosis the check may report.
    `reads` names the parts of the project the check reads (see INPUTS): when the user
    re-runs a check, because something changed, every check that reads the same part runs
    again too, so no panel keeps an answer about the project as it was.
    `timeout` is the check's whole budget; for a live check it is the margin added to
    the user's own request timeout. `warmup`, when set, is called as the run starts,
    before the check's needs are met, to overlap slow preparation with other work.
    """

    id: str
    title: str
    group: str
    fn: CheckFunction
    needs: tuple[str, ...] = ()
    live: bool = False
    timeout: float = 15.0
    codes: tuple[str, ...] = ()
    spends_tokens: bool = False
    warmup: Callable[["Context"], None] | None = None
    runs_project_python: bool = False  # skipped under --untrusted, which runs nothing of the project
    after: tuple[str, ...] = ()  # checks to wait for, whatever their outcome (what they learned may help)
    sends: str = ""  # what a live check sends, in words `llm-doctor list` shows
    reads: tuple[str, ...] = ()

    def budget(self, user_timeout: float) -> float:
        return self.timeout + user_timeout if self.live else self.timeout

    @property
    def doc(self) -> str:
        import inspect  # only `explain` and the app read a check's documentation

        return inspect.cleandoc(self.fn.__doc__ or "")

    async def __call__(self, ctx: "Context") -> Result:
        return await self.fn(ctx)


GROUPS = ("Environment", "Secrets", "Your code", "Connection", "API behaviour")
# The parts of a project a check may read: its Python and packages, its record of them, its
# .env files and environment, its code (and prompt files), and its git repository.
INPUTS = ("environment", "record", "dotenv", "code", "git")


def check(
    id: str,
    *,
    title: str,
    group: str,
    codes: Iterable[str],
    needs: Iterable[str] = (),
    live: bool = False,
    timeout: float = 15.0,
    spends_tokens: bool = False,
    warmup: Callable[["Context"], None] | None = None,
    runs_project_python: bool = False,
    after: Iterable[str] = (),
    sends: str = "",
    reads: Iterable[str] = (),
) -> Callable[[CheckFunction], Check]:
    """Declares an async function as a check. It only attaches data: no registration."""
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}")
    unknown = set(reads) - set(INPUTS)
    if unknown:
        raise ValueError(f"unknown inputs {sorted(unknown)!r}")

    def decorate(fn: CheckFunction) -> Check:
        return Check(
            id=id,
            title=title,
            group=group,
            fn=fn,
            needs=tuple(needs),
            live=live,
            timeout=timeout,
            codes=tuple(codes),
            spends_tokens=spends_tokens,
            warmup=warmup,
            runs_project_python=runs_project_python,
            after=tuple(after),
            sends=sends,
            reads=tuple(reads),
        )

    return decorate


@dataclass(frozen=True)
class Report:
    """Everything one run produced, in registry order: what every renderer reads."""

    tool_version: str
    project: str
    interpreter: str  # the project's Python, "" when none was found
    entries: tuple[tuple[Check, Result], ...]
    duration_ms: int
    interpreter_source: str = ""  # how it was chosen, in words

    def count(self, status: Status) -> int:
        return sum(1 for _, r in self.entries if r.status is status)

    @property
    def tokens_used(self) -> int:
        return sum(r.tokens_used for _, r in self.entries)

    def exit_code(self, strict: bool = False) -> int:
        """0 healthy (warnings allowed), 1 a failure (or a warning under --strict), 3 doctor broke."""
        statuses = {r.status for _, r in self.entries}
        if Status.ERROR in statuses:
            return 3
        if Status.FAIL in statuses or (strict and Status.WARN in statuses):
            return 1
        return 0
