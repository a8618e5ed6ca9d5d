"""The key bar: the app's bindings on one line, each key clickable.

One widget, where Textual's Footer builds one per key: the first frame paints sooner.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static


def key_line(bindings: list[Binding]) -> Content:
    parts: list[Content] = []
    for binding in bindings:
        if not binding.show:
            continue
        key = binding.key_display or binding.key.replace("question_mark", "?")
        parts.append(Content.from_markup(f"[@click=app.{binding.action}][b $accent] {key} [/]{binding.description}[/]"))
    parts.append(Content.from_markup("[@click=app.command_palette][b $accent] ^p [/]palette[/]"))
    return Content("  ").join(parts)


class KeyBar(Static):
    def __init__(self, bindings: list[Binding], **kwargs) -> None:
        super().__init__(key_line(bindings), **kwargs)
