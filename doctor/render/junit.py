"""JUnit XML: one testcase per check, the format CI dashboards read.

A failure or a crash becomes <failure> or <error>; a skip becomes <skipped>. JUnit has no
warning, so a warning passes with its text in <system-out>, and fails under --strict.
"""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

from doctor.model import Report, Result, Status
from doctor.render import links


def _text(result: Result) -> str:
    lines = [result.message, *result.details]
    if result.fix is not None:
        lines += ["", f"Fix: {result.fix.summary}", *result.fix.steps, *(f"$ {c}" for c in result.fix.commands)]
        if result.fix.guide:
            lines.append(f"Guide: {links.guide_text(result.fix.guide)}")
    pages = links.pages_text(finding.code for finding in result.problems)
    if pages:
        lines.append(f"More: {pages}")
    return "\n".join(lines)


def render(report: Report, strict: bool = False) -> str:
    failures = report.count(Status.FAIL) + (report.count(Status.WARN) if strict else 0)
    seconds = f"{report.duration_ms / 1000:.3f}"
    counts = {"tests": str(len(report.entries)), "failures": str(failures),
              "errors": str(report.count(Status.ERROR)), "skipped": str(report.count(Status.SKIP)), "time": seconds}
    suites = ET.Element("testsuites", name="llm-doctor", **counts)
    suite = ET.SubElement(suites, "testsuite", name="llm-doctor", **counts,
                          timestamp=datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None).isoformat(),
                          hostname=socket.gethostname() or "localhost")
    for check, result in report.entries:
        case = ET.SubElement(suite, "testcase", classname=f"llm-doctor.{check.group}", name=check.id,
                             time=f"{result.duration_ms / 1000:.3f}")
        code = result.code or ""
        if result.status is Status.FAIL or (strict and result.status is Status.WARN):
            ET.SubElement(case, "failure", message=result.message, type=code).text = _text(result)
        elif result.status is Status.ERROR:
            ET.SubElement(case, "error", message=result.message, type=code).text = _text(result)
        elif result.status is Status.SKIP:
            ET.SubElement(case, "skipped", message=result.message)
        elif result.status is Status.WARN:
            ET.SubElement(case, "system-out").text = f"warning {code}: {_text(result)}"
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
