"""The right-hand panel: what the selected check found, why it matters, and how to fix it."""

from __future__ import annotations

import re

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from doctor.model import Check, Result
from doctor.tui.widgets.status import MARKS, STYLES, WORDS

_SECTION = re.compile(r"^(What it checks|Why it fails|How to fix):\s*", re.M)


def doc_section(doc: str, name: str) -> str:
    """One paragraph of a check's docstring ("What it checks", "Why it fails", "How to fix")."""
    parts = _SECTION.split(doc)
    for title, body in zip(parts[1::2], parts[2::2]):
        if title == name:
            return " ".join(body.replace("`", "").split())
    return ""


def describe(check: Check, result: Result | None, fix_title: str | None, running: bool) -> Content:
    """The panel's text for one check, in the order a beginner needs it."""
    lines: list[Content] = []
    if result is None:
        state = "running…" if running else "waiting"
        lines.append(Content.assemble((check.title, "bold"), (f"  {state}", "$text-muted")))
        lines += [Content(""), Content.styled("What it checks", "bold"), Content(doc_section(check.doc, "What it checks"))]
        return Content("\n").join(lines)
    style = STYLES[result.status]
    code = f"  {result.code}" if result.code else ""
    lines.append(Content.assemble((f"{MARKS[result.status]} {result.titled(check)}", f"bold {style}"),
                                  (f"  {WORDS[result.status]}{code}", "$text-muted")))
    lines.append(Content(result.message))
    if result.details:
        lines.append(Content(""))
        lines += [Content(f"• {d}") for d in result.details]
    fix = result.fix
    if fix is not None and result.status.value in ("warn", "fail", "error"):
        lines += [Content(""), Content.styled("How to fix", f"bold {style}"), Content(fix.summary)]
        lines += [Content(f"  {n}. {step}") for n, step in enumerate(fix.steps, start=1)]
        lines += [Content.assemble("  $ ", (command, "bold")) for command in fix.commands]
        if fix.commands:
            lines.append(Content.styled("  press c to copy the commands", "$text-muted"))
        lines += [Content.styled(f"  {link}", "underline") for link in fix.links]
        if fix.guide:
            lines.append(Content.assemble(("Guide: ", "$text-muted"), (f"“{fix.guide}”", "italic")))
    if fix_title and result.status.value in ("warn", "fail"):
        lines += [Content(""), Content.assemble(("press f", "bold $accent"), f" to apply the safe fix: {fix_title}")]
    why = result.cause or doc_section(check.doc, "Why it fails")
    if why and result.status.value in ("warn", "fail"):
        lines += [Content(""), Content.styled("Why this matters", "bold"), Content(why)]
    if result.status.value == "pass":
        lines += [Content(""), Content.styled(doc_section(check.doc, "What it checks"), "$text-muted")]
    return Content("\n").join(lines)


class DetailPanel(VerticalScroll):
    """Shows `describe()` for the selected check; scrolls when the fix is long."""

    def compose(self):
        yield Static(id="detail-text")

    def show(self, content: Content) -> None:
        self.query_one("#detail-text", Static).update(content)
        self.scroll_home(animate=False)
