"""Finds the project's Python and learns its facts once.

The doctor diagnoses the interpreter the user's code runs on, which is often not the
one running the doctor (pipx, a global install). Its facts come from one small
subprocess, or straight from this process when it is the same interpreter.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from doctor.process import CannotRun, Processes, run

PROBE_TIMEOUT = 10.0  # below the check's own budget: a hung interpreter is a finding, not a crash

# The distributions the doctor reports on. Asking for these by name is about ten times
# faster than listing every installed distribution, which reads each one's metadata.
RELEVANT_DISTRIBUTIONS = ("openai", "httpx", "httpx2", "python-dotenv", "tiktoken", "certifi", "truststore")

# Runs inside the target interpreter: it must work on any Python 3 and print one JSON line.
_PROBE = r"""
import json, sys
names = sys.argv[1:]
try:
    import importlib.metadata as md
    dists = {}
    for name in names:
        try:
            dists[name] = md.version(name)
        except Exception:
            pass
except Exception:
    dists = None
print(json.dumps({"version": list(sys.version_info[:3]), "executable": sys.executable,
                  "prefix": sys.prefix, "base_prefix": getattr(sys, "base_prefix", sys.prefix),
                  "distributions": dists}))
"""


@dataclass(frozen=True)
class Target:
    """Which interpreter to diagnose and why it was chosen."""

    path: Path
    source: str  # "--python", "VIRTUAL_ENV", "project .venv", "running interpreter"
    project_venvs: tuple[Path, ...] = ()


@dataclass(frozen=True)
class InterpreterFacts:
    """What the target interpreter told us; `error` says why it could not tell."""

    target: Target
    version: tuple[int, int, int] | None = None
    executable: str | None = None
    prefix: str | None = None
    base_prefix: str | None = None
    distributions: Mapping[str, str] | None = field(default=None)  # RELEVANT_DISTRIBUTIONS that are installed
    error: str | None = None
    from_files: bool = False  # read from pyvenv.cfg and metadata (--untrusted), not from running it

    @property
    def is_venv(self) -> bool:
        return self.prefix is not None and self.prefix != self.base_prefix

    @property
    def version_text(self) -> str:
        return ".".join(map(str, self.version)) if self.version else "unknown"

    def installed(self, name: str) -> str | None:
        """The installed version of a distribution, matching names as pip does."""
        from packaging.utils import canonicalize_name

        wanted = canonicalize_name(name)
        for dist, version in (self.distributions or {}).items():
            if canonicalize_name(dist) == wanted:
                return version
        return None


def venv_python(venv: Path) -> Path:
    """The interpreter inside a venv folder, for POSIX and Windows layouts."""
    windows = venv / "Scripts" / "python.exe"
    return windows if windows.exists() else venv / "bin" / "python"


def find_project_venvs(project: Path) -> tuple[Path, ...]:
    return tuple(p for p in (project / ".venv", project / "venv") if (p / "pyvenv.cfg").is_file())


def resolve_target(project: Path, python: str | None, environ: Mapping[str, str]) -> Target:
    """Picks the interpreter: --python, then $VIRTUAL_ENV, then the project's venv, then this one."""
    venvs = find_project_venvs(project)
    if python:
        return Target(Path(python), "--python", venvs)
    if environ.get("VIRTUAL_ENV"):
        return Target(venv_python(Path(environ["VIRTUAL_ENV"])), "VIRTUAL_ENV", venvs)
    if venvs:
        return Target(venv_python(venvs[0]), f"project {venvs[0].name}", venvs)
    return Target(Path(sys.executable), "running interpreter", venvs)


async def probe(target: Target, environ: Mapping[str, str], owner: Processes, *,
                untrusted: bool = False) -> InterpreterFacts:
    """Collects the target's facts; a broken interpreter becomes `error`, never an exception.

    The probe runs in isolated mode (`-I`): neither the project folder nor PYTHON*
    variables reach its `sys.path`, so a project file named `json.py` is never executed.
    With `untrusted`, nothing is executed at all: the facts come from `pyvenv.cfg` and the
    installed distributions' metadata (see doctor/metadata.py).
    """
    if untrusted:
        from doctor.metadata import facts_from_files

        return facts_from_files(target, RELEVANT_DISTRIBUTIONS)
    if _same_as_running(target.path):
        return _facts_in_process(target)
    if not target.path.exists():
        why = "is a broken symbolic link" if target.path.is_symlink() else "does not exist"
        return InterpreterFacts(target, error=f"{target.path} {why}")
    env = {k: v for k, v in environ.items() if not k.startswith("PYTHON")}
    try:
        done = await run([str(target.path), "-I", "-c", _PROBE, *RELEVANT_DISTRIBUTIONS], owner,
                         timeout=PROBE_TIMEOUT, env=env, max_output=256 * 1024)
    except CannotRun as error:
        return InterpreterFacts(target, error=f"{target.path} cannot be run ({error})")
    if done.timed_out:
        return InterpreterFacts(target, error=f"{target.path} did not answer within {PROBE_TIMEOUT:.0f} s")
    try:
        data = json.loads(done.text().strip().splitlines()[-1])
        version = tuple(int(part) for part in data["version"])
    except (ValueError, IndexError, KeyError, TypeError):
        said = (done.text("stderr").strip().splitlines() or ["no output"])[-1]
        return InterpreterFacts(target, error=f"{target.path} is not a working Python ({said[:200]})")
    dists = data.get("distributions")
    return InterpreterFacts(
        target,
        version=version,
        executable=str(data.get("executable") or target.path),
        prefix=str(data.get("prefix")),
        base_prefix=str(data.get("base_prefix")),
        distributions={str(k): str(v) for k, v in dists.items()} if isinstance(dists, dict) else None,
    )


def _same_as_running(path: Path) -> bool:
    """True when the target is this very interpreter, so no subprocess is needed.

    A venv's python is often a symlink to the base interpreter, so resolved paths are
    not enough: the prefix the venv would give must match this process's too.
    """
    if os.path.abspath(path) == os.path.abspath(sys.executable):
        return True
    try:
        venv_root = path.parent.parent
        if (venv_root / "pyvenv.cfg").is_file():
            return venv_root.resolve() == Path(sys.prefix).resolve()
        return sys.prefix == sys.base_prefix and path.resolve() == Path(sys.executable).resolve()
    except OSError:
        return False


def _facts_in_process(target: Target) -> InterpreterFacts:
    import importlib.metadata as md

    dists: dict[str, str] = {}
    for name in RELEVANT_DISTRIBUTIONS:
        try:
            dists[name] = md.version(name)
        except md.PackageNotFoundError:
            continue
    return InterpreterFacts(
        target,
        version=tuple(sys.version_info[:3]),
        executable=sys.executable,
        prefix=sys.prefix,
        base_prefix=sys.base_prefix,
        distributions=dists,
    )
