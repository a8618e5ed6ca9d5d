"""The Markdown report: a summary table and one section per problem, ready for an issue or a ticket."""

from __future__ import annotations

from doctor.model import Report, Result, Status
from doctor.redact import escape_controls
from doctor.render import links

ICONS = {Status.PASS: "✅", Status.WARN: "⚠️", Status.FAIL: "❌", Status.SKIP: "⏭️", Status.ERROR: "💥"}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _problem(title: str, result: Result, same_cause_as: str | None = None) -> list[str]:
    lines = [f"### {ICONS[result.status]} {title} — {links.code_markdown(result.code)}", "", _cell(result.message), ""]
    if same_cause_as is not None:
        return lines + [f"Same cause as *{same_cause_as}*, above.", ""]
    located = [f for f in result.problems if f.location is not None]
    lines += [f"- `{f.location}` {links.code_markdown(f.code)}: {_cell(f.message)}" for f in located]
    lines += [f"- {_cell(d)}" for d in result.details if not any(d == f"also {f.code}: {f.message}" for f in located)]
    fix = result.fix
    if fix is not None:
        lines += ["", f"**Fix:** {_cell(fix.summary)}", ""]
        lines += [f"{n}. {_cell(step)}" for n, step in enumerate(fix.steps, start=1)]
        if fix.commands:
            lines += ["", "```sh", *fix.commands, "```"]
        lines += [f"- <{link}>" for link in fix.links]
        if fix.guide:
            lines += ["", f"Guide: {links.guide_markdown(fix.guide)}"]
    return lines + [""]


def body(report: Report) -> str:
    counts = ", ".join(f"{report.count(s)} {s.value}" for s in Status if report.count(s))
    lines = [f"**Result:** {counts} — exit code {report.exit_code()}, {report.duration_ms} ms, "
             f"{report.tokens_used} tokens used", "",
             "| | check | result | code | time |", "|---|---|---|---|---|"]
    for check, result in report.entries:
        code = links.code_markdown(result.code) if result.code else ""
        lines.append(f"| {ICONS[result.status]} | {result.titled(check)} (`{check.id}`) | {_cell(result.message)} | {code} "
                     f"| {result.duration_ms} ms |")
    lines.append("")
    first_with: dict[str, str] = {}  # a failing code -> the title of the first check that failed with it
    for check, result in report.entries:
        if result.status in (Status.WARN, Status.FAIL, Status.ERROR) and result.code:
            title = result.titled(check)
            earlier = first_with.get(result.code) if result.status is Status.FAIL else None
            lines += _problem(title, result, earlier)
            if result.status is Status.FAIL:
                first_with.setdefault(result.code, title)
    return "\n".join(lines)


def render(report: Report) -> str:
    return (f"## llm-doctor {report.tool_version}\n\nProject `{_cell(escape_controls(report.project))}`, "
            f"Python `{_cell(escape_controls(report.interpreter))}`\n\n" + body(report) + "\n")
