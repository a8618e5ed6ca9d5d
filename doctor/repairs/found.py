"""What every repair reads before it decides: the places its findings name, and a file's text when
the doctor may edit it. Shared by the plans (plans.py) and by the cheap decision of whether they
apply (applies.py), so the two can never disagree on which files and lines are in play."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from doctor.fixes.plan import read_editable

if TYPE_CHECKING:
    from doctor.fixes.registry import FixInputs


def places(inputs: FixInputs, codes: Iterable[str]) -> dict[str, dict[str, list[int]]]:
    """file -> code -> the lines found there, for the findings of `codes` that have a place."""
    wanted = set(codes)
    found: dict[str, dict[str, list[int]]] = {}
    for finding in inputs.findings:
        where = finding.location
        if finding.code in wanted and where is not None:
            lines = found.setdefault(where.file, {}).setdefault(finding.code, [])
            if where.line is not None:
                lines.append(where.line)
    return found


def writable_text(path: Path, project: Path) -> str | None:
    """The file's text, when the doctor may edit it: plain UTF-8 inside the project, and writable
    (a read-only file says its owner does not want it changed, even to root; replacing it would override that)."""
    editable, text = read_editable(path, project)
    if not editable or text is None or not os.access(path, os.W_OK) or not os.stat(path).st_mode & 0o222:
        return None
    return text
