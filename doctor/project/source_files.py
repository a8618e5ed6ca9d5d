"""The project's own files, as git would share them: listed once a run, read once, bounded.

Two checks read the project's files (secrets-in-files for keys, code-usage for Python), so
the list and the bytes are shared through the run's cache. In a git repository the list is
what git would share: tracked files and untracked ones that are not ignored
(`git ls-files --cached --others --exclude-standard`), which leaves out virtual
environments and build output the way the project itself does. Outside git the folder is
walked, leaving out what is never the project's own code: tool folders (`.git`, `.tox`,
caches), virtual environments (a `pyvenv.cfg`), `site-packages`, `node_modules`, build output and vendored
code. Symbolic links to folders are never followed, so a link loop or a link out of the
project costs nothing; a linked file is read only when it stays inside the project.
"""

from __future__ import annotations

import asyncio
import os
import stat
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from doctor.files import FileRead, read_bytes

if TYPE_CHECKING:
    from doctor.context import Context

MAX_FILES = 20_000  # listed paths kept (a monorepo lists more; the rest is said to be left out)
MAX_BYTES_PER_FILE = 1024 * 1024
MAX_NOTEBOOK_BYTES = 8 * 1024 * 1024  # notebooks carry their outputs
MAX_TOTAL_BYTES = 96 * 1024 * 1024  # read in one run, all files together
# Folders that are never the project's own code, wherever they sit.
NOT_OURS = frozenset({
    "node_modules", "site-packages", "dist-packages", "__pycache__", "__pypackages__", "build", "dist",
    "vendor", "vendored", "_vendor", "third_party", "third-party", "htmlcov", "venv", "virtualenv",
    ".venv", ".git", ".tox", ".nox", ".eggs", ".cache", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".ipynb_checkpoints", ".idea", ".vscode",
})


@dataclass
class ProjectFiles:
    """The project's shareable files (paths relative to the project, `/`-separated) and their bytes."""

    root: Path
    paths: tuple[str, ...]
    listed_by: str  # "git" or "a walk of the folder"
    left_out: int = 0  # paths beyond MAX_FILES
    _read: dict[str, FileRead] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)  # two checks read at once, each in a thread

    def read(self, path: str) -> FileRead:
        """The file's bytes, read once a run (whichever check asks first); refused past the run's total budget."""
        return self.read_many((path,))[0]

    def read_many(self, paths: Iterable[str]) -> list[FileRead]:
        """Several files, read in one turn. Two checks read the same files at once, each in a thread:
        file by file, every system call of one waited for the other's parsing to let go of the GIL (up
        to 5 ms each), and 1,000 files took twice as long as reading them here while the other waits."""
        with self._lock:
            for path in paths:
                if path not in self._read:
                    self._read[path] = self._read_now(path)
            return [self._read[path] for path in paths]

    def _read_now(self, path: str) -> FileRead:
        links = self._within_total
        if path not in links:
            return FileRead(self.root / path, "too-large", None, "was not read: the run read its limit of files")
        # Only a link can lead out: the listing never enters a linked folder, so a file that is
        # not itself a link is inside, and the costly resolve is kept for links.
        return read_bytes(os.path.join(self.root, path), _cap(path), within=self.root if links[path] else None)

    @cached_property
    def _within_total(self) -> dict[str, bool]:
        """The files that fit in the run's total budget, taken in path order, and whether each is a link:
        which files are read then never depends on which check asked first (two read at once)."""
        kept: dict[str, bool] = {}
        total = 0
        for path in self.paths:
            full = os.path.join(self.root, path)
            try:
                found = os.lstat(full)
                link = stat.S_ISLNK(found.st_mode)
                size = min(os.stat(full).st_size if link else found.st_size, _cap(path))
            except OSError:
                link, size = True, 0  # gone, or a link that leads nowhere: read_bytes says which
            total += size
            if total > MAX_TOTAL_BYTES:
                break
            kept[path] = link
        return kept

    def with_suffix(self, *suffixes: str) -> list[str]:
        return [p for p in self.paths if p.endswith(suffixes)]


def _cap(path: str) -> int:
    return MAX_NOTEBOOK_BYTES if path.endswith(".ipynb") else MAX_BYTES_PER_FILE


def is_ours(path: str) -> bool:
    """Whether a listed path is the project's own, not vendored, built or installed code. Its folders are
    the path's parts as PurePosixPath reads them (empty and "." parts dropped), split by hand: this runs
    once per listed file, and building a path object for each cost more than the rest of the listing."""
    folders = [part for part in path.split("/") if part and part != "."][:-1]
    return not any(part in NOT_OURS or part.endswith(".egg-info") for part in folders)


async def project_files(ctx: Context) -> ProjectFiles:
    """The run's one list of the project's files; concurrent callers share it."""
    return await asyncio.shield(ctx.once("project-files", lambda: _list(ctx)))


async def _list(ctx: Context) -> ProjectFiles:
    from doctor.git import git, git_program

    if git_program(ctx.shell) is not None:
        answer = await git(ctx.project, ctx.processes, ctx.shell, "ls-files", "-z", "--cached", "--others",
                           "--exclude-standard", "--", ".", max_output=64 * 1024 * 1024)
        if answer.code == 0 and not answer.truncated:  # paths relative to the project, unquoted
            names = sorted({n for n in answer.raw.decode("utf-8", "replace").split("\0") if n})
            return _kept(ctx.project, [n for n in names if is_ours(n)], "git")
    return _kept(ctx.project, await asyncio.to_thread(walk, ctx.project), "a walk of the folder")


def _kept(root: Path, names: list[str], listed_by: str) -> ProjectFiles:
    return ProjectFiles(root, tuple(names[:MAX_FILES]), listed_by, max(0, len(names) - MAX_FILES))


def walk(root: Path) -> list[str]:
    """Every file below `root` that is the project's own, never entering linked folders."""
    found: list[str] = []
    pending = [""]
    while pending and len(found) <= MAX_FILES:
        folder = pending.pop()
        try:
            entries = sorted(os.scandir(root / folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            relative = f"{folder}/{entry.name}" if folder else entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if is_ours(relative + "/x") and not os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
                        pending.append(relative)
                elif entry.is_file() or entry.is_symlink():
                    found.append(relative)
            except OSError:
                continue
    return sorted(found)
