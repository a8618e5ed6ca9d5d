"""The human report: one line a check with a status mark, the fix under each problem,
and a summary line, the way flutter doctor users expect.

Entries can be rendered one at a time, so the command line prints each check as soon
as it and every check before it are done.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from doctor.model import Check, Report, Result, Status
from doctor.namedtuples import named_tuple
from doctor.render import links
from doctor.redact import escape_controls
from doctor.words import counted

MARKS = {Status.PASS: "✓", Status.WARN: "!", Status.FAIL: "✗", Status.SKIP: "-", Status.ERROR: "☠"}
ASCII_MARKS = {Status.PASS: "+", Status.WARN: "!", Status.FAIL: "x", Status.SKIP: "-", Status.ERROR: "E"}
COLOURS = {Status.PASS: "32", Status.WARN: "33", Status.FAIL: "31", Status.SKIP: "2", Status.ERROR: "35"}
LABELS = {Status.PASS: "passed", Status.WARN: "warning", Status.FAIL: "failed", Status.SKIP: "skipped",
          Status.ERROR: "error"}


@named_tuple
class TextStyle:
    colour: bool = False
    unicode: bool = True
    verbose: bool = False

    def paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.colour else text

    def bold(self, text: str) -> str:
        return self.paint(text, "1")

    def mark(self, status: Status) -> str:
        mark = (MARKS if self.unicode else ASCII_MARKS)[status]
        return self.paint(f"[{mark}]", COLOURS[status])


def header(version: str, project: str, interpreter: str, style: TextStyle) -> str:
    """The first lines: paths come from the file system and may hold any character, so they are escaped."""
    return f"{style.bold('llm-doctor ' + version)}  project {escape_controls(project)}\n" \
           f"Python  {escape_controls(interpreter)}\n"


def entry(check: Check, result: Result, style: TextStyle, shown: dict[str, str] | None = None) -> str:
    """One check: its mark, title and message, where each problem is, then details and the fix where they help.

    `shown` maps the codes whose fix is already on screen to the check that showed it: a second
    check that hits the same cause (a quota error seen by three checks) names that one instead of
    repeating its fix.
    """
    code = f"  ({result.code})" if result.code else ""
    timing = f"  [{result.duration_ms} ms]" if style.verbose else ""
    lines = [f"  {style.mark(result.status)} {check.title}: {result.message}{style.paint(code, '2')}{timing}"]
    problem = result.status in (Status.WARN, Status.FAIL, Status.ERROR)
    places, placed = _places(result) if problem else ([], set())
    lines += places
    if shown is not None and problem and result.code:
        if result.code in shown and not style.verbose:
            same = f"Same cause as {shown[result.code]}, above: its fix covers this too."
            lines.append(f"      {style.paint(same, '2')}")
            return "\n".join(lines) + "\n"
        shown.setdefault(result.code, check.title)
    if problem or style.verbose:
        lines += [f"      • {d}" for d in result.details if d not in placed]
    if result.fix and problem:
        fix = result.fix
        lines.append(f"      {style.paint('Fix:', COLOURS[result.status])} {fix.summary}")
        lines += [f"        {n}. {step}" for n, step in enumerate(fix.steps, start=1)]
        lines += [f"        {style.paint('$', '2')} {command}" for command in fix.commands]
        lines += [f"        {link}" for link in fix.links]
        if fix.guide:
            lines.append(f"      {style.paint('Guide:', '2')} {links.guide_text(fix.guide)}")
    pages = links.pages_text(finding.code for finding in result.problems) if problem else ""
    if pages:
        lines.append(f"      {style.paint('More:', '2')} {pages}")
    if result.traceback and style.verbose:
        lines += ["      " + line for line in result.traceback.rstrip().splitlines()]
    return "\n".join(lines) + "\n"


def _places(result: Result) -> tuple[list[str], set[str]]:
    """Where each problem is: the lead one's place under its message, every other one as
    `file:line  code: message`, as compilers print them. Also the `also <code>: ...` details
    those lines stand for, so that no problem is listed twice."""
    lines, placed = [], set()
    for n, finding in enumerate(result.problems):
        if finding.location is None:
            continue
        if n == 0:
            lines.append(f"      at {finding.location}")
            continue
        lines.append(f"      {finding.location}  {finding.code}: {finding.message}")
        placed.add(f"also {finding.code}: {finding.message}")
    return lines, placed


def section(check: Check, result: Result, style: TextStyle, previous_group: str | None, shown: dict[str, str]) -> str:
    """An entry, led by its group's heading when it opens a new group."""
    heading = f"\n{style.bold(check.group)}\n" if check.group != previous_group else ""
    return heading + entry(check, result, style, shown)


def body(entries: Iterable[tuple[Check, Result]], style: TextStyle) -> Iterator[str]:
    previous, shown = None, {}
    for check, result in entries:
        yield section(check, result, style, previous, shown)
        previous = check.group


@named_tuple
class RootCause:
    """One problem to fix: the first check that reported it, and the later checks that saw the same cause."""

    check: Check
    result: Result
    also_seen_by: tuple[str, ...] = ()


def root_causes(report: Report) -> list[RootCause]:
    """The failures, one per cause: checks that fail with the same code share one cause (a quota error
    seen by the rate-limit, JSON-mode and sample-call checks is one problem). A check that broke
    (status error) is a problem of its own: two crashes are two bugs."""
    causes: dict[object, RootCause] = {}
    for check, result in report.entries:
        if result.status not in (Status.FAIL, Status.ERROR):
            continue
        key = result.code if result.status is Status.FAIL and result.code else check.id
        first = causes.get(key)
        causes[key] = RootCause(check, result) if first is None else \
            RootCause(first.check, first.result, (*first.also_seen_by, check.title))
    return list(causes.values())


def summary(report: Report, style: TextStyle) -> str:
    """The verdict, counting problems by cause, each named with the checks that also saw it; then the counts."""
    parts = [_counted(report.count(s), LABELS[s]) for s in Status if report.count(s) or s in (Status.PASS, Status.FAIL)]
    tokens = f" · {report.tokens_used} tokens used" if report.tokens_used else ""
    counts = f"{', '.join(parts)} in {report.duration_ms / 1000:.2f} s{tokens}"
    causes = root_causes(report)
    warnings = report.count(Status.WARN)
    if not causes:
        verdict = f"No failures; {_counted(warnings, 'warning')}." if warnings else "No problems found."
        return f"\n{verdict} {counts}\n"
    lines = [f"Found {counted(len(causes), 'problem')} to fix:"]
    for cause in causes:
        code = f" ({cause.result.code})" if cause.result.code else ""
        also = f"; also seen by {_and(cause.also_seen_by)}" if cause.also_seen_by else ""
        lines.append(f"  {style.mark(cause.result.status)} {_in_its_own_words(cause)}{code}{also}")
    return "\n" + "\n".join(lines) + f"\n{counts}\n"


def _in_its_own_words(cause: RootCause) -> str:
    """The problem as the check found it, with its place (`ask.py:3: never loads .env`), not the check's
    title: the summary is what a person reads first. A crash has no finding of its own: its check is named."""
    lead = next(iter(cause.result.problems), None)
    if lead is None or cause.result.status is Status.ERROR:
        return f"{cause.check.title}: {cause.result.message}"
    return f"{lead.location}: {lead.message}" if lead.location is not None else lead.message


def _and(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _counted(n: int, label: str) -> str:
    return f"{n} {label}s" if label in ("warning", "error") and n != 1 else f"{n} {label}"


def render(report: Report, style: TextStyle) -> str:
    interpreter = f"{report.interpreter} ({report.interpreter_source})" if report.interpreter else \
        f"none found ({report.interpreter_source})"
    return (header(report.tool_version, report.project, interpreter, style)
            + "".join(body(report.entries, style)) + summary(report, style))
