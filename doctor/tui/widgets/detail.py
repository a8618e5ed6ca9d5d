"""The right-hand panel: what the selected check found and where, why it matters, and how to fix it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from doctor.model import Check, Finding, Result
from doctor.render import links
from doctor.tui.widgets.findings import FindingList
from doctor.tui.widgets.status import MARKS, STYLES, WORDS
from doctor.tui.wrap import Para, Wrapped, para

_SECTION = re.compile(r"^(What it checks|Why it fails|How to fix):\s*", re.M)
_BLANK = para()


def doc_section(doc: str, name: str) -> str:
    """One paragraph of a check's docstring ("What it checks", "Why it fails", "How to fix")."""
    parts = _SECTION.split(doc)
    for title, body in zip(parts[1::2], parts[2::2]):
        if title == name:
            return " ".join(body.replace("`", "").split())
    return ""


@dataclass(frozen=True)
class Description:
    """The panel's content: a head, the findings to pick from (when any has a place), then the rest."""

    head: Wrapped
    findings: tuple[Finding, ...]
    body: Wrapped


def located(result: Result | None) -> tuple[Finding, ...]:
    """The result's findings when at least one says where it is: they are listed, each with its place."""
    problems = result.problems if result is not None else ()
    return problems if any(f.location is not None for f in problems) else ()


def own_details(result: Result, listed: tuple[Finding, ...]) -> tuple[str, ...]:
    """The result's details less the "also CODE: message" line `model.from_findings` adds for each other
    finding: a listed finding already shows its message, with its place."""
    also = {f"also {f.code}: {f.message}" for f in listed[1:]}
    return tuple(d for d in result.details if d not in also)


def describe(check: Check, result: Result | None, fix_title: str | None, running: bool) -> Description:
    """The panel's text for one check, in the order a beginner needs it."""
    if result is None:
        state = "running…" if running else "waiting"
        head = [para(Content.assemble((check.title, "bold"), (f"  {state}", "$text-muted")))]
        body = [_BLANK, para(Content.styled("What it checks", "bold")), para(doc_section(check.doc, "What it checks"))]
        return Description(Wrapped(head), (), Wrapped(body))
    style = STYLES[result.status]
    code = f"  {result.code}" if result.code else ""
    head = [para(Content.assemble((result.titled(check), f"bold {style}"), (f"  {WORDS[result.status]}{code}",
                                                                          "$text-muted")),
                 Content.styled(f"{MARKS[result.status]} ", f"bold {style}"))]
    findings = located(result)
    body: list[Para] = []
    if findings:
        body.append(para(Content.styled("press l to copy the selected finding's place", "$text-muted"), "  "))
    else:
        head.append(para(result.message))
    details = own_details(result, findings)
    if details:
        body += [_BLANK, *(para(d, "• ") for d in details)]
    body += _fix(result, style)
    if fix_title and result.status.value in ("warn", "fail"):
        body += [_BLANK, para(Content.assemble(("press f", "bold $accent"), f" to apply the fix: {fix_title}"))]
    why = result.cause or doc_section(check.doc, "Why it fails")
    if why and result.status.value in ("warn", "fail"):
        body += [_BLANK, para(Content.styled("Why this matters", "bold")), para(why)]
    if result.status.value == "pass":
        body += [_BLANK, para(Content.styled(doc_section(check.doc, "What it checks"), "$text-muted"))]
    return Description(Wrapped(head), findings, Wrapped(body))


def _fix(result: Result, style: str) -> list[Para]:
    """How to fix: steps, commands and links, each wrapping under its own text, never inside a word."""
    fix = result.fix
    if fix is None or result.status.value not in ("warn", "fail", "error"):
        return []
    lines = [_BLANK, para(Content.styled("How to fix", f"bold {style}")), para(fix.summary)]
    lines += [para(step, f"  {n}. ") for n, step in enumerate(fix.steps, start=1)]
    lines += [para(Content.styled(command, "bold"), "  $ ") for command in fix.commands]
    if fix.commands:
        lines.append(para(Content.styled("press c to copy the commands", "$text-muted"), "  "))
    lines += [para(Content.styled(link, "underline"), "  ") for link in fix.links]
    if fix.guide:
        lines.append(para(Content.assemble(("Guide: ", "$text-muted"), (links.guide_text(fix.guide), "italic"))))
    pages = links.pages_text(finding.code for finding in result.problems)
    if pages:
        lines.append(para(Content.assemble(("More: ", "$text-muted"), (pages, "$text-muted"))))
    return lines


MORE_BELOW = "↓ more below (Tab, PgDn)"


class DetailPanel(VerticalScroll):
    """Shows a `Description`; scrolls when the fix is long (Tab here, then the arrows or PgUp/PgDn).

    While part of it is out of sight below, its bottom border says so and how to get there: on a
    small terminal the fix is often what is below.
    """

    def compose(self):
        yield Static(id="detail-head")
        yield FindingList(id="findings")
        yield Static(id="detail-body")

    def show(self, description: Description) -> None:
        self.query_one("#detail-head", Static).update(description.head)
        self.query_one(FindingList).show(description.findings)
        self.query_one("#detail-body", Static).update(description.body)
        self.scroll_home(animate=False)
        self.call_after_refresh(self._say_what_is_below)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._say_what_is_below()

    def on_resize(self) -> None:
        self.call_after_refresh(self._say_what_is_below)

    def _say_what_is_below(self) -> None:
        self.border_subtitle = MORE_BELOW if self.scroll_y < self.max_scroll_y else ""

    @property
    def selected_finding(self) -> Finding | None:
        return self.query_one(FindingList).selected
