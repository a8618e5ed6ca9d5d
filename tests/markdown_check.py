"""Reads Markdown the way a renderer does (markdown-it-py, with tables) and lists what would show
broken: a table that fell apart into text, a heading that skips a level, a relative link or image
whose file or anchor does not exist."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt

from checks.guide import anchor

_PARSER = MarkdownIt("commonmark").enable("table")


def tokens(text: str) -> list:
    return _PARSER.parse(text)


def headings(text: str) -> list[tuple[int, str]]:
    """(level, text) of every heading, in order."""
    found, stream = [], tokens(text)
    for n, token in enumerate(stream):
        if token.type == "heading_open":
            found.append((int(token.tag[1]), stream[n + 1].content))
    return found


def anchors(text: str) -> set[str]:
    return {anchor(_plain(title)) for _, title in headings(text)}


def _plain(title: str) -> str:
    return title.replace("`", "").replace("*", "")


def heading_problems(text: str) -> list[str]:
    """One h1, first; no heading deeper than one level below the one before it."""
    problems, previous = [], 0
    for n, (level, title) in enumerate(headings(text)):
        if (level == 1) != (n == 0):
            problems.append(f"h{level} {title!r}: the page must open with its one h1")
        if previous and level > previous + 1:
            problems.append(f"h{level} {title!r} follows an h{previous}")
        previous = level
    return problems


def broken_tables(text: str) -> list[str]:
    """Lines of paragraphs that look like table rows: a table that did not parse as one (a missing
    delimiter row, a blank line or text in the middle of it)."""
    rows = []
    for token in tokens(text):
        if token.type == "inline" and token.map is not None:
            rows += [line for line in token.content.splitlines() if line.startswith("|") and line.rstrip().endswith("|")]
    return rows


def links(text: str) -> list[str]:
    """Every link target and image source."""
    found = []
    for token in tokens(text):
        for child in token.children or ():
            if child.type == "link_open":
                found.append(child.attrs["href"])
            elif child.type == "image":
                found.append(child.attrs["src"])
    return found


def broken_links(page: Path) -> list[str]:
    """The relative links of a page whose file does not exist, or whose #anchor is no heading there."""
    broken = []
    for target in links(page.read_text(encoding="utf-8")):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or target.startswith("mailto:"):
            continue
        where = (page.parent / unquote(parts.path)).resolve() if parts.path else page
        if not where.exists():
            broken.append(f"{target}: no such file")
        elif parts.fragment and where.suffix == ".md" and parts.fragment not in anchors(
                where.read_text(encoding="utf-8")):
            broken.append(f"{target}: no such heading")
    return broken
