"""The top line: the tool's name, then the project it is diagnosing and the doctor's version.

One Static, where Textual's Header composes four widgets and a clock: the first frame
paints a few milliseconds sooner (bench/tui_startup.py).
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class TitleBar(Static):
    def __init__(self, subtitle: str, **kwargs) -> None:
        super().__init__(Content.assemble(("✚ llm-doctor", "bold"), (f"  {subtitle}", "$text-muted")), **kwargs)
