"""GitHub Actions workflow commands: each failure (and warning) becomes an annotation on the
file and line it concerns, so the pull request shows it where the problem is."""

from __future__ import annotations

import os
from pathlib import Path

from doctor.model import Report, Status

_KIND = {Status.FAIL: "error", Status.ERROR: "error", Status.WARN: "warning"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, project: Path, workspace: str | None) -> str:
    """One `::error ...::message` line per problem; file paths are relative to the workspace."""
    base = Path(workspace) if workspace else project
    lines = []
    for check, result in report.entries:
        kind = _KIND.get(result.status)
        if kind is None:
            continue
        props = [f"title={_escape_property(f'llm-doctor {check.id}: {result.code or result.status.value}')}"]
        location = result.facts.get("location")
        if isinstance(location, dict) and location.get("file"):
            path = os.path.relpath(project / location["file"], base)
            props.insert(0, f"file={_escape_property(path)}")
            if location.get("line"):
                props.insert(1, f"line={location['line']}")
        fix = f" Fix: {result.fix.summary}" if result.fix else ""
        lines.append(f"::{kind} {','.join(props)}::{_escape_data(result.message + fix)}")
    return "\n".join(lines) + ("\n" if lines else "")
