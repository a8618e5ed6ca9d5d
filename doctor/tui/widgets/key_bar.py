"""The key bar: the app's bindings on one line, each key clickable.

One widget, where Textual's Footer builds one per key: the first frame paints sooner.
When the line is too narrow for every key, the ones that the command palette and the help
also offer go first; help, the palette and quit always stay, so nothing is out of reach.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.widget import Widget

# Left out first when the line is short, in this order; every other key always shows.
DROPPED_FIRST = ("rerun_all", "copy_location", "toggle_offline", "copy_commands", "rerun_selected", "apply_fix")
PALETTE = Binding("ctrl+p", "command_palette", "palette", key_display="^p")


def _key(binding: Binding) -> Content:
    key = binding.key_display or binding.key.replace("question_mark", "?")
    return Content.from_markup(f"[@click=app.{binding.action}][b $accent] {key} [/]{binding.description}[/]")


def key_line(bindings: list[Binding], width: int) -> Content:
    """The keys that fit in `width` cells: two spaces apart, else one, else without the keys least needed."""
    shown = [b for b in bindings if b.show] + [PALETTE]
    droppable = [action for action in DROPPED_FIRST if any(b.action == action for b in shown)]
    while True:
        for gap in ("  ", " "):
            line = Content(gap).join(_key(b) for b in shown)
            if line.cell_length <= width or not droppable:
                return line
        gone = droppable.pop(0)
        shown = [b for b in shown if b.action != gone]


class KeyBar(Widget):
    def __init__(self, bindings: list[Binding], **kwargs) -> None:
        super().__init__(**kwargs)
        self.bindings = bindings

    def render(self) -> Content:
        return key_line(self.bindings, self.size.width)
