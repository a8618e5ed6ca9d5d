"""Counting in words: "1 file", "2 files", "1 branch", "3 branches".

One place for the plural, so no report says "1 commits" or "version(s)".
"""

from __future__ import annotations


def plural(noun: str) -> str:
    """The plural of the nouns the reports count (branch → branches, file → files)."""
    return f"{noun}es" if noun.endswith(("ch", "sh", "s", "x")) else f"{noun}s"


def counted(count: int, noun: str) -> str:
    """`count` and the noun, singular for exactly one."""
    return f"{count} {noun if count == 1 else plural(noun)}"
