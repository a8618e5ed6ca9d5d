"""A reference point for bench/tui_startup.py: the least a Textual front end can cost.

It does the start-up every llm-doctor command shares (arguments, the environment, the
check registry), then paints the plainest possible app: the check titles in an OptionList
and one Static. Whatever `llm-doctor`'s first frame costs beyond this is the app itself.
"""

from __future__ import annotations

import gc
import sys

from doctor.cli import parse_args
from doctor.commands.check import FRAME_SLICE_SECONDS
from doctor.context import environ_snapshot


def main() -> None:
    parse_args(sys.argv[1:])
    environ_snapshot()
    gc.disable()  # as `llm-doctor` does while Textual loads,
    sys.setswitchinterval(FRAME_SLICE_SECONDS)  # and for its whole run
    from textual.app import App, ComposeResult
    from textual.widgets import OptionList, Static

    import checks

    class TrivialApp(App[None]):
        def compose(self) -> ComposeResult:
            options = OptionList(*(c.title for c in checks.ALL_CHECKS))
            options.border_title = "Checks"
            yield options
            yield Static("done · ")  # what the benchmark waits for before it quits the app

        def key_q(self) -> None:
            self.exit()

    TrivialApp().run()


if __name__ == "__main__":
    main()
