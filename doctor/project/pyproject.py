"""The project's pyproject.toml, read once: the settings table, the dependencies and requires-python all come from here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from doctor.files import read_bytes

MAX_PYPROJECT_BYTES = 2 * 1024 * 1024
# tomllib's time and memory grow with the square of a dotted key's parts (20,000 parts: 2 GB);
# real keys have a handful.
MAX_KEY_PARTS = 128
_KEY_PART = r"""(?:[\w\-]+|"[^"\n]*"|'[^'\n]*')"""
_DOTTED_KEY = re.compile(rf"""(?<![\w\-"'.]){_KEY_PART}(?:[ \t]*\.[ \t]*{_KEY_PART})*""")


@dataclass(frozen=True)
class Pyproject:
    """The parsed file (`data`), or why it could not be parsed (`problem`); absent when neither."""

    path: Path
    exists: bool = False
    data: Mapping[str, Any] = field(default_factory=dict)
    problem: str | None = None

    def table(self, *names: str) -> Any:
        """A nested value such as table("tool", "poetry"), or None when any level is missing or not a table."""
        node: Any = self.data
        for name in names:
            if not isinstance(node, Mapping):
                return None
            node = node.get(name)
        return node


def parse_toml(raw: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """TOML to data, or None and the reason: bad UTF-8, bad TOML, keys or nesting too deep to parse."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "is not UTF-8 text"
    if deepest_key(text) > MAX_KEY_PARTS:
        return None, f"has a dotted key of more than {MAX_KEY_PARTS} parts, deeper than the doctor reads"
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as error:
        return None, f"is not valid TOML ({error})"
    except RecursionError:
        return None, "is nested too deeply to parse"
    except ValueError:  # an integer past int()'s 4,300 digits: tomllib lets that ValueError through
        return None, "holds a number too long to read (over 4,300 digits)"


def deepest_key(text: str) -> int:
    """The most parts of any dotted key (`a.b.c` has 3), looked for only on lines with that many dots."""
    deepest = 1
    for line in text.splitlines():
        if line.count(".") >= MAX_KEY_PARTS:
            for key in _DOTTED_KEY.finditer(line):
                deepest = max(deepest, len(re.findall(r"""[ \t]*\.[ \t]*(?=[\w\-"'])""", key.group(0))) + 1)
    return deepest


def read_pyproject(project: Path) -> Pyproject:
    path = project / "pyproject.toml"
    found = read_bytes(path, MAX_PYPROJECT_BYTES)
    if not found.exists:
        return Pyproject(path)
    if not found.ok:
        return Pyproject(path, True, problem=found.problem)
    data, problem = parse_toml(found.data or b"")
    return Pyproject(path, True, data or {}, problem)
