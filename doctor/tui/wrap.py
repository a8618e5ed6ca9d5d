"""Text that wraps the way a reader needs it: under itself, and never inside a word.

Textual wraps at spaces and cuts a word longer than the line wherever the line ends, so a
URL or a command broken mid-word can be neither read nor typed, and a numbered step's
second line starts under its number. Here a long word breaks just after a separator (`/`,
`?`, `&`, `=`, `#`, else `.`, `-`, `_`, `:`...), and is cut only where none is in reach;
each paragraph's continuation lines start under its text, not under its lead (a number, a
bullet, a status mark).
"""

from __future__ import annotations

import re
from typing import Sequence

from rich.cells import cell_len
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

from doctor.namedtuples import named_tuple

_WORD = re.compile(r"[^ \t\n]+")
GLUE = "\u00a0"  # a no-break space keeps two words on one line; it is shown as a plain space
_SEPARATORS = ("/?&=#", ".-_:,;@+")


def line_spans(text: str, width: int) -> list[tuple[int, int]]:
    """Where each line of `text` starts and ends (as offsets) when it is wrapped at `width` cells."""
    spans: list[tuple[int, int]] = []
    start = 0
    for line in text.split("\n"):
        spans += [(start + a, start + b) for a, b in _wrap_line(line, max(width, 1))]
        start += len(line) + 1
    return spans


def _wrap_line(line: str, width: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    begin = end = used = 0
    for word in _WORD.finditer(line):
        a, b = word.span()
        if end > begin and not _starts_here(line[a:b], width - used - cell_len(line[end:a]), width):
            spans.append((begin, end))
            begin, used = a, 0
        else:
            used += cell_len(line[end:a])
        while cell_len(line[a:b]) > width - used:
            cut = a + (_separator_cut(line[a:b], width - used) or max(width - used, 1))
            spans.append((begin, cut))
            begin = a = cut
            used = 0
        used += cell_len(line[a:b])
        end = b
    spans.append((begin, max(begin, end)))
    return spans


def _starts_here(word: str, room: int, width: int) -> bool:
    """Whether a word may start in the `room` left on a line: whole, or, when no line could hold it, up to
    a separator (a URL starts after "at", not alone on the next line)."""
    return cell_len(word) <= room or (cell_len(word) > width and _separator_cut(word, room) > 0)


def _separator_cut(word: str, room: int) -> int:
    """How much of a word too long for its line fits on it, ending just after a separator; 0 when none is near.

    After `/` (or `?`, `&`...) is best; after `.` or `-` is taken when it fills the line much better.
    """
    head = word[:max(room, 0)]
    strong, weak = (max(head.rfind(s) for s in separators) + 1 for separators in _SEPARATORS)
    if strong and strong >= room // 2:
        return strong
    best = max(strong, weak)
    return best if best > room // 3 else 0


@named_tuple
class Para:
    """A paragraph: `lead` on its first line only, `body` wrapped under itself."""

    body: Content = Content("")
    lead: Content = Content("")

    def lines(self, width: int) -> list[Content]:
        indent = self.lead.cell_length
        spans = enumerate(line_spans(self.body.plain, width - indent))
        return [(self.lead if n == 0 else Content(" " * indent)) + _unglued(self.body[a:b]) for n, (a, b) in spans]


def _unglued(content: Content) -> Content:
    return Content(content.plain.replace(GLUE, " "), content.spans) if GLUE in content.plain else content


def para(body: Content | str = "", lead: Content | str = "") -> Para:
    return Para(Content(body) if isinstance(body, str) else body, Content(lead) if isinstance(lead, str) else lead)


class Wrapped(Visual):
    """Paragraphs one under the other, each wrapped by `line_spans` with a hanging indent."""

    def __init__(self, paragraphs: Sequence[Para]) -> None:
        self.paragraphs = tuple(paragraphs)
        self._lines: tuple[int, list[Content]] = (-1, [])

    def __str__(self) -> str:
        return "\n".join(p.lead.plain + p.body.plain for p in self.paragraphs).replace(GLUE, " ")

    def lines(self, width: int) -> list[Content]:
        if self._lines[0] != width:
            self._lines = (width, [line for p in self.paragraphs for line in p.lines(width)])
        return self._lines[1]

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max((p.lead.cell_length + cell_len(line) for p in self.paragraphs for line in p.body.plain.split("\n")),
                   default=0)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self.lines(width))

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        return Content("\n").join(self.lines(width)).render_strips(width, height, style, options)
