"""Writing a file whole or not at all: the safe fixes, their backups and the support report rely on it."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


class NotReplaced(OSError):
    """The path is not a regular file (a symlink, a device, a FIFO, a directory): it is never replaced."""


def ensure_replaceable(path: Path) -> None:
    """Refuses a path that a rename would destroy: replacing a symlink loses the link (and whatever
    it meant), replacing a device node or a FIFO breaks the system; only regular files are replaced."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISLNK(mode):
        raise NotReplaced(f"{path} is a symbolic link; it is not replaced")
    if not stat.S_ISREG(mode):
        raise NotReplaced(f"{path} is not a regular file (a device, a pipe or a folder); it is not replaced")


def ensure_within(path: Path, root: Path) -> None:
    """Refuses a path that names a place inside `root` but leads out of it through a symbolic link
    on the way (a hostile repository's `docs -> ~/.ssh`, or `.git/llm-doctor-backups -> /etc`):
    written there, the file would land outside the project. A path outside `root` as written (the
    user's own `-o /tmp/report.md`) is the user's choice and is left alone."""
    written = Path(os.path.abspath(path))
    if written.is_relative_to(os.path.abspath(root)) and \
            not written.parent.resolve().is_relative_to(Path(root).resolve()):
        raise NotReplaced(f"{path} leads out of the project through a symbolic link; nothing is written there")


def write_bytes_atomically(path: Path, data: bytes, mode: int | None = None, *, within: Path | None = None,
                           durable: bool = True) -> None:
    """Writes `data` to a temporary file beside `path`, flushes it to disk, then renames it over
    `path`: a crash, an interruption or a full disk leaves the old file or the new one, never a mix
    and never a truncated file.

    `mode` sets the new file's permissions; without it the file keeps mkstemp's private 0600.
    `within`: the project the file must stay in (see ensure_within).
    `durable=False` skips the flush to disk, for a cache: after a crash the file may be found empty,
    which its reader takes for no cache, and a run that writes one need not wait for the disk.
    Any failure removes the temporary file and is raised unchanged.
    """
    if within is not None:
        ensure_within(path, within)
    ensure_replaceable(path)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text_atomically(path: Path, text: str, mode: int | None = None, *, within: Path | None = None) -> None:
    """write_bytes_atomically for UTF-8 text, line endings kept exactly as given."""
    write_bytes_atomically(path, text.encode("utf-8"), mode, within=within)
