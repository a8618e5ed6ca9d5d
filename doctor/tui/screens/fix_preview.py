"""Shows a fix as a diff (and says when it is unsafe) and asks before writing anything: `y` writes it, Enter, `n` or Esc do not."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from doctor.fixes import FilePlan
from doctor.tui.screens.confirm import Confirm


def diff_content(diff: str) -> Content:
    styles = {"+": "$success", "-": "$error", "@": "$accent"}
    return Content("\n").join(
        Content.styled(line, styles.get(line[:1], "") if not line.startswith(("+++", "---")) else "bold")
        for line in diff.splitlines()
    )


UNSAFE_WARNING = ("An unsafe fix: it may change what the code does beyond this edit (as --unsafe-fixes "
                  "does on the command line). Read the change before you press y.")


def first_change(diff: str) -> int:
    """The line of the diff where the change starts (its first + or - line), 0 when there is none."""
    lines = diff.splitlines()
    return next((n for n, line in enumerate(lines) if line[:1] in "+-" and not line.startswith(("+++", "---"))), 0)


class FixPreview(Confirm):
    """True when the user confirms the change.

    On a small screen the diff's box is short: it opens scrolled to the first changed line, the arrow
    and page keys scroll it while the answer buttons keep the focus, and its border says when more is
    below, so nobody is asked to say yes to a change they cannot see.
    """

    BINDINGS = [Binding("down,j", "scroll_diff(1)", show=False), Binding("up,k", "scroll_diff(-1)", show=False),
                Binding("pagedown", "scroll_diff(10)", show=False), Binding("pageup", "scroll_diff(-10)", show=False)]

    DEFAULT_CSS = """
    #diff {
        height: auto;
        max-height: 14;
        border: round $primary 40%;
        margin-bottom: 1;
    }
    /* The diff scrolls in what the answers leave: a third of a short screen. */
    FixPreview.-short #diff {
        max-height: 33vh;
        margin-bottom: 0;
    }
    .muted {
        color: $text-muted;
    }
    .unsafe {
        color: $warning;
        text-style: bold;
    }
    """

    def __init__(self, plan: FilePlan, diff: str, backups: str) -> None:
        super().__init__()
        self.plan, self.diff, self.backups = plan, diff, backups

    def compose(self) -> ComposeResult:
        backup = f"A copy of the old file is kept in {self.backups}." if self.plan.before is not None \
            else f"{self.plan.path.name} does not exist yet; it will be created."
        with Vertical(id="dialog"):
            yield Static(self.plan.title, classes="dialog-title")
            if self.plan.safety == "unsafe":
                yield Static(UNSAFE_WARNING, classes="unsafe")
            with VerticalScroll(id="diff"):
                yield Static(diff_content(self.diff))
            yield Static(f"{backup} Nothing is written until you press y.", classes="muted")
            yield from self.answers("Apply the fix", "Cancel")

    def on_mount(self) -> None:
        self.call_after_refresh(self._show_change)

    def _show_change(self) -> None:
        box = self.query_one("#diff", VerticalScroll)
        box.scroll_to(y=max(0, first_change(self.diff) - 1), animate=False)
        self.call_after_refresh(self._say_what_is_hidden)

    def action_scroll_diff(self, lines: int) -> None:
        box = self.query_one("#diff", VerticalScroll)
        box.scroll_to(y=box.scroll_y + lines, animate=False)
        self.call_after_refresh(self._say_what_is_hidden)

    def _say_what_is_hidden(self) -> None:
        box = self.query_one("#diff", VerticalScroll)
        box.border_subtitle = "↑ ↓ PgUp PgDn scroll" if box.max_scroll_y > 0 else ""
