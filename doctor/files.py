"""The one way the doctor reads a file of the project: bounded, and never a special file.

A repository can hold anything, and `git clone` keeps symlinks: `.env -> /dev/zero`
would eat all memory, a FIFO would wait forever, `/dev/stdin` would block the run.
So every read here checks what the path really is (after symlinks), opens it without
blocking, checks again on the open descriptor (the path may change in between), and
reads at most `cap + 1` bytes, enough to say the file is too large without reading it.
A path that cannot be read comes back as data (`FileRead.problem`), never an exception.
"""

from __future__ import annotations

import os
import stat
from functools import lru_cache
from pathlib import Path

from doctor.namedtuples import named_tuple

MIB = 1024 * 1024
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | \
    getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)

# What each kind of path is, in words a fix can use.
KINDS = {
    "missing": "does not exist",
    "broken-link": "is a symbolic link to something that does not exist",
    "directory": "is a directory, not a file",
    "fifo": "is a named pipe (FIFO), not a file: reading it would wait for a writer forever",
    "device": "is a device, not a file (reading /dev/zero or /dev/random never ends)",
    "socket": "is a socket, not a file",
    "special": "is not a regular file",
    "outside": "is a symbolic link that leads out of the project",
    "too-large": "is larger than the doctor reads",
    "unreadable": "cannot be read",
}


@named_tuple
class FileRead:
    """A file's bytes (`data`), or why there are none (`kind`, `problem`)."""

    path: Path | str  # as the caller named it: a Path built for each of a project's files cost more than its read
    kind: str = "file"
    data: bytes | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.data is not None

    @property
    def exists(self) -> bool:
        return self.kind != "missing"

    @property
    def special(self) -> bool:
        """A FIFO, device or socket (or a link to one): a finding of its own, never read."""
        return self.kind in ("fifo", "device", "socket", "special")

    def text(self) -> str | None:
        """UTF-8 text (a leading BOM dropped), or None when the bytes are not UTF-8."""
        if self.data is None:
            return None
        try:
            return self.data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            return None


def _kind_of(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special"


def _refused(path: Path | str, kind: str, detail: str = "") -> FileRead:
    return FileRead(path, kind, None, KINDS[kind] + detail)


def inside(path: Path | str, root: Path) -> bool:
    """Whether `path`, with every symlink followed, stays inside `root`."""
    try:
        return Path(path).resolve().is_relative_to(_real(root))
    except (OSError, RuntimeError):  # a symlink loop
        return False


@lru_cache(maxsize=64)
def _real(root: Path) -> Path:
    """A folder with its symlinks followed, once: the same few roots (the project, each site-packages)
    are asked about for every file read in them, and resolving one costs a system call a component."""
    return root.resolve()


def probe(path: Path | str) -> str:
    """What `path` is, following symlinks, without opening it: one of KINDS' keys or "file"."""
    try:
        return _kind_of(os.stat(path).st_mode)
    except FileNotFoundError:
        return "broken-link" if os.path.islink(path) else "missing"
    except (OSError, ValueError, RuntimeError):
        return "unreadable"


def read_bytes(path: Path | str, cap: int, *, within: Path | None = None) -> FileRead:
    """At most `cap` bytes of a regular file; anything else is refused with its reason.

    `within`: a symlink that leads outside this folder is refused (files whose content
    the doctor would show or copy, such as `.env.example`, or the project's code).
    """
    kind = probe(path)
    if kind != "file":
        return _refused(path, kind)
    if within is not None and not inside(path, within):
        return _refused(path, "outside")
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        return _refused(path, "unreadable", f" ({error.strerror or type(error).__name__})")
    try:
        opened = os.fstat(descriptor)
        kind = _kind_of(opened.st_mode)  # the path may have been swapped since probe()
        if kind != "file":
            return _refused(path, kind)
        # A regular file's size when opened sizes the reads: os.read allocates all it is asked for, and
        # asking a megabyte for a 2 KB file tripled the cost of reading a project's thousand files; once
        # that much is read, no second read is needed just to meet the end. (A size of 0 says nothing:
        # files under /proc have it.)
        expected = opened.st_size
        end = min(cap, expected) if expected > 0 else cap
        chunks, size = [], 0
        while size <= cap:
            chunk = os.read(descriptor, min(MIB, end + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if 0 < expected <= size:
                break
    except OSError as error:
        return _refused(path, "unreadable", f" ({error.strerror or type(error).__name__})")
    finally:
        os.close(descriptor)
    if size > cap:
        return _refused(path, "too-large", f" ({_size(cap)})")
    return FileRead(path, "file", b"".join(chunks))


def read_text(path: Path, cap: int, *, within: Path | None = None) -> FileRead:
    """Like read_bytes, but bytes that are not UTF-8 text are a problem too."""
    found = read_bytes(path, cap, within=within)
    if found.ok and found.text() is None:
        return FileRead(path, "unreadable", None, "is not UTF-8 text")
    return found


def _size(cap: int) -> str:
    return f"{cap / MIB:g} MB" if cap >= MIB else f"{cap // 1024} KB"
