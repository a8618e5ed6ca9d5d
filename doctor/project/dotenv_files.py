"""Finds and reads the project's `.env` the way python-dotenv does, and notes what its parser hides.

`load_dotenv()` looks for `.env` in the script's folder and then in every folder above
it, so a monorepo's root `.env` is the user's `.env`: it is found the same way here, and
named by its path from the project (`../../.env`). python-dotenv itself parses the text,
and `${VAR}` references are expanded as it expands them (the shell's value first, since
`load_dotenv()` does not override), so the doctor sees exactly the values the user's code
would load. Around it sits what the parser does not tell: where each value sits (line
numbers), lines it drops with only a warning, duplicate keys, a BOM, and files that
cannot be text at all. Values never leave this module in messages.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping

from doctor.files import read_bytes
from doctor.project.unread import Unread

MAX_DOTENV_BYTES = 1024 * 1024
# A value after `${VAR}` expansion is cut here (the file itself is capped at MAX_DOTENV_BYTES),
# and expansion stops once it has produced this much text in all.
MAX_VALUE_CHARS = 64 * 1024
EXPANSION_BUDGET = 4 * 1024 * 1024
VALUE_CUT = (f"is longer than {MAX_VALUE_CHARS // 1024} KB after ${{...}} expansion; the doctor read its first "
             f"{MAX_VALUE_CHARS // 1024} KB (its own cap, not a problem of the file)")
NOT_EXPANDED = (f"was not expanded: the doctor stops expanding ${{...}} after {EXPANSION_BUDGET // (1024 * 1024)} MB "
                "in all (its own cap, not a problem of the file), so it read the value as written")
_NAME_END = re.compile(r"[}:]")
_LEADING_NEWLINES = re.compile(r"\r\n|\n|\r")
_KEY_GUESS = re.compile(r"\s*(?:export\s+)?['\"]?([A-Za-z_][A-Za-z0-9_.\-]*)")


@dataclass(frozen=True)
class Entry:
    """One `KEY=value` line as python-dotenv parsed it. `value` is None for a bare `KEY`."""

    key: str
    value: str | None
    line: int
    raw: str | None = None  # before ${VAR} expansion, when it differs
    cut: str | None = None  # what the doctor's own cap left out of `value` (VALUE_CUT or NOT_EXPANDED)


@dataclass(frozen=True)
class Unparsed:
    """A line python-dotenv drops with only a warning: the key it seems to set, and why it fails."""

    line: int
    key: str | None
    reason: str


@dataclass(frozen=True)
class DotenvFile:
    """A `.env` file: whether it exists, why it cannot be read, and what it holds."""

    path: Path
    exists: bool
    problem: str | None = None
    shown: str = ".env"  # its path from the project folder, as messages name it
    entries: tuple[Entry, ...] = ()
    unparsed: tuple[Unparsed, ...] = ()
    bom: bool = False
    kind: str = "file"  # what the path is when it is not a readable file (see doctor/files.py)
    unfinished: str | None = None  # why it was not read: only an UnreadDotenv has it

    @property
    def readable(self) -> bool:
        return self.exists and self.problem is None

    def get(self, key: str) -> Entry | None:
        """The entry python-dotenv would use: the last one wins."""
        found = [e for e in self.entries if e.key == key]
        return found[-1] if found else None

    def values(self) -> dict[str, str | None]:
        return {e.key: e.value for e in self.entries}

    def duplicates(self) -> dict[str, list[int]]:
        lines: dict[str, list[int]] = {}
        for entry in self.entries:
            lines.setdefault(entry.key, []).append(entry.line)
        return {k: v for k, v in lines.items() if len(v) > 1}


class UnreadDotenv(Unread, DotenvFile):
    """A `.env` not read before the run's deadline: where it is answers, anything it holds raises
    NotFinished (see doctor/project/unread.py)."""

    KNOWN = frozenset({"path", "exists", "shown", "kind"})


def locate_dotenv(project: Path) -> Path:
    """The `.env` that `load_dotenv()` in the project's folder finds: there or in a folder above."""
    folder = project.resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / ".env"
        if os.path.lexists(path):
            return path
    return project / ".env"


def shown_path(path: Path, project: Path) -> str:
    """`.env`, or `../../.env` for one found above the project."""
    try:
        return os.path.relpath(path, project.resolve()).replace(os.sep, "/")
    except ValueError:  # another drive on Windows
        return str(path)


def read_dotenv(path: Path, shell: Mapping[str, str] | None = None, shown: str = ".env") -> DotenvFile:
    """Reads and parses `path`; any reason it cannot be used becomes `problem`, never an exception."""
    found = read_bytes(path, MAX_DOTENV_BYTES)
    if not found.exists:
        return DotenvFile(path, exists=False, shown=shown)
    if found.kind == "too-large":
        return DotenvFile(path, True, problem="is larger than 1 MB; a .env file holds a few short lines", shown=shown)
    if not found.ok:
        return DotenvFile(path, True, problem=found.problem, kind=found.kind, shown=shown)
    text, problem, bom = decode_text(found.data or b"")
    if problem:
        return DotenvFile(path, exists=True, problem=problem, shown=shown)
    entries, unparsed = parse_entries(text)
    return DotenvFile(path, True, entries=expand(entries, shell or {}), unparsed=unparsed, bom=bom, shown=shown)


def expand(entries: tuple[Entry, ...], shell: Mapping[str, str]) -> tuple[Entry, ...]:
    """`${VAR}` and `${VAR:-default}` resolved as python-dotenv resolves them without override:
    from the shell first, then from earlier lines of the file.

    Linear in the file: the names in reach are kept in one mapping updated line by line (not
    rebuilt for each line), references are found by a scan (see `variables`), every value is
    cut at MAX_VALUE_CHARS after expansion, and once EXPANSION_BUDGET characters have been
    produced the remaining references are left as written: 24 lines that each double the one
    before would otherwise want gigabytes. Either cap is noted on the entry (`cut`), so the
    checks that read the value say the doctor's cap was hit instead of judging what it saw."""
    from dotenv.variables import Literal

    context: dict[str, str | None] = dict(shell)
    truncated: set[str] = set()  # names whose value in `context` is cut: a reference to one is cut too
    budget = EXPANSION_BUDGET
    expanded = []
    for entry in entries:
        value = entry.value
        if value is not None and "${" in value and budget > 0:
            pieces, size, cut = [], 0, False
            for atom in variables(value):
                piece = atom.value if isinstance(atom, Literal) else atom.resolve(context)
                cut |= not isinstance(atom, Literal) and atom.name in truncated  # a cut value, taken whole
                whole = len(piece) <= MAX_VALUE_CHARS - size
                pieces.append(piece[:MAX_VALUE_CHARS - size])
                size += len(pieces[-1])
                if not whole:
                    cut = True
                    break
            resolved = "".join(pieces)
            budget -= len(resolved)
            if resolved != value:
                entry = replace(entry, value=resolved, raw=value, cut=VALUE_CUT if cut else None)
        elif value is not None and "${" in value:
            entry = replace(entry, cut=NOT_EXPANDED)
        if entry.key not in shell:  # load_dotenv() does not override: the shell's value stays in reach
            context[entry.key] = entry.value
            (truncated.add if entry.cut == VALUE_CUT else truncated.discard)(entry.key)
        expanded.append(entry)
    return tuple(expanded)


def variables(value: str) -> list[Any]:
    """python-dotenv's `parse_variables`, as a scan: the same atoms (its own Literal and Variable)
    for every value, in time linear in the value. Its regular expression retries the rest of the
    value at every `${`, so `${${${...` of 100 KB takes minutes."""
    from dotenv.variables import Literal, Variable

    atoms: list[Any] = []
    cursor = start = 0
    while (start := value.find("${", start)) >= 0:
        # The name runs to the first '}' or ':'; a reference starting later inside it stops at the same place.
        stop = _NAME_END.search(value, start + 2)
        if stop is None:
            break
        end, default = stop.start(), None
        if value[end] == ":":
            if not value.startswith(":-", end):
                start = end + 1
                continue
            close = value.find("}", end + 2)
            if close < 0:
                break  # no '}' anywhere after: no reference can close
            default, end = value[end + 2:close], close
        if start > cursor:
            atoms.append(Literal(value[cursor:start]))
        atoms.append(Variable(value[start + 2:stop.start()], default))
        cursor = start = end + 1
    if cursor < len(value):
        atoms.append(Literal(value[cursor:]))
    return atoms


def decode_text(raw: bytes) -> tuple[str, str | None, bool]:
    """Decodes as python-dotenv does (UTF-8), naming the encodings it trips on.

    Returns the text, a problem (or None), and whether a UTF-8 byte order mark led it.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "", "is UTF-16 encoded (PowerShell's `>` writes that); python-dotenv reads UTF-8", False
    if b"\x00" in raw:
        return "", "is a binary file (it holds NUL bytes), not text", False
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return "", f"is not valid UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start})", False
    return text.removeprefix("\ufeff"), None, bom


def why_unparsed(statement: str) -> str:
    """What is wrong with a statement python-dotenv could not parse, in words a fix can use."""
    head, sep, value = statement.partition("=")
    if not sep:
        return "it uses ':' where '=' belongs" if ":" in statement.split()[0] else "it has no '=' sign"
    if " " in head.strip().removeprefix("export ").strip():
        return "the name before '=' holds a space"
    first_line = value.strip().splitlines()[0].rstrip() if value.strip() else ""
    quote = first_line[:1]
    if quote in ("'", '"') and (len(first_line) == 1 or not first_line.endswith(quote)):
        return f"its quote ({quote}) is never closed"
    return "its value is not written the way python-dotenv reads it"


def parse_entries(text: str) -> tuple[tuple[Entry, ...], tuple[tuple[int, str | None], ...]]:
    """Parses with python-dotenv's own parser; returns entries and the lines it drops,
    each with the variable name it seems to set (never its value)."""
    from dotenv.parser import parse_stream

    entries: list[Entry] = []
    unparsed: list[Unparsed] = []
    for binding in parse_stream(io.StringIO(text)):
        original = binding.original.string
        leading = original[: len(original) - len(original.lstrip())]
        line = binding.original.line + len(_LEADING_NEWLINES.findall(leading))
        if binding.error:
            guess = _KEY_GUESS.match(original.strip())
            unparsed.append(Unparsed(line, guess.group(1) if guess else None, why_unparsed(original.strip())))
        elif binding.key is not None:
            entries.append(Entry(binding.key, binding.value, line))
    return tuple(entries), tuple(unparsed)

