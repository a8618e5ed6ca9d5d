"""The `?` screen: every key, the marks, and what the exit code means.

The keys are a table of two columns whose descriptions wrap under themselves, so the help
reads the same in a dialog 76 columns wide and in one of 50.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from doctor.tui.screens.dialog import Dialog
from doctor.tui.wrap import Wrapped, para

KEYS = (
    ("↑ ↓, mouse", "select a check; its details show on the right"),
    ("Tab", "move to the details (then ↑ ↓ PgUp PgDn scroll them), then to the list of findings "
            "(↑ ↓ pick one); shift+Tab moves back"),
    ("r", "re-run the selected check, the checks that read the same files, and the checks that need them"),
    ("R", "re-run everything (after editing .env, say)"),
    ("o", "offline mode on or off"),
    ("c", "copy the selected fix's commands"),
    ("l", "copy the selected finding's place (file:line), for your editor"),
    ("f", "apply the fix offered (you see the change first; an unsafe one, which may change behaviour, says so)"),
    ("?", "this help"),
    ("ctrl+p", "command palette: themes, the commands above, and a screenshot (saved as an SVG file in the "
               "current folder)"),
    ("Esc", "close a dialog; in a question it answers no, as Enter and n do"),
    ("q, ctrl+c, ctrl+q", "quit (mid-run, the doctor says how many checks did not finish)"),
)

MARKS = "[b]Marks[/b]  [$success]✓[/] passed  [$warning]![/] warning  [$error]✗[/] failed  – skipped  ☠ crashed"
NOTES = ("Each fix names the guide section it comes from. The key is only ever shown masked.",
         "[b]Exit code on quit[/b], as [i]llm-doctor check[/i] gives it: 0 nothing failed, 1 a check failed, 3 a "
         "check crashed. Quit before every check has finished, with none failed or crashed yet: 130, interrupted, "
         "since a check that did not finish did not pass.")


def help_text() -> Wrapped:
    width = max(len(key) for key, _ in KEYS) + 4
    keys = [para(what, Content(f"  {key}".ljust(width))) for key, what in KEYS]
    blank = para()
    return Wrapped([para(Content.from_markup("[b]Keys[/b]")), *keys, blank, para(Content.from_markup(MARKS)),
                    *(p for note in NOTES for p in (blank, para(Content.from_markup(note))))])


class HelpScreen(Dialog[None]):
    BINDINGS = [Binding("escape,enter,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static("llm-doctor help", classes="dialog-title")
            yield Static(help_text())
            yield Static("Esc, Enter or ? closes this help.", classes="dialog-keys")
