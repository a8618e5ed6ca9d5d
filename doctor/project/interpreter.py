"""The target interpreter's facts, learned once: its version, where it looks for packages, and what is installed.

One small probe runs in the target interpreter (none when it is the running one), in
a neutral folder and with `-E` (and `-I` for a venv), so neither the project folder nor
PYTHON* variables reach its import path: no project file can run. It reports the
version, the prefixes, the folders on `sys.path`, the values of environment markers,
and the modules already loaded at start-up (those a project file cannot shadow). The
installed distributions are then read from those folders' metadata (installed.py), the
same way `--untrusted` reads them without running anything.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Mapping

from doctor.namedtuples import named_tuple
from doctor.process import CannotRun, Processes, run
from doctor.project.environment import Target
from doctor.project.installed import Distribution, scan
from doctor.project.record import canonical

PROBE_TIMEOUT = 10.0  # below the check's own budget: a hung interpreter is a finding, not a crash

# The distributions reports name with their versions.
RELEVANT_DISTRIBUTIONS = ("openai", "httpx", "httpx2", "python-dotenv", "tiktoken", "certifi", "truststore")

# Runs inside the target interpreter: any Python 3, standard library only, one JSON line out.
_PROBE = r"""
import sys
preloaded = sorted(set(sys.modules) | set(sys.builtin_module_names))
sys.path[:] = [p for p in sys.path if p not in ("", ".")]
import json, os
version = sys.implementation.version
implementation = "%d.%d.%d" % version[:3] + ("" if version.releaselevel == "final" else version.releaselevel[0] + str(version.serial))
named = {"cpython": "CPython", "pypy": "PyPy"}.get(sys.implementation.name)
if hasattr(os, "uname") and named:  # platform's own answers, without the patterns its import compiles
    system, _, release, kernel, machine = os.uname()
    full = sys.version.split()[0]
else:
    import platform
    system, release, kernel, machine = platform.system(), platform.release(), platform.version(), platform.machine()
    named, full = platform.python_implementation(), platform.python_version()
environment = {
    "implementation_name": sys.implementation.name, "implementation_version": implementation,
    "os_name": os.name, "platform_machine": machine, "platform_release": release,
    "platform_system": system, "platform_version": kernel,
    "python_full_version": full, "platform_python_implementation": named,
    "python_version": "%d.%d" % sys.version_info[:2], "sys_platform": sys.platform,
}
print(json.dumps({"version": list(sys.version_info[:3]), "executable": sys.executable, "prefix": sys.prefix,
                  "base_prefix": getattr(sys, "base_prefix", sys.prefix), "path": [p for p in sys.path if p],
                  "environment": environment, "preloaded": preloaded,
                  "stdlib": sorted(getattr(sys, "stdlib_module_names", ()))}))
"""


@named_tuple
class InterpreterFacts:
    """What the target interpreter told us; `error` says why it could not tell."""

    target: Target
    version: tuple[int, int, int] | None = None
    executable: str | None = None
    prefix: str | None = None
    base_prefix: str | None = None
    site_dirs: tuple[str, ...] = ()
    environment: Mapping[str, str] | None = None  # the values environment markers are evaluated against
    preloaded: frozenset[str] = frozenset()  # built in or loaded before any user code: they cannot be shadowed
    stdlib: frozenset[str] = frozenset()
    installed_dists: Mapping[str, Distribution] | None = None
    error: str | None = None
    from_files: bool = False  # read from pyvenv.cfg and metadata (--untrusted), not from running it

    @property
    def is_venv(self) -> bool:
        return self.prefix is not None and self.base_prefix is not None and self.prefix != self.base_prefix

    @property
    def version_text(self) -> str:
        return ".".join(map(str, self.version)) if self.version else "unknown"

    @property
    def distributions(self) -> dict[str, str]:
        """The relevant distributions' versions, for reports."""
        return {n: v for n in RELEVANT_DISTRIBUTIONS if (v := self.installed(n))}

    def dist(self, name: str) -> Distribution | None:
        return (self.installed_dists or {}).get(canonical(name))

    def installed(self, name: str) -> str | None:
        """The installed version of a distribution, matching names as pip does."""
        dist = self.dist(name)
        return dist.version if dist else None


def marker_environment(version: tuple[int, int, int] | None) -> dict[str, str]:
    """Marker values for the running interpreter, or one that was not run (read from its files): this
    machine's, with the target's version. The machine's come from os.uname(), as platform's own do on
    Linux and macOS: importing platform compiles six patterns, about 3 ms of every run. Windows has
    no uname; there platform answers."""
    full = ".".join(map(str, version)) if version else sys.version.split()[0]
    if hasattr(os, "uname"):
        system, _, release, kernel, machine = os.uname()
    else:
        import platform

        system, release, kernel, machine = platform.system(), platform.release(), platform.version(), platform.machine()
    return {"implementation_name": "cpython", "implementation_version": full, "os_name": os.name,
            "platform_machine": machine, "platform_release": release,
            "platform_system": system, "platform_version": kernel,
            "python_full_version": full, "platform_python_implementation": "CPython",
            "python_version": ".".join(full.split(".")[:2]), "sys_platform": sys.platform}


async def probe(target: Target, environ: Mapping[str, str], owner: Processes, *,
                untrusted: bool = False) -> InterpreterFacts:
    """Collects the target's facts; a broken interpreter becomes `error`, never an exception."""
    if target.path is None:
        return InterpreterFacts(target, error="no project environment was found")
    if untrusted:
        from doctor.project.venv_files import facts_from_files

        return await asyncio.to_thread(facts_from_files, target)  # off the event loop: the check's deadline holds
    if _same_as_running(target.path):
        return _facts_in_process(target)
    if not target.path.exists():
        why = "is a broken symbolic link" if target.path.is_symlink() else "does not exist"
        return InterpreterFacts(target, error=f"{target.path} {why}")
    env = {k: v for k, v in environ.items() if not k.startswith("PYTHON")}
    flags = ["-I"] if target.kind == "venv" else ["-E"]  # -I drops the user site, which a plain Python may use
    try:
        done = await run([str(target.path), *flags, "-c", _PROBE], owner, timeout=PROBE_TIMEOUT, env=env,
                         cwd=tempfile.gettempdir(), max_output=512 * 1024)
    except CannotRun as error:
        return InterpreterFacts(target, error=f"{target.path} cannot be run ({error})")
    if done.timed_out:
        return InterpreterFacts(target, error=f"{target.path} did not answer within {PROBE_TIMEOUT:.0f} s")
    try:
        data = json.loads(done.text().strip().splitlines()[-1])
        version = tuple(int(part) for part in data["version"])
        site_dirs = tuple(str(p) for p in data["path"])
    except (ValueError, IndexError, KeyError, TypeError):
        said = (done.text("stderr").strip().splitlines() or ["no output"])[-1]
        return InterpreterFacts(target, error=f"{target.path} is not a working Python ({said[:200]})")
    environment = data.get("environment")
    return InterpreterFacts(
        target,
        version=version,  # type: ignore[arg-type]
        executable=str(data.get("executable") or target.path),
        prefix=str(data.get("prefix")),
        base_prefix=str(data.get("base_prefix")),
        site_dirs=site_dirs,
        environment={str(k): str(v) for k, v in environment.items()} if isinstance(environment, dict) else None,
        preloaded=frozenset(map(str, data.get("preloaded") or ())),
        stdlib=frozenset(map(str, data.get("stdlib") or ())),
        installed_dists=await asyncio.to_thread(scan, [Path(p) for p in site_dirs if os.path.isdir(p)]),
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
    site_dirs = tuple(p for p in sys.path if p and os.path.isdir(p) and "site-packages" in p)
    startup = frozenset(sys.builtin_module_names) | frozenset(
        name for name in ("os", "stat", "posixpath", "ntpath", "genericpath", "abc", "codecs", "io", "site",
                          "_collections_abc", "_sitebuiltins", "encodings"))
    return InterpreterFacts(
        target,
        version=tuple(sys.version_info[:3]),  # type: ignore[arg-type]
        executable=sys.executable,
        prefix=sys.prefix,
        base_prefix=sys.base_prefix,
        site_dirs=site_dirs,
        environment=marker_environment(tuple(sys.version_info[:3])),  # type: ignore[arg-type]
        preloaded=startup,
        stdlib=frozenset(getattr(sys, "stdlib_module_names", ())),
        installed_dists=scan(Path(p) for p in site_dirs),
    )
