"""The project's Python, parsed with `ast` and never run: scripts, modules and notebooks.

A notebook's code cells are joined into one module, in order, because cells share their
names (a client built in cell 2 is used in cell 5); IPython's `%magic`, `!shell` and `?help`
lines become blank lines so the line numbers still hold. A position is reported the way an
editor or GitHub can open it: a line of the `.py` file, or for a notebook the line of the
`.ipynb` file that holds that source line, with "cell N, line M" in words.

A file that cannot be parsed (Python 2, a merge conflict, a notebook that is not JSON, a
binary file named `.py`) is data, `Unreadable`, with the line where parsing stopped.
"""

from __future__ import annotations

import ast
import json
import re
import warnings

from doctor.files import FileRead
from doctor.namedtuples import named_tuple

# Patterns for what few files hold (a conflict, Python 2, a notebook's magics), compiled on first use by
# `re`'s own cache: compiling them at import cost most of a millisecond of every run that reads code.
_CONFLICT = r"(?m)^(?:<<<<<<<|>>>>>>>)(?: |$)"
_SUSPECT = rb"(?m)^(?:<<<<<<<|>>>>>>>)(?: |$)|^[ \t]*(?:print|exec)[ \t]+[\"'\w]"
SUSPECT_WORDS = (b"\0", b"<<<<<<<", b">>>>>>>", b"print ", b"exec ")  # what looks_broken() looks further at
_MAGIC = r"^\s*(?:[%!]|\?|\w[\w.]*\?\??\s*$)"


@named_tuple
class Position:
    """Where a node is, for a finding: the file's line and column, and a label for people."""

    line: int
    column: int | None
    label: str  # "line 12", or "cell 3, line 2" in a notebook
    cell: int | None = None  # in a notebook: the cell, from 1 among all its cells
    cell_line: int | None = None  # and the line in that cell, from 1


@named_tuple
class Unreadable:
    """A file that could not be parsed. `broken`: Python itself would fail on it too (a syntax
    error, a merge conflict); otherwise the doctor only chose not to read it (too large, a link
    out of the project, not text)."""

    path: str
    line: int | None
    reason: str
    broken: bool = False


@named_tuple
class Source:
    """One parsed file. `cells` maps the module's line numbers back to a notebook's cells."""

    path: str
    tree: ast.Module
    cells: tuple[tuple[int, int], ...] = ()  # (first module line, cell index), for each code cell kept
    cell_lines: tuple[tuple[int, ...], ...] = ()  # per cell: the .ipynb line of each source line

    @property
    def notebook(self) -> bool:
        return self.path.endswith(".ipynb")

    def position(self, node: ast.AST) -> Position:
        line, column = getattr(node, "lineno", 1), getattr(node, "col_offset", None)
        column = column + 1 if column is not None else None
        if not self.notebook:
            return Position(line, column, f"line {line}")
        for index, (start, cell) in reversed(list(enumerate(self.cells))):
            if line >= start:
                within = line - start + 1
                raw = self.cell_lines[index]
                return Position(raw[min(within, len(raw)) - 1] if raw else 1, None, f"cell {cell + 1}, line {within}",
                                cell + 1, within)
        return Position(1, None, f"line {line}")


def looks_broken(data: bytes) -> bool:
    """A cheap look for what stops Python: NUL bytes, a merge conflict marker, a Python 2 print.
    A file that holds none of SUSPECT_WORDS never looks broken."""
    if b"\0" in data:
        return True
    if not any(word in data for word in SUSPECT_WORDS[1:]):
        return False
    return re.search(_SUSPECT, data) is not None


def parse_file(path: str, found: FileRead) -> Source | Unreadable:
    """The parsed file, or why it could not be parsed."""
    if not found.ok:
        return Unreadable(path, None, found.problem or "cannot be read")
    data = found.data or b""
    if b"\0" in data[:8192]:
        return Unreadable(path, None, "is a binary file, not Python source", broken=True)
    if not path.endswith(".ipynb"):
        return _parse_module(path, data)
    text = found.text()
    return _parse_notebook(path, text) if text is not None else Unreadable(path, None, "is not UTF-8 text")


def _parse_module(path: str, data: bytes) -> Source | Unreadable:
    """Parses the bytes, as Python does, so a `# -*- coding: ... -*-` line is honoured."""
    try:
        return Source(path, _ast(data, path))
    except SyntaxError as error:
        return Unreadable(path, error.lineno, _why(error, data.decode("utf-8", "replace")), broken=True)
    except (ValueError, RecursionError, MemoryError) as error:
        return Unreadable(path, None, f"cannot be parsed ({type(error).__name__})")


def _ast(text: str | bytes, path: str) -> ast.Module:
    with warnings.catch_warnings():  # invalid escape sequences in the project's code are not ours to report
        warnings.simplefilter("ignore")
        return ast.parse(text, filename=path)


def _why(error: SyntaxError, text: str) -> str:
    lines = text.splitlines()
    line = lines[error.lineno - 1] if error.lineno and error.lineno <= len(lines) else ""
    if re.search(_CONFLICT, text) or line.startswith("======="):
        return "holds a merge conflict marker"
    if re.match(r"\s*(print|exec)\s+[^\s(=]", line):
        return "looks like Python 2, which Python 3 cannot run"
    return f"is not valid Python ({error.msg})"


def _parse_notebook(path: str, text: str) -> Source | Unreadable:
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as error:
        why = "holds a merge conflict marker" if re.search(_CONFLICT, text) else f"is not valid JSON ({error.msg})"
        return Unreadable(path, error.lineno, why, broken=True)
    except (ValueError, RecursionError):
        return Unreadable(path, None, "is not valid JSON", broken=True)
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        return Unreadable(path, None, "is not a notebook (no list of cells)", broken=True)
    raw_lines = _source_lines(text, len(cells))
    body: list[ast.stmt] = []
    starts, cell_lines = [], []
    next_line = 1
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            source = "".join(source)
        if not isinstance(source, str):
            continue  # null, a number, a list of other things: not a cell Jupyter could run
        if source.lstrip().startswith("%%"):
            continue  # a cell magic: the cell is another language
        magic = re.compile(_MAGIC)
        code = "\n".join("" if magic.match(line) else line for line in source.split("\n"))
        try:
            tree = _ast(code, path)
        except (SyntaxError, ValueError, RecursionError):
            continue  # one broken cell does not hide the others
        ast.increment_lineno(tree, next_line - 1)
        body += tree.body
        starts.append((next_line, index))
        cell_lines.append(raw_lines[index] if index < len(raw_lines) else ())
        next_line += code.count("\n") + 1
    return Source(path, ast.Module(body=body, type_ignores=[]), tuple(starts), tuple(cell_lines))


def _source_lines(text: str, count: int) -> list[tuple[int, ...]]:
    """For each cell, the .ipynb line holding each of its source lines (nbformat writes one per
    JSON string); empty where the file is laid out otherwise."""
    decoder = json.JSONDecoder()
    counted = [0, 1]  # (offset, its line): lines are counted forward only, once

    def line_at(offset: int) -> int:
        counted[1] += text.count("\n", counted[0], offset)
        counted[0] = offset
        return counted[1]

    found: list[tuple[int, ...]] = []
    for match in re.finditer(r'"source"\s*:\s*', text):
        position = match.end()
        if position < counted[0]:
            return []  # "source" inside a string already read: not the layout expected
        if not text.startswith("[", position):
            found.append((line_at(position),))
            continue
        lines, position = [], position + 1
        while True:
            while position < len(text) and text[position] in " \t\r\n,":
                position += 1
            if position >= len(text) or text[position] != '"':
                break
            lines.append(line_at(position))
            _, position = decoder.raw_decode(text, position)
        found.append(tuple(lines))
    return found if len(found) == count else []
