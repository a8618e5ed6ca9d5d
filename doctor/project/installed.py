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
from functools import cached_property
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

    @cached_property
    def modules(self) -> dict[str, str]:
        """Importable name -> what must be on disk for it (`openai/__init__.py`, `six.py`, or a
        namespace package's folder), from its RECORD; empty without a RECORD."""
        found = read_bytes(self.info / "RECORD", MAX_RECORD_BYTES, within=self.site)
        modules: dict[str, str] = {}
        for line in (found.data or b"").decode("utf-8", "replace").splitlines():
            path = line.split(",")[0].replace("\\", "/")
            first, _, rest = path.partition("/")
            if not first or first == ".." or first.endswith((".dist-info", ".data", ".pth")) or first == "__pycache__":
                continue
            if not rest:
                name = first.split(".")[0]
                if name.isidentifier() and not first.endswith(".pyc"):
                    modules.setdefault(name, first)
            elif first.isidentifier() and (rest == "__init__.py" or first not in modules):
                modules[first] = path if rest == "__init__.py" else first
        return modules

    def missing_modules(self) -> list[str]:
        """What its RECORD says should be importable but is gone (deleted by hand, half-uninstalled)."""
        return [path for path in self.modules.values() if not (self.site / path).exists()]

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
