"""GitHub Actions workflow commands: each failure (and warning) becomes an annotation on the
file and line it concerns, so the pull request shows it where the problem is."""

from __future__ import annotations

import os
from pathlib import Path

from doctor.model import Check, Finding, Report, Result, Status
from doctor.render import links

_KIND = {Status.FAIL: "error", Status.ERROR: "error", Status.WARN: "warning"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, project: Path, workspace: str | None) -> str:
    """One `::error ...::message` line per problem found, each on its own file, line and column when
    it has one (a check that finds three problems in three files makes three annotations); file
    paths are relative to the workspace."""
    base = Path(workspace) if workspace else project
    lines = []
    for check, result in report.entries:
        for finding in result.problems:
            kind = _KIND.get(finding.within(result.status))
            if kind is None:
                continue
            page = links.page(finding.code)
            message = finding.message + (f" Fix: {finding.fix.summary}" if finding.fix else "") + \
                (f" More: {page}" if page else "")
            lines.append(f"::{kind} {','.join(_properties(check, result, finding, project, base))}"
                         f"::{_escape_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def _properties(check: Check, result: Result, finding: Finding, project: Path, base: Path) -> list[str]:
    where = finding.location
    props = []
    if where is not None and where.file:
        props.append(f"file={_escape_property(os.path.relpath(project / where.file, base))}")
        props += [f"{name}={value}" for name, value in (("line", where.line), ("col", where.column)) if value]
    title = finding.title or result.titled(check)
    return props + [f"title={_escape_property(f'llm-doctor: {title} ({finding.code})')}"]
