"""What is installed in an environment, read from its `*.dist-info` folders: nothing is imported or run.

Each distribution's METADATA gives its name, version and `Requires-Dist`; its RECORD the
files it installed, so a package whose files were deleted, or whose dependency is gone,
is found without importing it (importing openai alone takes longer than the whole
offline diagnosis). The same reader serves a normal run (the probe names the folders)
and `--untrusted` (the folders come from the venv's layout).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterable, Mapping

from doctor.files import read_bytes
from doctor.project.record import applies, canonical

MAX_METADATA_BYTES = 512 * 1024
MAX_RECORD_BYTES = 4 * 1024 * 1024
MAX_DIST_INFOS = 5000
# All the METADATA one scan reads: real environments hold a few MB (5,000 files of 512 KB would be 2.5 GB).
MAX_SCAN_BYTES = 64 * 1024 * 1024
MAX_REQUIRES = 500  # Requires-Dist lines kept for one distribution; openai has a dozen
MAX_HEADER_CHARS = 1000
# A RECORD line's first path part, and what follows it: a package's `/__init__.py`, another `/`, or
# the end of the path (a top-level file).
# (Each match starts at a newline: a literal start is found at C speed, where `^` under MULTILINE is
# tried at every character.)
_RECORD_HEAD = re.compile(r"\n([^/,\n]*)(/__init__\.py(?=[,\n]|$)|/|,|(?=\n)|$)")
MAX_CHAIN = 16  # links of a dependency chain kept: real ones are under ten


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
        namespace package's folder), from its RECORD; empty without a RECORD.

        openai's RECORD has over a thousand lines, and a run reads a dozen RECORDs: the first
        part of every path is cut out by one regular expression, and only the distinct ones
        are looked at (a package's `__init__.py` wins wherever it is listed)."""
        found = read_bytes(self.info / "RECORD", MAX_RECORD_BYTES, within=self.site)
        text = (found.data or b"").decode("utf-8", "replace").replace("\\", "/").replace("\r", "")
        modules: dict[str, str] = {}
        for first, after in dict.fromkeys(_RECORD_HEAD.findall("\n" + text)):
            if not first or first == ".." or first.endswith((".dist-info", ".data", ".pth")) or first == "__pycache__":
                continue
            if after in (",", ""):  # a module file at the top: `six.py`
                name = first.split(".")[0]
                if name.isidentifier() and not first.endswith(".pyc"):
                    modules.setdefault(name, first)
            elif first.isidentifier() and (after != "/" or first not in modules):
                modules[first] = f"{first}/__init__.py" if after != "/" else first
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


def _headers(info: Path) -> tuple[dict[str, list[str]], int]:
    """The METADATA headers we need, parsed by hand (much faster than the email parser), and the
    bytes read. At most MAX_REQUIRES Requires-Dist lines are kept: a hostile METADATA has 20,000."""
    found = read_bytes(info / "METADATA", MAX_METADATA_BYTES, within=info.parent)
    data = found.data or b""
    headers: dict[str, list[str]] = {}
    for line in data[:data.find(b"\n\n") if b"\n\n" in data else len(data)].decode("utf-8", "replace").splitlines():
        if not line.strip():
            break  # the body (long description) starts
        name, sep, value = line.partition(":")
        if sep and name in ("Name", "Version", "Requires-Dist") and len(headers.get(name, ())) < MAX_REQUIRES:
            headers.setdefault(name, []).append(value.strip()[:MAX_HEADER_CHARS])
    return headers, len(data)


class Installed(dict):
    """Distributions by canonical name; `cut` says what the scan did not read, when it stopped at a cap."""

    cut: str | None = None


def scan(site_dirs: Iterable[Path]) -> Installed:
    """Every distribution in the folders, by canonical name; the first folder wins, as on sys.path.
    Bounded: at most MAX_DIST_INFOS folders and MAX_SCAN_BYTES of METADATA in all."""
    found = Installed()
    count, budget = 0, MAX_SCAN_BYTES
    for folder in site_dirs:
        try:
            entries = sorted(os.listdir(folder))
        except OSError:
            continue
        for entry in entries:
            if not entry.endswith(".dist-info"):
                continue
            count += 1
            if count > MAX_DIST_INFOS or budget < MAX_METADATA_BYTES:
                found.cut = (f"more than {MAX_DIST_INFOS:,} .dist-info folders" if count > MAX_DIST_INFOS else
                             f"more than {MAX_SCAN_BYTES // (1024 * 1024)} MB of METADATA") + \
                    f"; {len(found):,} distributions were read, the rest were not"
                return found
            info = Path(folder) / entry
            headers, size = _headers(info)
            budget -= size
            name = canonical((headers.get("Name") or [entry.split("-")[0]])[0])
            if name in found or not headers.get("Version"):
                continue
            found[name] = Distribution(name, headers["Version"][0], tuple(headers.get("Requires-Dist", ())), info)
    return found


def closure(roots: Iterable[str], installed: Mapping[str, Distribution],
            environment: Mapping[str, str] | None) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """What the roots need, transitively: ({installed name: chain from a root}, [(missing, needed by)]).
    A chain longer than MAX_CHAIN names its root and its last links only."""
    from collections import deque

    chains: dict[str, list[str]] = {}
    missing: dict[tuple[str, str], None] = {}  # in the order found, each once
    queue = deque((canonical(r), [canonical(r)]) for r in roots if canonical(r) in installed)
    while queue:
        name, chain = queue.popleft()
        if name in chains:
            continue
        chains[name] = chain
        for needed in dict.fromkeys(installed[name].dependencies(environment)):
            if needed in installed:
                if needed not in chains:  # a chain keeps its root and its last links: whole, 10,000 deep is quadratic
                    queue.append((needed, [chain[0], *chain[1:][-(MAX_CHAIN - 2):], needed]))
            else:
                missing.setdefault((needed, name))
    return chains, list(missing)
