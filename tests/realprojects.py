"""Real projects of uv, poetry, pipenv, pdm and hatch, built by the real tools from the registry once and cached.

A test that claims the doctor finds poetry's environment must run against an environment
poetry made, where poetry put it. `build(tool)` writes one small project per tool
(openai, httpx and python-dotenv), locks it and installs it with the tool itself into the
tool's DEFAULT location: uv and pdm in the project's `.venv`, poetry, pipenv and hatch in
their central folders. The tools come from one cached tools venv (the pins below).

Each project lives in its own sandbox under $LLM_DOCTOR_TEST_CACHE/projects (else
~/.cache/llm-doctor-tests/projects): HOME and XDG_CACHE_HOME / XDG_DATA_HOME /
XDG_CONFIG_HOME / XDG_STATE_HOME point into it (on purpose not HOME/.cache and friends, so
the doctor must honour the XDG variables), so the user's real folders are never touched.
`Project.environ` is what the doctor must be run with to compute the same locations.

Builds run under a file lock and count only once a marker says they finished: a build that
was killed halfway is wiped and built again. Tests that change an environment hold the
lock exclusively (`Project.mutating()`), remove the marker while they work and put it back
only once the environment is as the tool left it; tests that read hold it shared
(`Project.shared()`). So two test processes can use the same cache at once.

Settings that make the tools behave here come from the research notes (FINDINGS.md §0, §2, §7):
no pyenv shims on PATH, UV_PYTHON_DOWNLOADS=never, poetry's primary `pypi-simple` source
(this registry 404s poetry's JSON API), the hishel pin for pdm, hatch with
`installer = "uv"` and `python-sources = ["external"]`, pyproject files written by hand
(`hatch new` stalls on a fresh HOME).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pytest

from tests.conftest import DEAD_PROXY, base_environ

FORMAT = 1  # bump to rebuild every cached project
TOOLS = ("uv", "poetry", "pipenv", "pdm", "hatch")
# The research's tools-requirements.txt: versions verified on this registry. pdm 2.29.4 asks for
# hishel[httpx2]>=1.4.0 but fails with hishel 2.0.0 ("module 'hishel' has no attribute 'SyncSqliteStorage'").
TOOL_PINS = ("uv==0.13.9", "poetry==2.5.1", "pipenv==2026.10.3", "pdm==2.29.4", "hatch==1.18.2",
             "hishel[httpx2]==1.4.0")
INDEX = os.environ.get("LLM_DOCTOR_TEST_INDEX") or os.environ.get("PIP_INDEX_URL") or "https://pypi.org/simple/"
DEPS = ("openai", "httpx", "python-dotenv")
READY = "READY.json"
STEP_TIMEOUT = 600

# The project folder's name per tool: names the tools must normalise (the doctor too).
FOLDERS = {"uv": "sample-uv", "poetry": "poetry project", "pipenv": "Sample Pipenv", "pdm": "sample-pdm",
           "hatch": "hatch_project"}
DEPS_TOML = "dependencies = [" + ", ".join(f'"{d}"' for d in DEPS) + "]"
PACKAGES = "".join(f'{d} = "*"\n' for d in DEPS)  # the Pipfile's form
FILES = {  # written by hand, as the research did (`hatch new` stalls on a fresh HOME)
    "uv": {"pyproject.toml": f"""\
[project]
name = "sample-uv"
version = "0.1.0"
requires-python = ">=3.11"
{DEPS_TOML}
"""},
    # The simple index as primary source: this workplace's registry 404s poetry's JSON API.
    "poetry": {"pyproject.toml": f"""\
[project]
name = "LLM_Doctor.Sample-Poetry"
version = "0.1.0"
requires-python = ">=3.11,<4"
{DEPS_TOML}

[tool.poetry]
package-mode = false

[[tool.poetry.source]]
name = "pypi-simple"
url = "{INDEX}"
priority = "primary"
"""},
    "pipenv": {"Pipfile": f"""\
[[source]]
url = "{INDEX.rstrip("/")}"
verify_ssl = true
name = "pypi"

[packages]
{PACKAGES}
[requires]
python_version = "3.11"
"""},
    "pdm": {"pyproject.toml": f"""\
[project]
name = "sample-pdm"
version = "0.1.0"
requires-python = ">=3.11"
{DEPS_TOML}

[tool.pdm]
distribution = false
"""},
    # installer uv: pip's locker cannot lock (`Locker pip does not support this environment`);
    # python-sources external: never download a CPython.
    "hatch": {"pyproject.toml": f"""\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "Sample_Hatch.App"
version = "0.1.0"
requires-python = ">=3.11"
{DEPS_TOML}

[tool.hatch.build.targets.wheel]
packages = ["src/sample_hatch_app"]

[tool.hatch.envs.default]
locked = true
installer = "uv"
python-sources = ["external"]
""", "src/sample_hatch_app/__init__.py": ""},
}
# What each tool runs to lock and install, in the project folder ({py}: the interpreter to build with).
STEPS = {
    "uv": (("uv", "lock", "--python", "{py}"), ("uv", "sync", "--locked", "--python", "{py}")),
    "poetry": (("env", "POETRY_VIRTUALENVS_CREATE=false", "poetry", "lock"), ("poetry", "env", "use", "{py}"),
               ("poetry", "install", "--no-root")),
    "pipenv": (("pipenv", "lock", "--python", "{py}"), ("pipenv", "sync")),
    "pdm": (("pdm", "use", "-f", "{py}"), ("pdm", "lock"), ("pdm", "install", "--frozen-lockfile")),
    "hatch": (("env", "HATCH_PYTHON={py}", "hatch", "dep", "lock"),  # creates the env as a side effect
              ("env", "HATCH_PYTHON={py}", "hatch", "env", "create")),
}
LOCK_FILES = {"uv": "uv.lock", "poetry": "poetry.lock", "pipenv": "Pipfile.lock", "pdm": "pdm.lock",
              "hatch": "pylock.toml"}
# The tool's own commands, as the doctor's fixes must name them.
SYNC = {"uv": "uv sync", "poetry": "poetry sync", "pipenv": "pipenv sync", "pdm": "pdm sync",
        "hatch": "hatch env create"}
CREATE = {"uv": "uv sync", "poetry": "poetry install", "pipenv": "pipenv sync", "pdm": "pdm install",
          "hatch": "hatch env create"}
# Settings that keep the tools quiet, non-interactive and off the network except for the registry.
TOOL_SETTINGS = {"UV_PYTHON_DOWNLOADS": "never", "PIPENV_YES": "1", "PIPENV_NOSPIN": "1", "PIPENV_VERBOSITY": "-1",
                 "PIPENV_IGNORE_VIRTUALENVS": "1", "PDM_CHECK_UPDATE": "false", "NO_COLOR": "1",
                 "HATCH_INTERACTIVE": "false", "POETRY_NO_INTERACTION": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
                 "PIP_NO_INPUT": "1"}
# What the machine's own settings pass on to the tools: index, certificates and proxies.
PASSED_ON = ("PIP_", "UV_INDEX", "UV_DEFAULT_INDEX", "PDM_PYPI", "SSL_CERT_", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
             "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "no_proxy")


def cache_root() -> Path:
    given = os.environ.get("LLM_DOCTOR_TEST_CACHE")
    return (Path(given) if given else Path.home() / ".cache" / "llm-doctor-tests") / "projects"


def build_python() -> Path:
    """The interpreter every project is built with: the base Python of the one running the tests."""
    if sys.version_info < (3, 11):
        pytest.skip("the real projects require Python >=3.11; the tests run on " + sys.version.split()[0])
    found = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    return found if found.exists() else Path(sys.base_prefix) / "bin" / "python3"


def python_minor(minor: str) -> Path | None:
    """An interpreter of another minor version (by absolute path: pyenv shims exit 127 when not activated)."""
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    def patch(path: Path) -> int:
        tail = path.parts[-3].rpartition(".")[2]
        return int(tail) if tail.isdigit() else -1

    for candidate in sorted(pyenv.glob(f"{minor}.*/bin/python{minor}"), key=patch, reverse=True):
        return candidate
    for folder in ("/usr/local/bin", "/usr/bin"):
        if (Path(folder) / f"python{minor}").exists():
            return Path(folder) / f"python{minor}"
    return None


@dataclass(frozen=True)
class Project:
    """A real project of `tool`, its environment made by the tool where the tool puts it."""

    tool: str
    path: Path
    sandbox: Path
    tools_bin: Path
    environ: dict[str, str]  # for the doctor: base_environ() plus the sandbox's HOME, XDG_* and PATH
    tool_environ: dict[str, str]  # for the tools: the same, with the registry reachable
    info: dict = field(default_factory=dict)  # what the build recorded (the tool's own answers)

    @property
    def lock_file(self) -> Path:
        return self.path / LOCK_FILES[self.tool]

    def run_tool(self, *args: str, cwd: Path | None = None, check: bool = True, timeout: int = STEP_TIMEOUT,
                 extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        env = {**self.tool_environ, **(extra or {})}
        argv = [str(self.tools_bin / args[0]) if (self.tools_bin / args[0]).exists() else args[0], *args[1:]]
        done = subprocess.run(argv, cwd=cwd or self.path, env=env, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(args)} (in {cwd or self.path}) exited {done.returncode}:\n"
                                 f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done

    def env_prefix(self, path: Path | None = None) -> Path | None:
        """The environment the tool itself reports for the project (None when it reports none)."""
        return tool_env_prefix(self, path or self.path)

    def env_python(self) -> Path:
        """The interpreter the tool itself names for the project."""
        if self.tool == "pdm":
            return Path((self.path / ".pdm-python").read_text().strip())
        prefix = self.env_prefix()
        assert prefix is not None, f"{self.tool} reports no environment for {self.path}"
        return prefix / "bin" / "python"

    @contextlib.contextmanager
    def shared(self) -> Iterator["Project"]:
        """Read-only use: no other process changes the environment meanwhile."""
        for _ in range(5):
            with open(_lock_path(self.sandbox), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_SH)
                if (self.sandbox / READY).is_file():
                    yield self
                    return
            build(self.tool)  # another process left it half-changed: built again
        raise AssertionError(f"the {self.tool} project could not be made ready")

    @contextlib.contextmanager
    def mutating(self) -> Iterator[Callable[[], None]]:
        """Changes the environment, exclusively. The block gets a `restored` function to call once the
        environment is as the tool left it; if it is never called, the next build() builds it again."""
        marker = self.sandbox / READY
        for _ in range(5):
            with open(_lock_path(self.sandbox), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if marker.is_file():
                    ready = marker.read_text()
                    marker.unlink()
                    done: list[bool] = []
                    try:
                        yield lambda: done.append(True)
                    finally:
                        if done:
                            marker.write_text(ready)
                    return
            build(self.tool)  # left half-changed by an earlier test: built again (outside this lock)
        raise AssertionError(f"the {self.tool} project could not be made ready")


def tool_env_prefix(project: Project, path: Path) -> Path | None:
    """Asks the tool where the environment of the project at `path` is (read-only commands only, FINDINGS §2)."""
    tool = project.tool
    if tool == "uv":
        venv = path / ".venv"
        done = project.run_tool("uv", "sync", "--check", "--locked", "--offline", cwd=path, check=False)
        said = done.stdout + done.stderr
        return venv if "Would use project environment at: .venv" in said and (venv / "pyvenv.cfg").is_file() else None
    if tool == "pdm":
        saved = path / ".pdm-python"
        return Path(saved.read_text().strip()).parent.parent if saved.is_file() else None
    argv = {"poetry": ("poetry", "env", "info", "-p"), "pipenv": ("pipenv", "--venv"),
            "hatch": ("hatch", "env", "find")}[tool]
    done = project.run_tool(*argv, cwd=path, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        return None
    found = Path(done.stdout.strip().splitlines()[-1])
    return found if tool != "hatch" or (found / "pyvenv.cfg").is_file() else None


def hatch_would_create(project: Project, path: Path) -> Path:
    """`hatch env find` prints the path even before the env exists."""
    return Path(project.run_tool("hatch", "env", "find", cwd=path).stdout.strip().splitlines()[-1])


# -- building --------------------------------------------------------------------------------------

def _lock_path(folder: Path) -> Path:
    return folder.parent / f"{folder.name}.lock"


def _key(*parts: object) -> str:
    return hashlib.sha256(json.dumps([FORMAT, *parts], default=str).encode()).hexdigest()[:12]


def _run(argv: list[str], cwd: Path, env: dict[str, str], log: Path) -> float:
    started = time.monotonic()
    try:
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"{' '.join(argv)} took over {STEP_TIMEOUT} s") from exc
    took = time.monotonic() - started
    with open(log, "a") as out:
        out.write(f"$ {' '.join(argv)}  (in {cwd}; rc {done.returncode}; {took:.2f} s)\n{done.stdout}{done.stderr}\n")
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode} (log: {log}):\n"
                           f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return took


_REGISTRY_OK: list[bool] = []


def require_registry() -> None:
    """Skips when the package registry cannot be reached (only asked before a cold build)."""
    if _REGISTRY_OK:
        return
    url = INDEX.rstrip("/") + "/uv/"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "text/html"}), timeout=20) as reply:
            reply.read(1024)
    except Exception as exc:  # any failure to reach it: DNS, refused, TLS, HTTP error
        pytest.skip(f"the package registry ({url}) cannot be reached ({exc}); the real-project tests build "
                    "their projects from it once, then reuse the cache")
    _REGISTRY_OK.append(True)


def tools_venv() -> Path:
    """One venv holding uv, poetry, pipenv, pdm and hatch at the pinned versions."""
    python = build_python()
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    venv = root / f"tools-{_key(TOOL_PINS, sys.version)}"
    if (venv / READY).is_file():
        return venv
    with open(_lock_path(venv), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (venv / READY).is_file():
            return venv
        require_registry()
        shutil.rmtree(venv, ignore_errors=True)
        env = _tool_environ(venv, venv / "bin")
        for folder in _sandbox_vars(venv).values():
            Path(folder).mkdir(parents=True)
        log = venv / "build.log"
        took = _run([str(python), "-m", "venv", str(venv)], root, env, log)
        took += _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", TOOL_PINS[0]], root, env, log)
        took += _run([str(venv / "bin" / "uv"), "pip", "install", "--python", str(venv / "bin" / "python"),
                      *TOOL_PINS], root, env, log)
        (venv / READY).write_text(json.dumps({"pins": TOOL_PINS, "seconds": round(took, 2)}))
    return venv


def _sandbox_vars(sandbox: Path) -> dict[str, str]:
    return {"HOME": str(sandbox / "home"), "XDG_CACHE_HOME": str(sandbox / "xdg" / "cache"),
            "XDG_DATA_HOME": str(sandbox / "xdg" / "data"), "XDG_CONFIG_HOME": str(sandbox / "xdg" / "config"),
            "XDG_STATE_HOME": str(sandbox / "xdg" / "state")}


def _doctor_environ(sandbox: Path, tools_bin: Path) -> dict[str, str]:
    # No pyenv shims on PATH: they exit 127 unless a version is activated and confuse uv and poetry.
    return base_environ(PATH=f"{tools_bin}:/usr/bin:/bin", **_sandbox_vars(sandbox))


def _tool_environ(sandbox: Path, tools_bin: Path) -> dict[str, str]:
    env = {k: v for k, v in _doctor_environ(sandbox, tools_bin).items() if v != DEAD_PROXY and k != "NO_PROXY"}
    env.update({k: v for k, v in os.environ.items() if k.startswith(PASSED_ON)})
    env.update(TOOL_SETTINGS)
    return env


def _project(tool: str, sandbox: Path, tools: Path, info: dict) -> Project:
    return Project(tool, sandbox / FOLDERS[tool], sandbox, tools / "bin", _doctor_environ(sandbox, tools / "bin"),
                   _tool_environ(sandbox, tools / "bin"), info)


def build(tool: str) -> Project:
    """The cached real project of `tool`, built on first use (or when a build or a test was interrupted)."""
    if tool not in TOOLS:
        raise ValueError(f"unknown tool {tool!r}")
    tools = tools_venv()
    python = build_python()
    sandbox = cache_root() / f"{tool}-{_key(tool, TOOL_PINS, FILES[tool], STEPS[tool], INDEX, sys.version)}"
    if (sandbox / READY).is_file():
        return _project(tool, sandbox, tools, json.loads((sandbox / READY).read_text()))
    with open(_lock_path(sandbox), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (sandbox / READY).is_file():  # another process built it while this one waited
            return _project(tool, sandbox, tools, json.loads((sandbox / READY).read_text()))
        require_registry()
        _wipe(sandbox)
        for folder in _sandbox_vars(sandbox).values():
            Path(folder).mkdir(parents=True)
        project = _project(tool, sandbox, tools, {})
        for name, text in FILES[tool].items():
            (project.path / name).parent.mkdir(parents=True, exist_ok=True)
            (project.path / name).write_text(text)
        timings = {}
        for step in STEPS[tool]:
            argv = [part.format(py=python) for part in step]
            if (tools / "bin" / argv[0]).exists():
                argv[0] = str(tools / "bin" / argv[0])
            timings[" ".join(step)] = round(_run(argv, project.path, project.tool_environ, sandbox / "build.log"), 2)
        prefix = project.env_prefix()
        if prefix is None:
            raise RuntimeError(f"{tool} reports no environment after the build (log: {sandbox / 'build.log'})")
        if tool in ("poetry", "pipenv", "hatch") and project.path in prefix.parents:
            raise RuntimeError(f"{tool} put its environment in the project ({prefix}), not in its central folder")
        info = {"tool": tool, "prefix": str(prefix), "python": str(python), "timings": timings,
                "seconds": round(sum(timings.values()), 2)}
        (sandbox / READY).write_text(json.dumps(info))
    return _project(tool, sandbox, tools, info)


def build_all(tools: tuple[str, ...] = TOOLS, workers: int = 3) -> dict[str, Project | BaseException]:
    """Builds (or finds) every project, a few at once: a cold build is mostly waiting on the registry."""
    tools_venv()  # first and once: every project needs it
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {tool: pool.submit(build, tool) for tool in tools}
    results: dict[str, Project | BaseException] = {}
    for tool, future in futures.items():
        try:
            results[tool] = future.result()
        except BaseException as exc:  # pytest.skip raises an exception that is not an Exception
            results[tool] = exc
    return results


def _wipe(folder: Path) -> None:
    """Removes a half-built sandbox, including read-only files some tools leave behind."""
    def writable(func, path, _exc):
        os.chmod(path, 0o700)
        func(path)

    if folder.exists():
        shutil.rmtree(folder, onerror=writable)
