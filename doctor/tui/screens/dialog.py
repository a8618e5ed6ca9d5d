"""The look every modal dialog shares: a bordered box in the middle of the screen.

Its styles live here, not in doctor.tcss, so Textual parses them the first time a dialog
opens rather than before the app's first frame.
"""

from __future__ import annotations

from textual.screen import ModalScreen, ScreenResultType


class Dialog(ModalScreen[ScreenResultType]):
    """A modal screen whose content sits in a container with id `dialog`; `.dialog-keys` says its keys."""

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
    }
    #dialog {
        width: 76;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    .dialog-title {
        text-style: bold;
        margin-bottom: 1;
    }
    .dialog-keys {
        margin-top: 1;
        color: $text-muted;
    }
    /* Under 30 lines every row counts: the answers must stay on screen at 60x20. */
    Dialog.-short #dialog {
        padding: 0 1;
    }
    Dialog.-short .dialog-title, Dialog.-short .dialog-keys {
        margin: 0;
    }
    """
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
