"""Writing a file whole or not at all: the safe fixes and the support report both rely on it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomically(path: Path, text: str, mode: int | None = None) -> None:
    """Writes `text` to a temporary file beside `path`, flushes it to disk, then renames it over
    `path`: a crash or an interruption leaves the old file or the new one, never a mix.

    `mode` sets the new file's permissions; without it the file keeps mkstemp's private 0600.
    Any failure removes the temporary file and is raised unchanged.
    """
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
