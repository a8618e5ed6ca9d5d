"""Reads requirements.txt and compares versions as pip does, with `packaging` doing the real work.

Real files hold more than `name==version`: `pip freeze` writes `-e` lines, `name @ url`
lines and comments; hand-written ones carry `--hash` options and line continuations.
Every line that pip itself would reject is kept, with its number, so it can be named.

`packaging` takes ~10 ms to import, so it is imported when a check first needs it, not
with the registry: the TUI paints the list of checks before any of them runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from doctor.files import read_bytes

if TYPE_CHECKING:
    from packaging.requirements import Requirement
    from packaging.version import Version

MAX_REQUIREMENTS_BYTES = 2 * 1024 * 1024
_COMMENT = re.compile(r"(^|\s+)#.*$")
_OPTION_TAIL = re.compile(r"\s+--?[a-zA-Z].*$")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9_.\-]+)")


@dataclass(frozen=True)
class Pin:
    """A requirement for one distribution; `version` is set only for an exact `==` pin."""

    name: str
    line: int
    spec: str
    version: str | None


@dataclass(frozen=True)
class Requirements:
    pins: dict[str, Pin]
    invalid: tuple[tuple[int, str], ...]

    def get(self, name: str) -> Pin | None:
        from packaging.utils import canonicalize_name

        return self.pins.get(canonicalize_name(name))


class UnreadableRequirements(Exception):
    """The file cannot be read as text at all."""


def read_requirements(path: Path) -> Requirements:
    found = read_bytes(path, MAX_REQUIREMENTS_BYTES)
    if not found.ok:
        raise UnreadableRequirements(found.problem or "cannot be read")
    try:
        text = (found.data or b"").decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableRequirements("is not UTF-8 text") from None
    if "\x00" in text:
        raise UnreadableRequirements("is a binary file")
    return parse_requirements(text)


def logical_lines(text: str) -> list[tuple[int, str]]:
    """Joins backslash continuations and drops comments, keeping each line's first number."""
    joined: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        line = _COMMENT.sub("", raw)
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined.append((start, (pending + line).strip()))
        pending = ""
    if pending.strip():
        joined.append((start, pending.strip()))
    return [(n, line) for n, line in joined if line]


def parse_requirements(text: str) -> Requirements:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    pins: dict[str, Pin] = {}
    invalid: list[tuple[int, str]] = []
    for number, line in logical_lines(text):
        if line.startswith(("-e", "--editable")):
            egg = _EGG.search(line)
            if egg:
                name = canonicalize_name(egg.group(1))
                pins[name] = Pin(name, number, line, None)
            continue
        if line.startswith("-"):
            continue  # -r, -c, --index-url and friends: options, not requirements
        spec_text = _OPTION_TAIL.sub("", line)
        try:
            requirement = Requirement(spec_text)
        except InvalidRequirement as error:
            invalid.append((number, str(error).splitlines()[0][:120]))
            continue
        name = canonicalize_name(requirement.name)
        pins[name] = Pin(name, number, spec_text, _exact_version(requirement))
    return Requirements(pins, tuple(invalid))


def _exact_version(requirement: Requirement) -> str | None:
    if requirement.url:
        return None
    specs = list(requirement.specifier)
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        return specs[0].version
    return None


def parse_version(text: str) -> Version | None:
    """A comparable version, or None when `text` is not a PEP 440 version."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text)
    except InvalidVersion:
        return None
