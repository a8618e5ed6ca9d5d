"""What is installed in an environment, read from its `*.dist-info` folders: nothing is imported or run.

Each distribution's METADATA gives its name, version and `Requires-Dist`; its RECORD the
files it installed, so a package whose files were deleted, or whose dependency is gone,
is found without importing it (importing openai alone takes longer than the whole
offline diagnosis). The same reader serves a normal run (the probe names the folders)
and `--untrusted` (the folders come from the venv's layout).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from doctor.files import read_bytes
from doctor.project.record import applies, canonical

MAX_METADATA_BYTES = 512 * 1024
MAX_RECORD_BYTES = 4 * 1024 * 1024
MAX_DIST_INFOS = 5000


@dataclass(frozen=True)
class Distribution:
    name: str  # canonical
    version: str
    requires: tuple[str, ...]  # Requires-Dist, as written
    info: Path  # its .dist-info folder

    @property
    def site(self) -> Path:
        return self.info.parent

    def record(self) -> list[str] | None:
        """The paths its RECORD lists (relative to site-packages), or None without a RECORD."""
        found = read_bytes(self.info / "RECORD", MAX_RECORD_BYTES, within=self.site)
        if not found.ok:
            return None
        text = (found.data or b"").decode("utf-8", "replace")
        return [line.split(",")[0] for line in text.splitlines() if line.strip()]

    def top_level(self) -> set[str]:
        """The importable names it installs: the first part of each RECORD path (`openai/...`, `six.py`)."""
        names = set()
        for path in self.record() or ():
            first = path.replace("\\", "/").split("/")[0]
            if first.endswith((".dist-info", ".data")) or first in ("..", "__pycache__", "") or \
                    first.endswith(".pth"):
                continue
            names.add(first.split(".")[0] if "/" not in path.replace("\\", "/") else first)
        return {n for n in names if n.isidentifier()}

    def missing_files(self, limit: int = 20) -> list[str]:
        """Python files its RECORD lists that are not on disk (a package deleted or half-removed by hand)."""
        missing = []
        for path in self.record() or ():
            if path.endswith(".py") and not path.startswith("..") and not (self.site / path).exists():
                missing.append(path)
                if len(missing) >= limit:
                    break
        return missing

    def dependencies(self, environment: Mapping[str, str] | None) -> list[str]:
        """Canonical names of what it needs here: no extras, markers evaluated for the target."""
        needed = []
        for line in self.requires:
            spec, _, marker = line.partition(";")
            if "extra" in marker:
                continue
            name = spec.strip().split("[")[0].split("(")[0]
            for stop in "<>=!~ ":
                name = name.split(stop)[0]
            if name and applies(marker.strip() or None, environment):
                needed.append(canonical(name))
        return needed


def _headers(info: Path) -> dict[str, list[str]]:
    """The METADATA headers we need, parsed by hand: much faster than the email parser."""
    found = read_bytes(info / "METADATA", MAX_METADATA_BYTES, within=info.parent)
    headers: dict[str, list[str]] = {}
    for line in (found.data or b"").decode("utf-8", "replace").splitlines():
        if not line.strip():
            break  # the body (long description) starts
        name, sep, value = line.partition(":")
        if sep and name in ("Name", "Version", "Requires-Dist"):
            headers.setdefault(name, []).append(value.strip())
    return headers


def scan(site_dirs: Iterable[Path]) -> dict[str, Distribution]:
    """Every distribution in the folders, by canonical name; the first folder wins, as on sys.path."""
    found: dict[str, Distribution] = {}
    count = 0
    for folder in site_dirs:
        try:
            entries = sorted(os.listdir(folder))
        except OSError:
            continue
        for entry in entries:
            if not entry.endswith(".dist-info"):
                continue
            count += 1
            if count > MAX_DIST_INFOS:
                return found
            info = Path(folder) / entry
            headers = _headers(info)
            name = canonical((headers.get("Name") or [entry.split("-")[0]])[0])
            if name in found or not headers.get("Version"):
                continue
            found[name] = Distribution(name, headers["Version"][0], tuple(headers.get("Requires-Dist", ())), info)
    return found


def closure(roots: Iterable[str], installed: Mapping[str, Distribution],
            environment: Mapping[str, str] | None) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """What the roots need, transitively: ({installed name: chain from a root}, [(missing, needed by)])."""
    chains: dict[str, list[str]] = {}
    missing: list[tuple[str, str]] = []
    queue = [(canonical(r), [canonical(r)]) for r in roots if canonical(r) in installed]
    while queue:
        name, chain = queue.pop(0)
        if name in chains:
            continue
        chains[name] = chain
        for needed in installed[name].dependencies(environment):
            if needed in installed:
                queue.append((needed, [*chain, needed]))
            elif (needed, name) not in missing:
                missing.append((needed, name))
    return chains, missing
