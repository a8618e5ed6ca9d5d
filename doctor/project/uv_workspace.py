"""Whether the project is a member of a uv workspace, found as uv finds it.

A workspace member has no `.venv` or `uv.lock` of its own: uv keeps both at the workspace
root, so a doctor that looked only in the member's folder called a healthy member
`venv-missing` and told its user to run pip. uv walks up from the member to the first
pyproject.toml with a `[tool.uv.workspace]` table and takes the member only when one
of its `members` globs matches the member's folder and no `exclude` glob does; a
parent project without that table ends the walk (uv's workspace.rs, `find_workspace`).
Every file is read through the bounded reader, and globs are matched one path segment
at a time against the member's relative path, never by listing folders.

uv also locks the whole workspace in the root's `uv.lock`, where each member is the package
whose source is its folder: that lock is a member's record (doctor/project/record.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from doctor.project.pyproject import read_pyproject

MAX_LEVELS = 32  # folders walked up; deeper trees are not workspaces anyone builds
MAX_GLOBS = 64
MAX_SEGMENTS = 16


@dataclass(frozen=True)
class Workspace:
    """The workspace root holding the member, or None with `note` saying why a near miss was not taken."""

    root: Path | None
    note: str | None = None


def find_workspace(project: Path) -> Workspace:
    """The uv workspace whose members include `project` (see the module's docstring)."""
    try:
        member = project.resolve()
    except (OSError, RuntimeError):
        return Workspace(None)
    if not (member / "pyproject.toml").is_file():
        return Workspace(None)  # uv takes only folders with a pyproject.toml as members
    for root in list(member.parents)[:MAX_LEVELS]:
        if not (root / "pyproject.toml").is_file():
            continue
        pyproject = read_pyproject(root)
        if pyproject.problem:
            return Workspace(None, f"{root / 'pyproject.toml'} {pyproject.problem}, so whether this folder is a "
                                   "member of a uv workspace there is unknown (uv stops on it too)")
        table = pyproject.table("tool", "uv", "workspace")
        if isinstance(table, dict):
            relative = member.relative_to(root).as_posix()
            if _any_match(relative, table.get("exclude")) or not _any_match(relative, table.get("members")):
                return Workspace(None, f"{root} declares a uv workspace, but its members do not include "
                                       f"{relative}, so its .venv is not this project's")
            return Workspace(root)
        if pyproject.table("project") is not None:
            return Workspace(None)  # inside another, ordinary project: uv looks no further
    return Workspace(None)


def _any_match(relative: str, globs: object) -> bool:
    if not isinstance(globs, list):
        return False
    parts = PurePosixPath(relative).parts
    return any(isinstance(glob, str) and _matches(parts, _segments(glob)) for glob in globs[:MAX_GLOBS])


def _segments(glob: str) -> tuple[str, ...]:
    parts = tuple(part for part in PurePosixPath(glob.strip()).parts if part not in ("", "."))
    return parts[:MAX_SEGMENTS]


def _matches(parts: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    """Glob segments against path segments; `**` stands for any number of folders."""
    if not pattern:
        return not parts
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_matches(parts[skip:], rest) for skip in range(len(parts) + 1))
    return bool(parts) and fnmatchcase(parts[0], head) and _matches(parts[1:], rest)


def is_member_source(source: object, member: str) -> bool:
    """Whether a uv.lock package's `source` is the project at `member`, its folder from the workspace root
    (`.` for the root itself): uv writes `{ virtual = "packages/alpha" }`, or `editable` for a packaged one."""
    if not isinstance(source, dict):
        return False
    folder = source.get("virtual", source.get("editable"))
    return isinstance(folder, str) and PurePosixPath(folder) == PurePosixPath(member)
