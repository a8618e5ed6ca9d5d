"""Matching a model name to the family a table knows, so dated and prefixed names find their row."""

from __future__ import annotations

from typing import Iterable


def family(model: str, known: Iterable[str], separators: str = "-") -> str | None:
    """The longest known name that `model` is, or starts with followed by a separator.

    "gpt-4o-2024-08-06" and "openai/gpt-4o" both find "gpt-4o"; the provider prefix is ignored.
    """
    name = model.split("/")[-1].lower()
    for prefix in sorted(known, key=len, reverse=True):
        if name == prefix or any(name.startswith(prefix + sep) for sep in separators):
            return prefix
    return None
