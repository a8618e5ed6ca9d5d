"""The human report: one line a check with a status mark, the fix under each problem,
and a summary line, the way flutter doctor users expect.

Entries can be rendered one at a time, so the command line prints each check as soon
as it and every check before it are done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

from doctor.model import Check, Report, Result, Status
from doctor.redact import escape_controls

MARKS = {Status.PASS: "✓", Status.WARN: "!", Status.FAIL: "✗", Status.SKIP: "-", Status.ERROR: "☠"}
ASCII_MARKS = {Status.PASS: "+", Status.WARN: "!", Status.FAIL: "x", Status.SKIP: "-", Status.ERROR: "E"}
COLOURS = {Status.PASS: "32", Status.WARN: "33", Status.FAIL: "31", Status.SKIP: "2", Status.ERROR: "35"}
LABELS = {Status.PASS: "passed", Status.WARN: "warning", Status.FAIL: "failed", Status.SKIP: "skipped",
          Status.ERROR: "error"}


@dataclass(frozen=True)
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


def entry(check: Check, result: Result, style: TextStyle, shown: set[str] | None = None) -> str:
    """One check: its mark, title and message, then details and the fix where they help.

    `shown` holds the codes whose fix is already on screen: a second check that hits the
    same cause (a quota error seen by three checks) points up instead of repeating it.
    """
    code = f"  ({result.code})" if result.code else ""
    timing = f"  [{result.duration_ms} ms]" if style.verbose else ""
    lines = [f"  {style.mark(result.status)} {result.titled(check)}: {result.message}{style.paint(code, '2')}{timing}"]
    problem = result.status in (Status.WARN, Status.FAIL, Status.ERROR)
    if shown is not None and problem and result.code:
        if result.code in shown and not style.verbose:
            return lines[0] + "\n" + f"      {style.paint('Fix: the same as above.', '2')}\n"
        shown.add(result.code)
    if problem or style.verbose:
        lines += [f"      • {d}" for d in result.details]
    if result.fix and problem:
        fix = result.fix
        lines.append(f"      {style.paint('Fix:', COLOURS[result.status])} {fix.summary}")
        lines += [f"        {n}. {step}" for n, step in enumerate(fix.steps, start=1)]
        lines += [f"        {style.paint('$', '2')} {command}" for command in fix.commands]
        lines += [f"        {link}" for link in fix.links]
        if fix.guide:
            lines.append(f"      {style.paint('Guide:', '2')} \"{fix.guide}\"")
    if result.traceback and style.verbose:
        lines += ["      " + line for line in result.traceback.rstrip().splitlines()]
    return "\n".join(lines) + "\n"


def section(check: Check, result: Result, style: TextStyle, previous_group: str | None, shown: set[str]) -> str:
    """An entry, led by its group's heading when it opens a new group."""
    heading = f"\n{style.bold(check.group)}\n" if check.group != previous_group else ""
    return heading + entry(check, result, style, shown)


def body(entries: Iterable[tuple[Check, Result]], style: TextStyle) -> Iterator[str]:
    previous, shown = None, set()
    for check, result in entries:
        yield section(check, result, style, previous, shown)
        previous = check.group


def summary(report: Report, style: TextStyle) -> str:
    parts = [_counted(report.count(s), LABELS[s]) for s in Status if report.count(s) or s in (Status.PASS, Status.FAIL)]
    tokens = f" · {report.tokens_used} tokens used" if report.tokens_used else ""
    problems = report.count(Status.FAIL) + report.count(Status.ERROR)
    verdict = "No problems found." if not problems else \
        f"Found {problems} problem{'s' if problems != 1 else ''} to fix."
    return f"\n{verdict} {', '.join(parts)} in {report.duration_ms / 1000:.2f} s{tokens}\n"


def _counted(n: int, label: str) -> str:
    return f"{n} {label}s" if label in ("warning", "error") and n != 1 else f"{n} {label}"


def render(report: Report, style: TextStyle) -> str:
    interpreter = f"{report.interpreter} ({report.interpreter_source})" if report.interpreter else \
        f"none found ({report.interpreter_source})"
    return (header(report.tool_version, report.project, interpreter, style)
            + "".join(body(report.entries, style)) + summary(report, style))
