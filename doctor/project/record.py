"""The project's record of its packages: what it declares, and what it pins or locks.

The record is, in this order: a lock file (`uv.lock`, `poetry.lock`, `Pipfile.lock`,
`pdm.lock`), then requirements files (`requirements.txt` with its `-r`/`-c` includes, or
`requirements/*.txt`), then `[project].dependencies` in pyproject.toml. Locks are read
with tomllib and json only, the requirements grammar with `packaging`. Every requirement
and locked package keeps its file and line, so a finding can point at it. Markers are
kept as text and evaluated later, for the target interpreter (`applies`).

Reading never fails: a file that cannot be read, parsed or understood (a merge
conflict, a lock from a future format, an include loop) becomes a `problem` finding,
and what could be read is still used.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

from doctor.files import read_bytes
from doctor.model import Finding, Location, Status
from doctor.namedtuples import named_tuple
from doctor.project.pyproject import Pyproject, parse_toml
from doctor.project.shapes import Shape, table
from doctor.project.tools import tool_name
from doctor.project.unread import Unread

if TYPE_CHECKING:
    from packaging.version import Version

MAX_RECORD_BYTES = 2 * 1024 * 1024
MAX_INCLUDES = 50
MAX_VERSION_CHARS = 100
MAX_MARKER_CHARS = 2000
MAX_MARKER_DEPTH = 16
MAX_LOCKED = 20_000  # packages read from one lock: far more than any real project locks
# Lock format versions this reader understands; a newer one is read as far as it goes, with a warning.
KNOWN_LOCK_VERSIONS = {"uv.lock": 1, "poetry.lock": 2, "pdm.lock": 4, "Pipfile.lock": 6, "pylock.toml": 1}
LOCK_ORDER = ("uv.lock", "poetry.lock", "Pipfile.lock", "pdm.lock", "pylock.toml")
_OPTION = re.compile(r"^(-r|--requirement|-c|--constraint)\s*(?:=\s*)?(\S+)")  # one way to split the spaces
_HASH = re.compile(r"\s--hash[=\s]\S+")
# The common shapes (`name`, `name[extra]>=1.2,<2`, `name==1.2 ; python_version < "3.12"`), read without
# packaging's full grammar, whose import alone costs more than the rest of reading a record.
# Every run of spaces belongs to the one part that follows it (two `\s*` side by side split a long
# run every possible way: a line of 2,000 spaces never ended), and the marker is greedy.
_SIMPLE_REQUIREMENT = re.compile(
    r"\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?:\s*\[[\w\s,.-]*\])?"
    r"(?P<spec>(?:\s*(?:===|==|!=|~=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+(?:\s*,(?=\s*[<>=!~]))?)*)"
    r"(?:\s*;\s*(?P<marker>\S(?:.*\S)?))?\s*")


def canonical(name: str) -> str:
    """PEP 503 names: the form every tool compares by ("Python_Dotenv" is "python-dotenv")."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_version(text: str) -> Version | None:
    """A comparable version, or None when `text` is not a PEP 440 version."""
    from packaging.version import InvalidVersion, Version

    if len(text) > MAX_VERSION_CHARS:
        return None
    try:
        return Version(text)
    except (InvalidVersion, ValueError):  # ValueError: a number past int()'s 4,300 digits
        return None


@named_tuple
class Declared:
    """A requirement as the record states it: `openai>=1.40 ; python_version < "3.12"`."""

    name: str
    spec: str
    marker: str | None
    where: Location
    hashed: bool = False
    constraint: bool = False  # from a -c file: it caps, it never adds a package

    @property
    def exact(self) -> str | None:
        """The version of an exact `==` pin (no wildcard), else None."""
        match = re.fullmatch(r"\s*===?\s*([^\s,*]+)\s*", self.spec)
        return match.group(1) if match else None


@named_tuple
class Locked:
    """A package a lock file fixes at one version; `default` when a plain sync installs it."""

    name: str
    version: str
    marker: str | None
    where: Location
    default: bool = True


@dataclass(frozen=True)
class Record:
    tool: str  # the tool that owns the record (see doctor/project/tools.py)
    kind: str  # "lock", "requirements", "pyproject" or "none"
    files: tuple[str, ...] = ()
    declared: tuple[Declared, ...] = ()
    locked: tuple[Locked, ...] = ()
    requires_python: tuple[str, Location] | None = None
    problems: tuple[Finding, ...] = ()
    hashed: bool = False  # pip's hash-checking mode: every line needs its hashes
    names_doctor: bool = False  # the record installs llm-api-doctor itself (a dev dependency)
    unfinished: str | None = None  # why it was not read: only an UnreadRecord has it

    @property
    def lock_file(self) -> str | None:
        return self.files[0] if self.kind == "lock" else None

    def declared_for(self, name: str, environment: Mapping[str, str] | None) -> list[Declared]:
        wanted = canonical(name)
        return [d for d in self.declared if d.name == wanted and applies(d.marker, environment)]

    def locked_for(self, name: str, environment: Mapping[str, str] | None) -> list[Locked]:
        wanted = canonical(name)
        return [p for p in self.locked if p.name == wanted and applies(p.marker, environment)]

    def pinned_version(self, name: str, environment: Mapping[str, str] | None) -> tuple[str, Location] | None:
        """The one version the record fixes for `name` here: a lock entry, or an exact pin
        (a constraint's pin counts when a requirement names the package)."""
        locked = self.locked_for(name, environment)
        if locked:
            return (locked[0].version, locked[0].where) if len({p.version for p in locked}) == 1 else None
        exact = [d for d in self.declared_for(name, environment) if d.exact]
        versions = {d.exact for d in exact}
        return (exact[0].exact, exact[0].where) if len(versions) == 1 else None  # type: ignore[return-value]


class UnreadRecord(Unread, Record):
    """A record not read before the run's deadline: the project's tool (known from its files'
    names) answers, anything the record holds raises NotFinished (see doctor/project/unread.py)."""

    KNOWN = frozenset({"tool"})


def parse_requirement(text: str) -> tuple[str, str, str | None]:
    """(canonical name, specifier, marker) of a PEP 508 requirement; ValueError when pip would reject it.

    A requirement with a URL (`name @ url`) has an empty specifier: it pins no version."""
    simple = _SIMPLE_REQUIREMENT.fullmatch(text)
    if simple:
        return canonical(simple["name"]), re.sub(r"\s+", "", simple["spec"]), simple["marker"]
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(text)
    except InvalidRequirement as error:
        raise ValueError(str(error).splitlines()[0][:100]) from None
    return (canonical(requirement.name), "" if requirement.url else str(requirement.specifier),
            str(requirement.marker) if requirement.marker else None)


_MARKER_TOKEN = re.compile(r"""\s*(\(|\)|===|==|!=|<=|>=|~=|<|>|not\s+in\b|in\b|and\b|or\b|'[^']*'|"[^"]*"|[a-z_.]+)""")
_VERSION_VARIABLES = ("python_version", "python_full_version", "implementation_version")


def _simple_marker(marker: str, environment: Mapping[str, str]) -> bool | None:
    """The common markers (`python_version < "3.12" and sys_platform != "win32"`) evaluated without
    packaging, whose marker module alone costs a tenth of the offline run; None for anything else."""
    tokens, position = [], 0
    while position < len(marker.rstrip()):
        match = _MARKER_TOKEN.match(marker, position)
        if match is None:
            return None
        tokens.append(match.group(1))
        position = match.end()

    def value(token: str) -> tuple[str, bool] | None:  # (text, is a version variable)
        if token[0] in "'\"":
            return token[1:-1], False
        return (environment[token], token in _VERSION_VARIABLES) if token in environment else None

    def compare(left: tuple[str, bool], op: str, right: tuple[str, bool]) -> bool | None:
        op = "not in" if op.startswith("not") else op
        if op in ("in", "not in"):
            return (left[0] in right[0]) == (op == "in")
        if left[1] or right[1]:
            try:
                a, b = (tuple(int(part) for part in side[0].split(".")) for side in (left, right))
            except ValueError:
                return None
            width = max(len(a), len(b))
            a, b = a + (0,) * (width - len(a)), b + (0,) * (width - len(b))
        elif op in ("==", "!="):
            a, b = left[0], right[0]  # type: ignore[assignment]
        else:
            return None
        return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}.get(op)

    def expression(i: int) -> tuple[bool | None, int]:
        result, i = conjunction(i)
        while i < len(tokens) and tokens[i] == "or":
            right, i = conjunction(i + 1)
            result = None if result is None or right is None else result or right
        return result, i

    def conjunction(i: int) -> tuple[bool | None, int]:
        result, i = atom(i)
        while i < len(tokens) and tokens[i] == "and":
            right, i = atom(i + 1)
            result = None if result is None or right is None else result and right
        return result, i

    def atom(i: int) -> tuple[bool | None, int]:
        if i < len(tokens) and tokens[i] == "(":
            result, i = expression(i + 1)
            return (result, i + 1) if i < len(tokens) and tokens[i] == ")" else (None, len(tokens))
        if i + 2 >= len(tokens):
            return None, len(tokens)
        left, right = value(tokens[i]), value(tokens[i + 2])
        if left is None or right is None:
            return None, len(tokens)
        return compare(left, tokens[i + 1], right), i + 3

    try:
        result, end = expression(0)
    except IndexError:
        return None
    return result if end == len(tokens) else None


def applies(marker: str | None, environment: Mapping[str, str] | None) -> bool:
    """Whether an environment marker holds for the target; unknown targets and bad markers count as yes."""
    if not marker or environment is None:
        return True
    if len(marker) > MAX_MARKER_CHARS or marker.count("(") > MAX_MARKER_DEPTH:
        return True  # no real marker is this long or this deep; evaluating it would exhaust the recursion limit
    simple = _simple_marker(marker, {"extra": "", **environment})
    if simple is not None:
        return simple
    from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName

    try:
        return Marker(marker).evaluate({"extra": "", **environment})
    except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName, ValueError, RecursionError):
        return True


def line_of(text: str, pattern: str, occurrence: int = 0) -> int | None:
    """The line (from 1) of the n-th match of a regular expression in `text`."""
    for count, match in enumerate(re.finditer(pattern, text, re.M)):
        if count == occurrence:
            return text.count("\n", 0, match.start()) + 1
    return None


def _read(path: Path) -> tuple[str | None, str | None]:
    found = read_bytes(path, MAX_RECORD_BYTES)
    if not found.ok:
        return None, found.problem
    try:
        return (found.data or b"").decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return None, "is not UTF-8 text"


def _problem(code: str, message: str, where: Location, fix_hint: str = "", status: Status = Status.FAIL) -> Finding:
    from doctor.model import Fix

    return Finding(status, code, message, Fix(fix_hint) if fix_hint else None, location=where)


_LINE_NUMBERS = re.compile(r"\bline \d+")


def fold(findings: Iterable[Finding]) -> list[Finding]:
    """One finding for each problem, however many lines repeat it: the first is kept and says how
    many more are like it (100,000 identical `-r` lines gave 100,000 findings and 600 MB of SARIF)."""
    groups: dict[tuple[str, str, str | None], list[Finding]] = {}
    for finding in findings:
        key = (finding.code, _LINE_NUMBERS.sub("line N", finding.message), finding.location and finding.location.file)
        groups.setdefault(key, []).append(finding)
    folded = []
    for same in groups.values():
        first = same[0]
        if len(same) > 1:
            first = replace(first, details=(*first.details, f"and {len(same) - 1:,} more like it"))
        folded.append(first)
    return folded


# -- requirements files -------------------------------------------------------------------

@dataclass
class _RequirementsReader:
    project: Path
    declared: list[Declared] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    hashed: bool = False
    names_doctor: bool = False
    done: set[tuple[Path, bool]] = field(default_factory=set)  # files read, as requirements or constraints

    def relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.project).as_posix()
        except ValueError:
            return str(path)

    def read(self, path: Path, constraint: bool = False, chain: tuple[Path, ...] = ()) -> None:
        name = self.relative(path)
        if path.resolve() in chain:
            self.problems.append(_problem("requirements-invalid", f"{name} includes itself through -r/-c (a loop)",
                                          Location(self.relative(chain[-1])), status=Status.WARN))
            return
        if (path.resolve(), constraint) in self.done:
            return  # the same file again adds nothing (pip reads it again, to the same effect)
        if len(self.files) >= MAX_INCLUDES:
            return
        text, problem = _read(path)
        if text is None:
            self.problems.append(_problem("requirements-invalid", f"{name} {problem}", Location(name),
                                          "pip cannot read it either; write it again as plain text"))
            return
        self.files.append(name)
        self.done.add((path.resolve(), constraint))
        invalid: list[tuple[int, str]] = []
        targets: dict[str, tuple[Path, bool]] = {}  # each include resolved once, however often it repeats
        for number, line in logical_lines(text):
            include = _OPTION.match(line)
            if include:
                if include.group(2) not in targets:
                    resolved = (path.parent / include.group(2)).resolve()
                    targets[include.group(2)] = resolved, resolved.is_file()
                target, exists = targets[include.group(2)]
                if not exists:
                    self.problems.append(_problem("requirements-invalid", f"{name} line {number} includes "
                                                  f"{include.group(2)}, which does not exist", Location(name, number)))
                    continue
                self.read(target, constraint or include.group(1) in ("-c", "--constraint"),
                          (*chain, path.resolve()))
                continue
            if line.startswith(("-e", "--editable")):
                from doctor.project.editable import editable_names_doctor

                self.names_doctor |= editable_names_doctor(line, self.project)
                continue
            if line.startswith("-"):
                continue  # --index-url and friends
            hashed = bool(_HASH.search(line))
            self.hashed |= hashed
            spec = _HASH.sub("", line).strip()
            spec = re.sub(r"\s--?[a-zA-Z][\w-]*(=\S+)?", "", spec).strip()  # other per-line options
            if spec.startswith((".", "/")) or "://" in spec.split(";")[0] and "@" not in spec:
                continue  # a local path or a bare URL: not a named requirement
            try:
                requirement, specifier, marker = parse_requirement(spec)
            except ValueError as error:
                invalid.append((number, str(error)))
                continue
            declared = Declared(requirement, specifier, marker, Location(name, number), hashed, constraint)
            self.names_doctor |= declared.name == "llm-api-doctor" and not constraint
            self.declared.append(declared)
        if invalid:
            from doctor.model import Fix

            lines = ", ".join(str(n) for n, _ in invalid[:10]) + (" and more" if len(invalid) > 10 else "")
            self.problems.append(Finding(
                Status.FAIL, "requirements-invalid", f"{name} has lines pip cannot read (line {lines})",
                Fix("Correct or remove those lines (a merge conflict marker, a typo): `pip install -r` stops at "
                    "the first one."), tuple(f"line {n}: {why}" for n, why in invalid[:10]),
                Location(name, invalid[0][0])))


def logical_lines(text: str) -> list[tuple[int, str]]:
    """Joins backslash continuations and drops comments, keeping each line's first number."""
    joined: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        line = without_comment(raw)
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        joined.append((start, " ".join([*pending, line]).strip()))
        pending = []
    if pending and " ".join(pending).strip():
        joined.append((start, " ".join(pending).strip()))
    return [(n, line) for n, line in joined if line]


def without_comment(line: str) -> str:
    """The line before a `#` that starts it or follows whitespace, as pip reads comments; a scan,
    since the pattern `(^|\\s+)#.*$` retries a long run of spaces at each of its positions."""
    position = line.find("#")
    while position > 0 and not line[position - 1].isspace():
        position = line.find("#", position + 1)
    return line if position < 0 else line[:position].rstrip()


def requirement_files(project: Path) -> list[Path]:
    """requirements.txt, or else the files of a requirements/ folder, in name order."""
    top = project / "requirements.txt"
    if top.exists() or top.is_symlink():
        return [top]
    folder = project / "requirements"
    if folder.is_dir():
        return sorted(p for p in folder.glob("*.txt") if p.is_file())[:MAX_INCLUDES]
    return []


# -- lock files ---------------------------------------------------------------------------

def _version_problem(name: str, found: Any, where: Location) -> Finding | None:
    """A lock of format `name` whose version is not one the doctor reads; `where` names its file."""
    known = KNOWN_LOCK_VERSIONS[name]
    major_text = str(found).split(".")[0] if isinstance(found, (str, int, float)) else ""
    if not (major_text.isdigit() and len(major_text) <= 4):
        return _problem("lock-unreadable", f"{where.file} has no format version the doctor knows", where,
                        status=Status.WARN)
    if int(major_text) > known:
        return _problem("lock-unreadable", f"{where.file} uses format version {str(found)[:20]}, newer than the doctor "
                        f"knows ({known}); what it could read is used", where,
                        "Upgrade llm-doctor; its reading of this lock may be incomplete", status=Status.WARN)
    return None


def entry_lines(text: str, pattern: str) -> dict[str, list[int]]:
    """The line of every match of `pattern` (whose group 1 is a name), by name, in one pass:
    looking each package up with its own search was quadratic (a lock of 20,000 packages, 69 s)."""
    lines: dict[str, list[int]] = {}
    position, line = 0, 1
    for match in re.finditer(pattern, text, re.M):
        line += text.count("\n", position, match.start())
        position = match.start()
        lines.setdefault(match.group(1), []).append(line)
    return lines


_KEY_LINE = r'^\s*"?([A-Za-z0-9_.\-]+)"?\s*='  # `name = ...` or `"name" = ...` in a TOML table


@dataclass
class ForwardLines:
    """Line numbers of texts found in the order they appear: each search starts where the last
    one ended, so a file's lookups together read it once."""

    text: str
    position: int = 0
    line: int = 1

    def find(self, needle: str) -> int | None:
        found = self.text.find(needle, self.position)
        if found < 0:
            return None
        self.line += self.text.count("\n", self.position, found)
        self.position = found
        return self.line


def _nth(lines: dict[str, list[int]], name: str, occurrence: int) -> int | None:
    found = lines.get(name, ())
    return found[occurrence] if occurrence < len(found) else None


def _entries(text: str, lock: str, packages: list[Any], shape: Shape) -> Iterator[tuple[dict, str, Location]]:
    """Each named package table of a TOML lock, with its canonical name and the line of its entry
    (the n-th `name = "..."` line for the n-th package of that name)."""
    seen: dict[str, int] = {}
    lines = entry_lines(text, r'^name = "([^"\n]*)"')
    for package in packages[:MAX_LOCKED]:
        if not isinstance(package, dict):
            shape.table(package, "a `package` entry")
            continue
        raw = shape.text(package.get("name"), "a package's `name`")
        if raw is not None:
            name = canonical(raw)
            count = seen[name] = seen.get(name, -1) + 1
            yield package, name, Location(lock, _nth(lines, raw, count))


def _marker(shape: Shape, value: Any, what: str) -> str | None:
    return shape.text(value, what) or None


def _uv(text: str, data: Mapping[str, Any], shape: Shape, lock: str = "uv.lock",
        member: str = ".") -> tuple[list[Locked], list[Declared], Finding | None]:
    """uv.lock, named `lock` from the project; the project is the package whose source is `member`,
    its folder from the lock's (a workspace member's: see doctor/project/uv_workspace.py)."""
    from doctor.project.uv_workspace import is_member_source

    where = Location(lock, line_of(text, r"^version\s*="))
    problem = _version_problem("uv.lock", data.get("version"), where)
    packages = [p for p in shape.array(data.get("package"), "`package`") if isinstance(p, dict)]
    roots = [p for p in packages if is_member_source(p.get("source"), member)]
    dev: set[str] = set()
    for root in roots:
        for group in shape.table(root.get("dev-dependencies"), "`dev-dependencies`").values():
            dev.update(canonical(d["name"]) for d in shape.array(group, "a dev-dependencies group")
                       if isinstance(d, dict) and isinstance(d.get("name"), str))
    main_deps = {canonical(d["name"]) for r in roots for d in shape.array(r.get("dependencies"), "`dependencies`")
                 if isinstance(d, dict) and isinstance(d.get("name"), str)}
    locked = []
    for package, name, where in _entries(text, lock, [p for p in packages if p not in roots], shape):
        markers = shape.texts(package.get("resolution-markers"), "`resolution-markers`")
        marker = " or ".join(f"({m})" for m in markers) if markers else None
        locked.append(Locked(name, shape.text(package.get("version"), "a package's `version`") or "", marker, where,
                             default=name not in dev or name in main_deps))
    declared = []
    for root in roots:
        metadata = shape.table(root.get("metadata"), "`metadata`")
        for requirement in shape.array(metadata.get("requires-dist"), "`requires-dist`"):
            name = shape.text(requirement.get("name"), "a requirement's `name`") if isinstance(requirement, dict) else None
            if name:
                declared.append(Declared(canonical(name), shape.text(requirement.get("specifier"), "`specifier`") or "",
                                         _marker(shape, requirement.get("marker"), "`marker`"),
                                         Location("pyproject.toml")))
    return locked, declared, problem


def _poetry(text: str, data: Mapping[str, Any], shape: Shape) -> tuple[list[Locked], list[Declared], Finding | None]:
    metadata = shape.table(data.get("metadata"), "`metadata`")
    problem = _version_problem("poetry.lock", metadata.get("lock-version"),
                               Location("poetry.lock", line_of(text, r"^lock-version")))
    locked = []
    for package, name, where in _entries(text, "poetry.lock", shape.array(data.get("package"), "`package`"), shape):
        markers = package.get("markers")
        if isinstance(markers, dict):  # one marker per group
            markers = " or ".join(f"({m})" for m in markers.values() if isinstance(m, str)) or None
        groups = shape.texts(package.get("groups"), "`groups`") or ["main"]
        locked.append(Locked(name, shape.text(package.get("version"), "a package's `version`") or "",
                             _marker(shape, markers, "`markers`"), where,
                             default="main" in groups and not package.get("optional")))
    return locked, [], problem


def _pdm(text: str, data: Mapping[str, Any], shape: Shape) -> tuple[list[Locked], list[Declared], Finding | None]:
    metadata = shape.table(data.get("metadata"), "`metadata`")
    problem = _version_problem("pdm.lock", metadata.get("lock_version"),
                               Location("pdm.lock", line_of(text, r"^lock_version")))
    locked = [Locked(name, shape.text(package.get("version"), "a package's `version`") or "",
                     _marker(shape, package.get("marker"), "`marker`"), where,
                     default="default" in (shape.texts(package.get("groups"), "`groups`") or ["default"]))
              for package, name, where in _entries(text, "pdm.lock", shape.array(data.get("package"), "`package`"),
                                                   shape)]
    return locked, [], problem


def _pipenv(text: str, data: Mapping[str, Any], shape: Shape) -> tuple[list[Locked], list[Declared], Finding | None]:
    meta = shape.table(data.get("_meta"), "`_meta`")
    problem = _version_problem("Pipfile.lock", meta.get("pipfile-spec"),
                               Location("Pipfile.lock", line_of(text, r'"pipfile-spec"')))
    lines = entry_lines(text, r'^\s*"([^"\n]*)": \{')
    locked, seen = [], {}
    for section in ("default", "develop"):
        for name, entry in list(shape.table(data.get(section), f"`{section}`").items())[:MAX_LOCKED]:
            version = shape.text(shape.table(entry, f"`{section}` entries").get("version"), "a package's `version`")
            if version is None:
                continue
            count = seen[name] = seen.get(name, -1) + 1
            locked.append(Locked(canonical(name), version.lstrip("="), _marker(shape, entry.get("markers"), "`markers`"),
                                 Location("Pipfile.lock", _nth(lines, name, count)), default=section == "default"))
    return locked, [], problem


def _pylock(text: str, data: Mapping[str, Any], shape: Shape) -> tuple[list[Locked], list[Declared], Finding | None]:
    """PEP 751 (`pylock.toml`, written by hatch, pip lock and uv export): packages with their markers."""
    problem = _version_problem("pylock.toml", data.get("lock-version"),
                               Location("pylock.toml", line_of(text, r"^lock-version")))
    locked = [Locked(name, shape.text(package.get("version"), "a package's `version`") or "",
                     _marker(shape, package.get("marker"), "`marker`"), where)
              for package, name, where in _entries(text, "pylock.toml", shape.array(data.get("packages"), "`packages`"),
                                                   shape)]
    return locked, [], problem


# uv.lock is read by _uv, which also takes the member a workspace lock is read for.
_LOCK_READERS = {"poetry.lock": _poetry, "pdm.lock": _pdm, "Pipfile.lock": _pipenv, "pylock.toml": _pylock}


@named_tuple
class LockPlace:
    """A project's lock: its format, where it is, its path from the project as findings name it,
    and the project's folder from the lock's (`.`, or a uv workspace member's `packages/alpha`)."""

    name: str
    path: Path
    shown: str
    member: str = "."


def lock_of(project: Path, tool: str) -> LockPlace | None:
    """The project's lock: its own, else, for a member of a uv workspace, the root's uv.lock, where
    uv locks every member (reading the member's pyproject instead called its packages unpinned)."""
    for lock in LOCK_ORDER:
        if (project / lock).exists() or (project / lock).is_symlink():
            return LockPlace(lock, project / lock, lock)
    if tool != "uv":
        return None
    from doctor.project.uv_workspace import find_workspace

    root = find_workspace(project).root
    if root is None or not os.path.lexists(root / "uv.lock"):
        return None
    member = project.resolve()
    return LockPlace("uv.lock", root / "uv.lock", os.path.relpath(root / "uv.lock", member).replace(os.sep, "/"),
                     member.relative_to(root).as_posix())


def _read_lock(place: LockPlace) -> tuple[list[Locked], list[Declared], list[Finding]]:
    name, shown = place.name, place.shown
    text, problem = _read(place.path)
    if text is None:
        return [], [], [_problem("lock-unreadable", f"{shown} {problem}", Location(shown),
                                 "Restore it from git, or write it again with the project's tool")]
    if name == "Pipfile.lock":
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as error:
            data, problem = None, f"is not valid JSON ({str(error)[:80]})"
    else:
        data, problem = parse_toml(text.encode())
    if not isinstance(data, dict):
        return [], [], [_problem("lock-unreadable", f"{shown} {problem or 'is not a lock file'}", Location(shown),
                                 "Write it again with the project's tool (a merge conflict often breaks a lock)")]
    shape = Shape(shown)
    if name == "uv.lock":
        locked, declared, version_problem = _uv(text, data, shape, shown, place.member)
    else:
        locked, declared, version_problem = _LOCK_READERS[name](text, data, shape)
    problems = [version_problem] if version_problem else []
    if shape.count:
        problems.append(Finding(Status.WARN, "lock-unreadable", shape.summary(), None, tuple(shape.wrong),
                                Location(shown)))
    if len(locked) >= MAX_LOCKED:
        problems.append(_problem("lock-unreadable", f"{shown} locks more than {MAX_LOCKED:,} packages; the doctor "
                                 "read the first of them", Location(shown), status=Status.WARN))
    return locked, declared, problems


# -- pyproject and Pipfile declarations ----------------------------------------------------------

def _pyproject_declared(pyproject: Pyproject) -> tuple[list[Declared], list[Finding]]:
    """[project].dependencies, or poetry's own [tool.poetry.dependencies]."""
    raw = pyproject.table("project", "dependencies")
    text = _raw_text(pyproject.path) or ""
    declared, problems = [], []
    lines = ForwardLines(text)
    for entry in raw if isinstance(raw, list) else ():
        if not isinstance(entry, str):
            continue
        where = Location("pyproject.toml", lines.find(entry))
        try:
            name, specifier, marker = parse_requirement(entry)
        except ValueError:
            problems.append(_problem("requirements-invalid", f"pyproject.toml: {entry!r} is not a valid requirement",
                                     where))
            continue
        declared.append(Declared(name, specifier, marker, where))
    poetry = pyproject.table("tool", "poetry", "dependencies")
    keys = entry_lines(text, _KEY_LINE)
    for name, spec in (poetry.items() if isinstance(poetry, dict) else ()):
        if name.lower() == "python":
            continue
        version = spec if isinstance(spec, str) else spec.get("version", "") if isinstance(spec, dict) else ""
        where = Location("pyproject.toml", _nth(keys, name, 0) if text else None)
        declared.append(Declared(canonical(name), _poetry_spec(str(version)), None, where))
    return declared, problems


def _poetry_spec(version: str) -> str:
    """A poetry constraint in PEP 440 terms, as far as pinning goes: "1.2.3" and "==1.2.3" are exact."""
    version = version.strip()
    return f"=={version}" if re.fullmatch(r"\d[\w.]*", version) else version


def _pipfile_declared(project: Path) -> list[Declared]:
    text, _ = _read(project / "Pipfile")
    data, _ = parse_toml(text.encode()) if text else (None, None)
    declared = []
    keys = entry_lines(text or "", _KEY_LINE)
    for section in ("packages",):
        entries = table(data).get(section)
        for name, spec in (entries.items() if isinstance(entries, dict) else ()):
            version = spec if isinstance(spec, str) else spec.get("version", "*") if isinstance(spec, dict) else "*"
            where = Location("Pipfile", _nth(keys, name, 0))
            declared.append(Declared(canonical(name), "" if version == "*" else str(version), None, where))
    return declared


def _raw_text(path: Path) -> str | None:
    return _read(path)[0] if path.is_file() else None


def _requires_python(project: Path, pyproject: Pyproject) -> tuple[str, Location] | None:
    text = _raw_text(pyproject.path) or ""
    spec = pyproject.table("project", "requires-python")
    if isinstance(spec, str):
        return spec, Location("pyproject.toml", line_of(text, r"^\s*requires-python"))
    poetry = pyproject.table("tool", "poetry", "dependencies", "python")
    if isinstance(poetry, str):
        return poetry, Location("pyproject.toml", line_of(text, r"^\s*python\s*="))
    pipfile_text = _raw_text(project / "Pipfile")
    if pipfile_text:
        data, _ = parse_toml(pipfile_text.encode())
        version = table(table(data).get("requires")).get("python_version")
        if isinstance(version, str):
            return f"=={version}.*", Location("Pipfile", line_of(pipfile_text, r"^\s*python_version"))
    return None


def read_record(project: Path, pyproject: Pyproject) -> Record:
    """The project's record, from the first of: a lock, requirements files, pyproject dependencies;
    each problem in it reported once (see `fold`)."""
    record = _read_record(project, pyproject)
    return replace(record, problems=tuple(fold(record.problems)))


def _read_record(project: Path, pyproject: Pyproject) -> Record:
    tool = tool_name(project, pyproject)
    problems: list[Finding] = []
    if pyproject.problem:
        problems.append(_problem("pyproject-invalid", f"pyproject.toml {pyproject.problem}", Location("pyproject.toml"),
                                 "Every tool that reads it fails too; correct it"))
    elif pyproject.exists and not isinstance(pyproject.table("tool") or {}, dict):
        problems.append(_problem("pyproject-invalid", "pyproject.toml: `tool` must be a table",
                                 Location("pyproject.toml"), "Every tool that reads it fails too; correct it"))
    requires_python = _requires_python(project, pyproject)
    declared, declared_problems = _pyproject_declared(pyproject)
    if tool == "pipenv":
        declared += _pipfile_declared(project)
    names_doctor = any(d.name == "llm-api-doctor" for d in declared) or _dev_names_doctor(pyproject)
    lock = lock_of(project, tool)
    if lock is not None:
        locked, from_lock, lock_problems = _read_lock(lock)
        names_doctor |= any(p.name == "llm-api-doctor" for p in locked)
        return Record(tool, "lock", (lock.shown,), tuple(from_lock or declared), tuple(locked), requires_python,
                      tuple(problems + declared_problems + lock_problems), names_doctor=names_doctor)
    files = requirement_files(project)
    if files:
        reader = _RequirementsReader(project)
        for path in files:
            reader.read(path)
        return Record(tool, "requirements", tuple(reader.files) or (reader.relative(files[0]),),
                      tuple(reader.declared), (), requires_python, tuple(problems + reader.problems),
                      hashed=reader.hashed, names_doctor=names_doctor or reader.names_doctor)
    if declared or (project / "Pipfile").is_file():
        source = "Pipfile" if tool == "pipenv" and not pyproject.table("project", "dependencies") else "pyproject.toml"
        return Record(tool, "pyproject", (source,), tuple(declared), (), requires_python,
                      tuple(problems + declared_problems), names_doctor=names_doctor)
    return Record(tool, "none", (), (), (), requires_python, tuple(problems + declared_problems),
                  names_doctor=names_doctor)


def _dev_names_doctor(pyproject: Pyproject) -> bool:
    """llm-api-doctor as a dev dependency: [dependency-groups], optional dependencies or poetry groups."""
    tables: Iterable[Any] = (pyproject.table("dependency-groups"), pyproject.table("project", "optional-dependencies"),
                             pyproject.table("tool", "uv", "dev-dependencies"),
                             pyproject.table("tool", "poetry", "group"))
    text = json.dumps([t for t in tables if t], default=str)
    return bool(re.search(r"llm[-_.]api[-_.]doctor", text, re.I))
