"""The `?` screen: keys, statuses, and where the fixes come from."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from doctor.tui.screens.dialog import Dialog

HELP = """\
[b]Keys[/b]
  ↑ ↓ / mouse  select a check; its fix shows on the right
  r            re-run the selected check and what needs it
  R            re-run everything (after editing .env, say)
  o            offline mode on or off
  c            copy the selected fix's commands
  f            apply the safe fix offered (preview first)
  ctrl+p       command palette: themes and commands
  q            quit

[b]Marks[/b]  [$success]✓[/] passed  [$warning]![/] warning  [$error]✗[/] failed  – skipped  ☠ crashed

Each fix names the guide section it comes from. The key is
only ever shown masked. Exit code on quit: 0 ok, 1 failed, 3 crashed."""


class HelpScreen(Dialog[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static("llm-doctor help", classes="dialog-title")
            yield Static(HELP)
