"""Values read from a project's TOML and JSON, checked for the shape the reader expects.

A lock or a pyproject is untrusted data: `package` may be an integer, `markers` a list,
`metadata` a number. Code that iterates or calls `.get` on whatever it finds crashes, some of
it while the run is still being set up. So every value is asked for as what it must be (a
table, an array, a string); a value of another shape reads as empty, and `Shape` notes where
it was and what it was, so the reader can report a finding about that file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# How many wrong values a finding lists; the rest are counted.
SHOWN = 10


# What each parsed type is called in the file format's own words (bool before int: True is an int).
_KINDS = ((bool, "true/false"), (int, "an integer"), (float, "a number"), (str, "a string"), (dict, "a table"),
          (list, "an array"))


def kind(value: Any) -> str:
    """What a parsed value is, in the file format's own words."""
    return next((name for type_, name in _KINDS if isinstance(value, type_)), type(value).__name__)


def table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def array(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


@dataclass
class Shape:
    """Reads the values of one parsed file, noting each one whose shape is wrong."""

    file: str
    wrong: list[str] = field(default_factory=list)
    count: int = 0

    def _note(self, what: str, expected: str, value: Any) -> None:
        self.count += 1
        if len(self.wrong) < SHOWN:
            self.wrong.append(f"{what} should be {expected}, not {kind(value)}")

    def table(self, value: Any, what: str) -> dict[str, Any]:
        """A table; absent (None) reads as an empty one without a note."""
        if value is not None and not isinstance(value, dict):
            self._note(what, "a table", value)
        return table(value)

    def array(self, value: Any, what: str) -> list[Any]:
        if value is not None and not isinstance(value, list):
            self._note(what, "an array", value)
        return array(value)

    def text(self, value: Any, what: str) -> str | None:
        if value is not None and not isinstance(value, str):
            self._note(what, "a string", value)
            return None
        return value

    def texts(self, value: Any, what: str) -> list[str]:
        """An array of strings; the elements that are not strings are left out."""
        return [item for item in self.array(value, what) if self.text(item, f"an element of {what}") is not None]

    def summary(self) -> str:
        values = "a value" if self.count == 1 else f"{self.count} values"
        return f"{self.file} holds {values} of the wrong shape, read as empty: {self.wrong[0]}"
