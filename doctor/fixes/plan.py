"""What a fix the doctor applies looks like before it is applied: one file's new text, the
commands that follow it, and how safe it is.

A plan is shown first (a unified diff, then the commands it will run), so the user sees
every change before anything is written. Its `safety` follows ruff's convention: a *safe*
fix can only make the intended change and `--fix` applies it; an *unsafe* one may change
behaviour beyond that (a code migration, a guessed timeout) and needs `--unsafe-fixes`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from doctor.files import inside, read_bytes

Safety = Literal["safe", "unsafe"]
SAFE: Safety = "safe"
UNSAFE: Safety = "unsafe"
MAX_FIX_BYTES = 2 * 1024 * 1024


class StaleFix(Exception):
    """The file changed after the preview; plan again."""


class CommandFailed(OSError):
    """A command after the edit failed: the message says what ran, how it ended, and the state left."""


@dataclass(frozen=True)
class Command:
    """A program a fix runs after its edit (`pip install -r requirements.txt`, `git rm --cached .env`).

    `argv` is what runs, without a shell; `shown` is the same command as the user would type it.
    """

    argv: tuple[str, ...]
    shown: str


@dataclass(frozen=True)
class FilePlan:
    """A planned change to one file, and the commands that follow it. `before` is None when the
    file does not exist yet; `after` equal to `before` means the plan only runs its commands.

    `path` is the name the user knows; `target` the file actually written: a `.gitignore`
    that is a symlink inside the project stays a symlink, and its target is edited.
    `rechecks` are the checks to run again once it is applied.
    """

    title: str
    path: Path
    before: str | None
    after: str
    rechecks: tuple[str, ...]
    target: Path | None = None
    safety: Safety = SAFE
    then: tuple[Command, ...] = ()

    @property
    def written(self) -> Path:
        return self.target or self.path

    @property
    def edits(self) -> bool:
        return self.after != (self.before or "") or self.before is None

    def diff(self) -> str:
        """The unified diff of the file, then each command it runs, as a shell would show it."""
        import difflib

        old = (self.before or "").splitlines(keepends=True)
        new = self.after.splitlines(keepends=True)
        name = self.path.name
        shown = "".join(difflib.unified_diff(old, new, f"a/{name}" if self.before is not None else "/dev/null",
                                             f"b/{name}")) if self.edits else ""
        return shown + "".join(f"then runs: {command.shown}\n" for command in self.then)


def read_editable(path: Path, project: Path) -> tuple[bool, str | None]:
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


def newline_of(text: str | None) -> str:
    return "\r\n" if text and "\r\n" in text else "\n"


def link_target(path: Path, project: Path) -> Path | None:
    """The file to write for `path`: itself, or a symlink's target when that stays in the project."""
    if not os.path.islink(path):
        return None
    return path.resolve() if inside(path, project) else None
