"""The machine report: exactly one JSON document, as DESIGN.md specifies (schema version 1).

The schema ships beside this module as report.schema.json.
"""

from __future__ import annotations

import json
from typing import Any

from doctor.model import Report, Status

SCHEMA_VERSION = 1


def to_dict(report: Report, strict: bool = False) -> dict[str, Any]:
    summary: dict[str, Any] = {s.value: report.count(s) for s in Status}
    summary.update(exit_code=report.exit_code(strict), duration_ms=report.duration_ms,
                   tokens_used=report.tokens_used)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "llm-doctor", "version": report.tool_version},
        "project": report.project,
        "interpreter": report.interpreter or None,
        "interpreter_source": report.interpreter_source,
        "summary": summary,
        "checks": [
            {
                "id": check.id,
                "title": check.title,
                "status": result.status.value,
                "code": result.code,
                "message": result.message,
                "details": list(result.details),
                "fix": result.fix.to_dict() if result.fix else None,
                "duration_ms": result.duration_ms,
                "live": check.live,
                "findings": [finding.to_dict() for finding in result.problems],
            }
            for check, result in report.entries
        ],
    }


def render(report: Report, strict: bool = False) -> str:
    return json.dumps(to_dict(report, strict), indent=2, ensure_ascii=False) + "\n"
