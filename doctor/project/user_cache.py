"""The doctor's folder in the user's cache: what one run learns that a later run can use.

It is `$XDG_CACHE_HOME/llm-doctor/` (else `~/.cache/llm-doctor/`), never the project, which the
doctor does not write to unless asked. Each kind of memory has its own subfolder and one file per
project (named by a digest, so no path is spelled out in a file name). A file is written whole
or not at all (a temporary file, then a rename) and read through the bounded reader; a missing,
unreadable or foreign file reads as nothing. What is kept there can only save work: whoever
reads it must check that it still answers the question, never take it on trust.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Mapping

from doctor.files import read_bytes


def cache_file(kind: str, name: str, environ: Mapping[str, str]) -> Path | None:
    """The file that keeps `kind` (a subfolder: "history", "code") for `name` (what it is about:
    a project's real path, with whatever else tells its entries apart), or None when the user has
    no cache folder (no home, or a relative XDG_CACHE_HOME, which the XDG rules say to ignore)."""
    home = environ.get("HOME")
    root = environ.get("XDG_CACHE_HOME") or (os.path.join(home, ".cache") if home else None)
    if not root or not os.path.isabs(root):
        return None
    return Path(root) / "llm-doctor" / kind / f"{hashlib.sha256(name.encode()).hexdigest()[:24]}.json"


def load_json(path: Path | None, max_bytes: int) -> Any:
    """The JSON document in `path`, or None when there is none, it is larger than `max_bytes`, or it is not JSON."""
    if path is None:
        return None
    found = read_bytes(path, max_bytes)
    if found.data is None or found.kind != "file":
        return None
    try:
        return json.loads(found.data)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser follows
        return None


def save_json(path: Path | None, document: object) -> bool:
    """Writes `document` to `path` whole or not at all, readable by the user alone; False when it
    could not (a read-only home, a link where the file should be)."""
    if path is None:
        return False
    from doctor.atomic import write_bytes_atomically

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomically(path, json.dumps(document).encode("utf-8"), durable=False)
        return True
    except OSError:
        return False
