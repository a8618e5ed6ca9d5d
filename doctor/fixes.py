"""The fixes the doctor may apply itself: small, safe edits to one file each.

Each fix is planned first (the file's text before and after, shown as a diff), applied
only when the user confirms, written atomically (a temporary file in the same folder,
then `os.replace`), and the old file is kept as a backup. Applying checks that the file
still holds what was previewed, so a file edited in the meantime is never overwritten.
Planning again after applying finds nothing to do: the fixes are idempotent.
"""

from __future__ import annotations

import difflib
import shutil
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from doctor.atomic import write_text_atomically
from doctor.model import Result

GUIDE_PACKAGES = ("openai", "httpx", "python-dotenv")
BACKUP_SUFFIX = ".llm-doctor.bak"


class StaleFix(Exception):
    """The file changed after the preview; plan again."""


@dataclass(frozen=True)
class FilePlan:
    """A planned change to one file. `before` is None when the file does not exist yet."""

    title: str
    path: Path
    before: str | None
    after: str
    rechecks: tuple[str, ...]

    def diff(self) -> str:
        old = (self.before or "").splitlines(keepends=True)
        new = self.after.splitlines(keepends=True)
        name = self.path.name
        return "".join(difflib.unified_diff(old, new, f"a/{name}" if self.before is not None else "/dev/null",
                                            f"b/{name}"))


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _codes(results: Mapping[str, Result]) -> set[str]:
    found: set[str] = set()
    for result in results.values():
        found.update(result.facts.get("codes", ()))
        if result.code:
            found.add(result.code)
    return found


def gitignore_plan(project: Path) -> FilePlan | None:
    path = project / ".gitignore"
    before = _read(path)
    lines = [line.strip() for line in (before or "").splitlines()]
    if any(line in (".env", "/.env", ".env*", "*.env") for line in lines):
        return None
    text = before or ""
    if text and not text.endswith("\n"):
        text += "\n"
    return FilePlan("Add .env to .gitignore", path, before, text + ".env\n", ("dotenv-gitignored",))


def dotenv_plan(project: Path) -> FilePlan | None:
    example, target = project / ".env.example", project / ".env"
    if target.exists() or not example.is_file():
        return None
    text = _read(example)
    if text is None:
        return None
    return FilePlan("Create .env from .env.example (then put your real key in it)",
                    target, None, text, ("dotenv-present", "key-format"))


def pins_plan(project: Path, installed: Mapping[str, str | None]) -> FilePlan | None:
    """Pins the guide's packages to the installed versions, keeping every other line."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    path = project / "requirements.txt"
    before = _read(path)
    wanted = {canonicalize_name(n): f"{n}=={v}" for n, v in installed.items() if v and n in GUIDE_PACKAGES}
    lines, placed = [], set()
    for line in (before or "").splitlines():
        try:
            name = canonicalize_name(Requirement(line.split("#")[0].strip()).name)
        except InvalidRequirement:
            lines.append(line)
            continue
        if name in wanted:
            lines.append(wanted[name])
            placed.add(name)
        else:
            lines.append(line)
    lines += [pin for name, pin in wanted.items() if name not in placed]
    after = "\n".join(lines) + "\n"
    if after == before or not wanted:
        return None
    return FilePlan("Pin openai, httpx and python-dotenv to the installed versions",
                    path, before, after, ("packages-pinned",))


def plans_for(project: Path, results: Mapping[str, Result], installed: Mapping[str, str | None]) -> list[FilePlan]:
    """The safe fixes that address what this run found."""
    codes = _codes(results)
    plans: Iterable[FilePlan | None] = (
        gitignore_plan(project) if "dotenv-not-ignored" in codes else None,
        dotenv_plan(project) if "dotenv-missing" in codes else None,
        pins_plan(project, installed) if codes & {"requirements-missing", "package-unpinned",
                                                  "package-version-mismatch"} else None,
    )
    return [plan for plan in plans if plan is not None]


def apply(plan: FilePlan) -> Path | None:
    """Writes the planned text atomically; returns the backup of the old file, if there was one."""
    current = _read(plan.path)
    if current != plan.before:
        raise StaleFix(f"{plan.path.name} changed after the preview; nothing was written")
    backup = None
    if plan.before is not None:
        backup = plan.path.with_name(plan.path.name + BACKUP_SUFFIX)
        if backup.exists():
            backup = plan.path.with_name(f"{plan.path.name}.{time.strftime('%Y%m%d-%H%M%S')}{BACKUP_SUFFIX}")
        shutil.copy2(plan.path, backup)
    # An existing file keeps its permissions; a new .env is private to its owner.
    mode = stat.S_IMODE(plan.path.stat().st_mode) if plan.before is not None else \
        0o600 if plan.path.name == ".env" else 0o644
    write_text_atomically(plan.path, plan.after, mode)
    return backup
