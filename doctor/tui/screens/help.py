"""The `?` screen: keys, statuses, and where the fixes come from."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

HELP = """\
[b]Keys[/b]
  ↑ ↓ or the mouse   select a check; its fix shows on the right
  r                  re-run the selected check and what depends on it
  R                  re-run everything (after you edit .env, for example)
  o                  switch offline mode on or off
  c                  copy the selected fix's commands
  f                  apply the safe fix offered for the selected check (preview first)
  ctrl+p             command palette (themes and commands)
  q                  quit

[b]Marks[/b]
  [$success]✓[/] passed   [$warning]![/] warning   [$error]✗[/] failed   – skipped   ☠ the check crashed

Every fix names the section of the beginner's guide it belongs to.
The key is never shown: only its prefix, last four characters and a fingerprint.
Exit code when you quit: 0 no failure, 1 a check failed, 3 a check crashed."""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("llm-doctor help", classes="dialog-title")
            yield Static(HELP)
