"""SARIF 2.1.0, for GitHub code scanning: one rule per diagnosis code, one result per finding.

A rule carries the catalogue's explanation: its title, its cause, the fix, the guide's
section and the code's page, so a pull request shows why the line matters next to the line.
The links are relative (paths in llm-doctor's repository) and sit in the rule's help: SARIF
wants helpUri absolute, and the docs have no published address yet. File paths are relative
to the repository when the project sits in one (code scanning resolves them from the
repository's root), else to the project.

Code scanning refuses a result without a location. A finding that concerns the project as
a whole (a key the API rejects, a network that cannot reach it) is anchored at line 1 of
the project's own record of its setup (pyproject.toml, requirements.txt...), and says so;
with none of those files, it is left out of the results and named in the run's
notifications instead, so nothing is silently lost.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from doctor.model import Check, Finding, Report, Status
from doctor.render import links

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/llm-api-doctor/"
_LEVEL = {Status.FAIL: "error", Status.ERROR: "error", Status.WARN: "warning"}
# Where a project-wide finding is shown, in order of preference.
ANCHORS = ("pyproject.toml", "requirements.txt", "Pipfile", "setup.py", "setup.cfg", ".env.example", "README.md")


def render(report: Report) -> str:
    project = Path(report.project)
    prefix = _repository_prefix(project)
    anchor = next((name for name in ANCHORS if (project / name).is_file()), None)
    rules, index = _rules(report)
    results: list[dict[str, Any]] = []
    unplaced: list[dict[str, Any]] = []
    for check, result in report.entries:
        for finding in result.problems:
            level = _LEVEL.get(finding.within(result.status))
            if level is None:
                continue
            entry = _result(check, finding, level, index[finding.code], prefix, anchor)
            (results if entry is not None else unplaced).append(
                entry or {"level": level, "message": {"text": f"{finding.code}: {finding.message}"}})
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "llm-doctor", "version": report.tool_version, "informationUri": INFORMATION_URI,
                            "rules": rules}},
        "results": results,
        "invocations": [{"executionSuccessful": report.count(Status.ERROR) == 0,
                         "exitCode": report.exit_code(),
                         "toolExecutionNotifications": unplaced}],
    }
    return json.dumps({"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def _rules(report: Report) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One rule per code the run's checks may report (stable between runs), plus any code they found."""
    from checks import guide
    from checks.catalogue import CATALOGUE

    codes = list(dict.fromkeys([*(code for check, _ in report.entries for code in check.codes),
                                *(f.code for _, result in report.entries for f in result.problems)]))
    rules = []
    for code in codes:
        entry = CATALOGUE.get(code)
        rule: dict[str, Any] = {"id": code, "name": "".join(part.title() for part in code.split("-"))}
        if entry is not None:
            fix = entry.fix
            steps = "".join(f"\n{n}. {step}" for n, step in enumerate(fix.steps, 1))
            page = guide.code_page(code)
            text_guide = f"\n\nThe guide: \"{fix.guide}\", {guide.section_link(fix.guide)}." if fix.guide else ""
            markdown_guide = f"\n\nThe guide: {links.guide_markdown(fix.guide)}." if fix.guide else ""
            rule |= {"shortDescription": {"text": entry.title}, "fullDescription": {"text": entry.cause},
                     "help": {"text": f"{fix.summary}{steps}{text_guide}\n\nMore: {page}",
                              "markdown": f"**Fix:** {fix.summary}{steps}{markdown_guide}\n\n"
                                          f"More: {links.code_markdown(code)}"},
                     "properties": {"guide": fix.guide or "", "docs": page}}
        rules.append(rule)
    return rules, {code: n for n, code in enumerate(codes)}


def _result(check: Check, finding: Finding, level: str, rule: int, prefix: str,
            anchor: str | None) -> dict[str, Any] | None:
    where = finding.location
    message = finding.message
    if where is not None and where.file:
        region: dict[str, int] = {"startLine": where.line or 1}
        if where.line and where.column:
            region["startColumn"] = where.column
        uri = where.file
    elif anchor is not None:
        region, uri = {"startLine": 1}, anchor
        message = f"{message} (about the whole project, not this file)"
    else:
        return None
    return {
        "ruleId": finding.code, "ruleIndex": rule, "level": level,
        "message": {"text": f"{message}" + (f" Fix: {finding.fix.summary}" if finding.fix else "")},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(prefix, uri)}, "region": region}}],
        "properties": {"check": check.id},
    }


def _repository_prefix(project: Path) -> str:
    """The project's folder relative to its repository's root ("" when it is the root or in none)."""
    here = project.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            relative = os.path.relpath(here, folder)
            return "" if relative == "." else relative.replace(os.sep, "/") + "/"
    return ""


def _uri(prefix: str, path: str) -> str:
    from urllib.parse import quote

    return quote(prefix + path.replace(os.sep, "/"), safe="/")
