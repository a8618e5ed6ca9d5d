"""The commits secrets-in-files already found clean, remembered between runs.

A commit id names its content for good, so "git's key pattern (`log -G`) matches nothing this
commit added" stays true forever for that pattern. The history scan asks git only about the
commits it has not seen clean before: on a project whose history did not change since the last
run, the scan is one `rev-list` and no `log` pass at all.

Only commit ids are stored, and only those of commits without a key-shaped addition: never a
secret, a fingerprint of one, a path or a line. A commit with a suspect addition is read again on
every run, so a key in history is reported every time. The file lives in the user's cache folder
(`$XDG_CACHE_HOME/llm-doctor/history/`, never in the project), one per repository and pattern,
keeps at most MAX_REMEMBERED ids, and is written whole or not at all; a missing, unreadable or
foreign file only means a full scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from doctor.project.user_cache import cache_file, load_json, save_json

MAX_REMEMBERED = 20_000
_MAX_FILE_BYTES = 2 * 1024 * 1024
_COMMIT_ID = frozenset("0123456789abcdef")


@dataclass
class HistoryCache:
    """The clean commits remembered for one repository and one search pattern."""

    path: Path | None  # None: nowhere to keep it (no home folder)
    clean: set[str] = field(default_factory=set)

    def unread(self, commits: list[str]) -> list[str]:
        """The commits to ask git about, in their order."""
        return [commit for commit in commits if commit not in self.clean]

    def remember(self, clean: set[str]) -> None:
        """Adds commits found clean and saves the file when anything is new; a failure to save is ignored."""
        new = {commit for commit in clean if len(commit) in (40, 64) and set(commit) <= _COMMIT_ID} - self.clean
        if not new or self.path is None:
            return
        kept = sorted(self.clean | new)[-MAX_REMEMBERED:]
        if save_json(self.path, {"clean": kept}):
            self.clean = set(kept)


def open_cache(project: Path, pattern: str, environ: Mapping[str, str]) -> HistoryCache:
    """The cache of the repository `project` is in (by the project's real path) for `pattern` (git's -G expression)."""
    path = cache_file("history", f"{project.resolve()}\0{pattern}", environ)
    document = load_json(path, _MAX_FILE_BYTES)
    listed = document.get("clean", []) if isinstance(document, dict) else []
    clean = {c for c in listed if isinstance(c, str) and len(c) in (40, 64) and set(c) <= _COMMIT_ID}
    return HistoryCache(path, clean)
