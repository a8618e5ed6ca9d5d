"""`llm-doctor explain` output: the diagnosis, its cause, the fix and the guide section."""

from __future__ import annotations

import json
from typing import Any

from checks.explain import Explanation
from doctor.render import links


def to_dict(result: Explanation) -> dict[str, Any]:
    diagnosis = result.diagnosis
    return {
        "code": diagnosis.code if diagnosis else "unknown",
        "title": diagnosis.title if diagnosis else "not recognised",
        "confidence": result.confidence,
        "cause": diagnosis.cause if diagnosis else result.note,
        "fix": diagnosis.fix.to_dict() if diagnosis else None,
        "evidence": result.evidence,
        "alternatives": [{"code": d.code, "title": d.title} for d in result.alternatives],
        "page": links.page(diagnosis.code) if diagnosis else None,
        "other_errors": [{"code": d.code, "title": d.title} for d in result.others],
    }


def to_json(result: Explanation) -> str:
    return json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n"


def to_text(result: Explanation) -> str:
    diagnosis = result.diagnosis
    if diagnosis is None:
        lines = [f"unknown: not recognised ({result.note})."]
        if result.alternatives:
            lines.append("Closest candidates: " + ", ".join(f"{d.code} ({d.title})" for d in result.alternatives))
        lines.append("Run `llm-doctor check` in the project to test it directly, or `llm-doctor list`.")
        return "\n".join(lines) + "\n"
    sure = "" if result.confidence == "exact" else f"  (confidence: {result.confidence})"
    lines = [f"{diagnosis.code}: {diagnosis.title}{sure}", "", f"Why: {diagnosis.cause}"]
    if result.evidence:
        lines.append("Seen: " + "; ".join(dict.fromkeys(result.evidence)))
    fix = diagnosis.fix
    lines += ["", f"Fix: {fix.summary}"]
    lines += [f"  {n}. {step}" for n, step in enumerate(fix.steps, start=1)]
    lines += [f"  $ {command}" for command in fix.commands]
    if fix.guide:
        lines.append(f"Guide: {links.guide_text(fix.guide)}")
    if links.has_page(diagnosis.code):
        lines.append(f"Page: {links.pages_text([diagnosis.code])}")
    if result.alternatives:
        lines += ["", "Also possible: " + ", ".join(d.code for d in result.alternatives)]
    if result.others:
        lines += ["", f"{result.note}. The others: " + ", ".join(f"{d.code} ({d.title})" for d in result.others)]
    return "\n".join(lines) + "\n"
