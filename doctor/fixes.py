"""The fixes the doctor may apply itself: small, safe edits to one file each.

Each fix is planned first (the file's text before and after, shown as a diff), applied
only when the user confirms, written atomically (a temporary file in the same folder,
then `os.replace`), and the old file is backed up first, where `git status` never shows
it (see `backup_folder`). Applying checks that the file still holds what was previewed,
so a file edited in the meantime is never overwritten. Planning again after applying
finds nothing to do: the fixes are idempotent.

An edit keeps what it does not understand: comments, extras, markers, other lines and
the file's line endings. A file it cannot edit safely gets no plan: a symlink that leads
out of the project, a special file, text that is not UTF-8, a hash-pinned requirements
file, or a project whose packages another tool manages (the fix then names its command).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from doctor.atomic import ensure_within, write_bytes_atomically, write_text_atomically
from doctor.files import inside, read_bytes
from doctor.model import Result

GUIDE_PACKAGES = ("openai", "httpx", "python-dotenv")
MAX_FIX_BYTES = 2 * 1024 * 1024
IGNORE_LINES = (".env", "/.env", ".env*", "*.env", ".env.*")
# A project with one of these records its packages elsewhere; requirements.txt is not its record.
MANAGED_BY_TOOL = ("uv.lock", "poetry.lock", "Pipfile", "Pipfile.lock", "pdm.lock")
_REQUIREMENT_HEAD = re.compile(r"^(\s*[A-Za-z0-9][A-Za-z0-9._\-]*(?:\s*\[[^\]]*\])?)")


class StaleFix(Exception):
    """The file changed after the preview; plan again."""


@dataclass(frozen=True)
class FilePlan:
    """A planned change to one file. `before` is None when the file does not exist yet.

    `path` is the name the user knows; `target` the file actually written: a `.gitignore`
    that is a symlink inside the project stays a symlink, and its target is edited.
    """

    title: str
    path: Path
    before: str | None
    after: str
    rechecks: tuple[str, ...]
    target: Path | None = None

    @property
    def written(self) -> Path:
        return self.target or self.path

    def diff(self) -> str:
        import difflib

        old = (self.before or "").splitlines(keepends=True)
        new = self.after.splitlines(keepends=True)
        name = self.path.name
        return "".join(difflib.unified_diff(old, new, f"a/{name}" if self.before is not None else "/dev/null",
                                            f"b/{name}"))


def _read(path: Path, project: Path) -> tuple[bool, str | None]:
    """(editable, text): text is None for a file that does not exist yet; not editable for
    anything that is not plain UTF-8 text inside the project."""
    found = read_bytes(path, MAX_FIX_BYTES, within=project)
    if not found.exists:
        return not os.path.islink(path), None
    if not found.ok:
        return False, None
    try:
        return True, (found.data or b"").decode("utf-8")
    except UnicodeDecodeError:
        return False, None


def _newline(text: str | None) -> str:
    return "\r\n" if text and "\r\n" in text else "\n"


def _codes(results: Mapping[str, Result]) -> set[str]:
    found: set[str] = set()
    for result in results.values():
        found.update(f.code for f in result.problems)
        if result.code:
            found.add(result.code)
    return found


def _target(path: Path, project: Path) -> Path | None:
    """The file to write for `path`: itself, or a symlink's target when that stays in the project."""
    if not os.path.islink(path):
        return None
    return path.resolve() if inside(path, project) else None


def gitignore_plan(project: Path) -> FilePlan | None:
    path = project / ".gitignore"
    editable, before = _read(path, project)
    if not editable:
        return None
    lines = [line.strip() for line in (before or "").splitlines()]
    if any(line in IGNORE_LINES for line in lines):
        return None
    newline = _newline(before)
    text = before or ""
    if text and not text.endswith(("\n", "\r")):
        text += newline
    return FilePlan("Add .env to .gitignore", path, before, text + ".env" + newline, ("dotenv-gitignored",),
                    _target(path, project))


def dotenv_plan(project: Path) -> FilePlan | None:
    """`.env` from `.env.example`, only when the example is plain text inside the project:
    a symlink out of it (to a private key, say) is never copied or shown."""
    example, target = project / ".env.example", project / ".env"
    if os.path.lexists(target):
        return None
    editable, text = _read(example, project)
    if not editable or text is None:
        return None
    return FilePlan("Create .env from .env.example (then put your real key in it)",
                    target, None, text, ("dotenv-present", "key-format"))


def _requirement_name(line: str) -> str | None:
    """The distribution a requirements line names, or None for options, URLs and comments."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    spec = line.split(" #")[0].split(" --")[0].strip()
    if not spec or spec.startswith(("-", "#")):
        return None
    try:
        return canonicalize_name(Requirement(spec).name)
    except InvalidRequirement:
        return None


def _pinned_line(line: str, version: str) -> str:
    """The same line with its version specifier replaced by ==version: the name, extras,
    marker, options, comment and line ending stay as they were."""
    ending = line[len(line.rstrip("\r\n")):]
    body = line[: len(line) - len(ending)]
    head = _REQUIREMENT_HEAD.match(body)
    if head is None:
        return line
    rest = body[head.end():]
    cuts = [i for i in (rest.find(";"), rest.find(" #"), rest.find(" --")) if i >= 0]
    cut = min(cuts) if cuts else len(rest)
    while cut > 0 and rest[cut - 1] == " ":
        cut -= 1
    return f"{head.group(1).rstrip()}=={version}{rest[cut:]}{ending}"


def pins_plan(project: Path, installed: Mapping[str, str | None]) -> FilePlan | None:
    """Pins the guide's packages to the installed versions, editing their lines in place.

    No plan for a project whose packages another tool records, a hash-pinned file (pip
    would refuse a line without hashes), or a package listed more than once (by marker):
    those need the project's own tool.
    """
    from packaging.utils import canonicalize_name

    if any((project / name).exists() for name in MANAGED_BY_TOOL):
        return None
    path = project / "requirements.txt"
    editable, before = _read(path, project)
    if not editable or (before is not None and "--hash" in before):
        return None
    wanted = {canonicalize_name(n): (n, v) for n, v in installed.items() if v and n in GUIDE_PACKAGES}
    lines = (before or "").splitlines(keepends=True)
    named = [_requirement_name(line) for line in lines]
    includes = any(line.lstrip().startswith(("-r", "-c", "--requirement", "--constraint")) for line in lines)
    out, newline = [], _newline(before)
    for line, name in zip(lines, named):
        if name in wanted and named.count(name) == 1:
            line = _pinned_line(line, wanted[name][1])
        out.append(line)
    if out and not out[-1].endswith(("\n", "\r")):
        out[-1] += newline
    if not includes:  # a package absent here may be listed in an included file
        out += [f"{n}=={v}{newline}" for key, (n, v) in wanted.items() if key not in named]
    after = "".join(out)
    if after == (before or "") or not wanted:
        return None
    return FilePlan("Pin openai, httpx and python-dotenv to the installed versions",
                    path, before, after, ("packages-pinned",), _target(path, project))


def plans_for(project: Path, results: Mapping[str, Result], installed: Mapping[str, str | None],
              tool: str = "pip") -> list[FilePlan]:
    """The safe fixes that address what this run found. Pins are written only into a record pip owns:
    a project that uv, poetry, pipenv, pdm or hatch manages gets its tool's command instead."""
    codes = _codes(results)
    plans: Iterable[FilePlan | None] = (
        gitignore_plan(project) if "dotenv-not-ignored" in codes else None,
        dotenv_plan(project) if "dotenv-missing" in codes else None,
        pins_plan(project, installed) if tool == "pip" and codes & {"requirements-missing", "package-unpinned",
                                                                    "package-version-mismatch"} else None,
    )
    return [plan for plan in plans if plan is not None]


def backup_folder(project: Path, environ: Mapping[str, str] | None = None) -> Path:
    """Where backups go, out of `git status`: inside `.git/` in a repository, else a user cache folder."""
    git_dir = project / ".git"
    if git_dir.is_dir() and not git_dir.is_symlink():
        return git_dir / "llm-doctor-backups"
    environ = os.environ if environ is None else environ
    cache = environ.get("XDG_CACHE_HOME") or os.path.join(environ.get("HOME") or str(Path.home()), ".cache")
    digest = hashlib.sha256(str(project.resolve()).encode()).hexdigest()[:12]
    return Path(cache) / "llm-doctor" / "backups" / f"{project.name}-{digest}"


def shown_path(path: Path, project: Path, environ: Mapping[str, str] | None = None) -> str:
    """A path as the user can find it: relative to the project when inside it, `~` for the home folder."""
    try:
        return str(path.relative_to(project))
    except ValueError:
        home = (os.environ if environ is None else environ).get("HOME")
        text = str(path)
        return "~" + text[len(home):] if home and text.startswith(home.rstrip("/") + "/") else text


def apply(plan: FilePlan, project: Path | None = None, environ: Mapping[str, str] | None = None) -> Path | None:
    """Writes the planned text atomically; returns the backup of the old file, if there was one.

    The backup is written (atomically too) before the file is touched, so a full disk
    leaves the old file and no truncated backup.
    """
    project = project or plan.path.parent
    editable, current = _read(plan.path, project)
    if not editable or current != plan.before:
        raise StaleFix(f"{plan.path.name} changed after the preview; nothing was written")
    written = plan.written
    backup = None
    if plan.before is not None:
        folder = backup_folder(project, environ)
        ensure_within(folder / "backup", project)  # a `.git/llm-doctor-backups` symlink leads elsewhere
        folder.mkdir(parents=True, exist_ok=True)
        backup = folder / f"{plan.path.name}.{time.strftime('%Y%m%d-%H%M%S')}"
        serial = 1
        while backup.exists():
            serial += 1
            backup = folder / f"{plan.path.name}.{time.strftime('%Y%m%d-%H%M%S')}.{serial}"
        write_bytes_atomically(backup, plan.before.encode("utf-8"), 0o600, within=project)
    # An existing file keeps its permissions; a new .env is private to its owner.
    mode = stat.S_IMODE(written.stat().st_mode) if plan.before is not None else \
        0o600 if plan.path.name == ".env" else 0o644
    write_text_atomically(written, plan.after, mode, within=project)
    return backup
