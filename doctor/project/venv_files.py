"""An environment's facts read from its files alone, for `--untrusted`: nothing is executed.

A virtual environment describes itself in `pyvenv.cfg` (the Python version and the base
interpreter), and every installed distribution in a `NAME-VERSION.dist-info` folder.
That is enough to know the version and the installed packages without running an
interpreter that a stranger's repository may have tampered with. Marker values other
than the version are this machine's (the venv was made on it, or its copy is checked here).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from doctor.files import read_text
from doctor.project.environment import Target
from doctor.project.installed import scan
from doctor.project.interpreter import InterpreterFacts, marker_environment

MAX_CFG_BYTES = 64 * 1024
# At most four digits a part: int() refuses 4,300 digits with a ValueError nobody expects.
_VERSION = re.compile(r"^\s*(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?(?!\d)")


def venv_root(python: Path) -> Path | None:
    """The venv folder a `bin/python` or `Scripts\\python.exe` belongs to, if it is one."""
    root = python.parent.parent
    return root if (root / "pyvenv.cfg").is_file() else None


def read_pyvenv_cfg(root: Path) -> dict[str, str]:
    found = read_text(root / "pyvenv.cfg", MAX_CFG_BYTES)
    values: dict[str, str] = {}
    for line in (found.text() or "").splitlines():
        name, sep, value = line.partition("=")
        if sep:
            values[name.strip().lower()] = value.strip()
    return values


def site_packages(root: Path) -> list[Path]:
    """The site-packages folders of a venv, POSIX (lib/pythonX.Y) and Windows (Lib) layouts."""
    found = [root / "Lib" / "site-packages"] if (root / "Lib" / "site-packages").is_dir() else []
    for lib in ("lib", "lib64"):
        folder = root / lib
        if folder.is_dir():
            found += sorted(p / "site-packages" for p in folder.glob("python3*") if (p / "site-packages").is_dir())
    return list(dict.fromkeys(p.resolve() for p in found))


def facts_from_files(target: Target) -> InterpreterFacts:
    """The target's facts without running it; a non-venv interpreter's version stays unknown."""
    assert target.path is not None
    root = venv_root(target.path)
    if root is None:
        return InterpreterFacts(target, executable=str(target.path), from_files=True)
    cfg = read_pyvenv_cfg(root)
    match = _VERSION.match(cfg.get("version_info") or cfg.get("version") or "")
    version = tuple(int(part or 0) for part in match.groups()) if match else None
    home = cfg.get("home")
    folders = site_packages(root)
    return InterpreterFacts(
        target,
        version=version,  # type: ignore[arg-type]
        executable=str(target.path),
        prefix=str(root),
        base_prefix=str(Path(home).parent) if home else "",
        site_dirs=tuple(str(p) for p in folders),
        environment=marker_environment(version),  # type: ignore[arg-type]
        preloaded=frozenset(sys.builtin_module_names),
        installed_dists=scan(folders),
        from_files=True,
    )
