"""Shows a fix as a diff (and says when it is unsafe) and asks before writing anything: `y` writes it, Enter, `n` or Esc do not."""

from __future__ import annotations

from textual.app import ComposeResult
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


class FixPreview(Confirm):
    """True when the user confirms the change."""

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
