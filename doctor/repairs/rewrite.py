"""What a repair returns: the new text, in words what it did, and whether it is safe.

Safety follows ruff's convention: a *safe* edit can only make the intended change, so
`--fix` applies it; an *unsafe* one may change behaviour beyond that (a guessed timeout,
a migration that changes which exceptions a handler catches) and needs `--unsafe-fixes`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SAFE = "safe"
UNSAFE = "unsafe"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


@dataclass(frozen=True)
class Rewrite:
    after: str
    summary: str
    safety: str = SAFE

    @property
    def safe(self) -> bool:
        return self.safety == SAFE


def lines_of(text: str) -> list[str]:
    """The lines with their own endings, split only on \\r\\n, \\r and \\n (as python-dotenv and
    Python count lines; str.splitlines also splits on form feeds and other separators)."""
    return _LINE.findall(text)


def ending_of(line: str) -> str:
    return line[len(line.rstrip("\r\n")):]
