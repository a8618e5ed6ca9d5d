"""Shared test helpers: temporary projects, injected contexts and the canary key.

No test reads or changes the real process environment of the doctor: every Context
gets an explicit environ built here.
"""

from __future__ import annotations

import asyncio
import importlib.metadata as md
import os
import tempfile
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from doctor.context import Context
from doctor.project.environment import Target

# The fixtures are projects for the doctor to read, never tests to collect (some hold test files of their own).
collect_ignore_glob = ["fixtures/*"]
from doctor.project.installed import Distribution
from doctor.project.interpreter import InterpreterFacts, marker_environment
from doctor.project.record import canonical
from doctor.model import Check, Result
from doctor.settings import Flags, ProjectConfig

# Shaped like a real project key, so every key-shape rule applies to it.
CANARY_KEY = "sk-proj-" + "Cx7Qm2Lp9Rt4Vb8Nz3Kd6Wf1Hs5Jg0Ty" * 2 + "T3BlbkFJ" + "Mq8Zr3Xt6Pw1Ky9Lf2Vb"
CANARY_CORE = CANARY_KEY[12:-6]  # a long inner slice: no mask shows any of it
SHELL_CANARY = "sk-proj-" + "Sh3llK3yQw8Er5Ty2Ui9Op4As7Df1Gh6Jk" * 2 + "T3BlbkFJ" + "Zx4Cv7Bn1Mq9Wr2Te5Yu"
TODAY = date(2026, 11, 26)


# Any request that is not for the sandbox on loopback goes to this dead proxy and fails at
# once: a test that forgot --offline can never reach the real internet.
DEAD_PROXY = "http://127.0.0.1:9"


_SESSION_CACHE = tempfile.mkdtemp(prefix="llm-doctor-test-cache-")


def base_environ(**extra: str) -> dict[str, str]:
    """A minimal environment: enough for git and Python to run, nothing of the real shell's keys. The
    doctor's own cache (the history scan's clean commits) goes to a folder of the test session's."""
    env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8",
           "HTTPS_PROXY": DEAD_PROXY, "HTTP_PROXY": DEAD_PROXY, "NO_PROXY": "127.0.0.1,localhost",
           "XDG_CACHE_HOME": _SESSION_CACHE}
    env.update(extra)
    return env


def write_project(root: Path, *, env: str | bytes | None = None, requirements: str | None = None,
                  gitignore: str | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if env is not None:
        path = root / ".env"
        path.write_bytes(env if isinstance(env, bytes) else env.encode("utf-8"))
    if requirements is not None:
        (root / "requirements.txt").write_text(requirements, encoding="utf-8")
    if gitignore is not None:
        (root / ".gitignore").write_text(gitignore, encoding="utf-8")
    return root


def git(root: Path, *args: str) -> None:
    env = {**base_environ(), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


def dist(name: str, version: str, *requires: str) -> Distribution:
    """An installed distribution as its metadata describes it (no files behind it)."""
    return Distribution(canonical(name), version, requires, Path("/nonexistent") / f"{name}-{version}.dist-info")


HEALTHY_DISTS = {"openai": ("1.99.0", "httpx<1,>=0.23.0", "pydantic<3,>=1.9.0"), "httpx": ("0.28.1",),
                 "python-dotenv": ("1.2.4",), "pydantic": ("2.9.0",)}


def facts(project: Path, *, version=(3, 12, 4), venv=True, dists=None, source="the project's .venv",
          error: str | None = None, project_venv: bool | None = None) -> InterpreterFacts:
    """Interpreter facts without a subprocess. `venv`: the target is a venv; `project_venv`:
    the project has a .venv folder (defaults to `venv`). `dists` maps names to a version,
    or to (version, *Requires-Dist)."""
    venvs = (project / ".venv",) if (venv if project_venv is None else project_venv) else ()
    target = Target(project / ".venv" / "bin" / "python", source, "venv" if venv else "interpreter", venvs)
    if error:
        return InterpreterFacts(target, error=error)
    prefix = str(project / ".venv") if venv else "/usr"
    given = HEALTHY_DISTS if dists is None else dists
    installed = {canonical(n): dist(n, *(v if isinstance(v, tuple) else (v,))) for n, v in given.items()}
    return InterpreterFacts(target, version=tuple(version), executable=f"{prefix}/bin/python", prefix=prefix,
                            base_prefix="/usr", environment=marker_environment(tuple(version)),
                            installed_dists=installed)


def make_ctx(project: Path, *, environ: dict[str, str] | None = None, interpreter: InterpreterFacts | None = None,
             flags: Flags | None = None, config: ProjectConfig | None = None, platform: str = "linux") -> Context:
    ctx = Context.build(project, flags or Flags(), config, environ=environ if environ is not None else base_environ(),
                        today=TODAY)
    ctx.platform = platform
    ctx.interpreter_facts = interpreter
    if interpreter is not None:
        ctx.target = interpreter.target
    return ctx


def run_check(check: Check, ctx: Context) -> Result:
    """Runs one check the way the runner does, redaction included."""
    return ctx.redactor.redact_result(asyncio.run(check(ctx)))


HEALTHY_REQUIREMENTS = "httpx==0.28.1\nopenai==1.99.0\npython-dotenv==1.2.4\n"


@pytest.fixture
def healthy(tmp_path: Path) -> Path:
    """A project the guide would call done: .env with a key, ignored by git, pins that match."""
    root = write_project(tmp_path / "proj", env=f"OPENAI_API_KEY={CANARY_KEY}\n", requirements=HEALTHY_REQUIREMENTS,
                         gitignore=".env\n.venv/\n")
    git(root, "init", "-q")
    git(root, "add", ".gitignore", "requirements.txt")
    git(root, "commit", "-qm", "start")
    return root


def doctor_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Runs the real command line in a subprocess, as a user or CI would.

    From another folder it runs `python -m doctor`; in a project folder (`cwd`) it runs the
    installed `llm-doctor` script, as a user would there: `-m` would put the folder on the import path.
    """
    script = Path(sys.executable).with_name("llm-doctor.exe" if os.name == "nt" else "llm-doctor")
    argv = [str(script)] if cwd is not None and script.exists() else [sys.executable, "-m", "doctor"]
    return subprocess.run([*argv, *args], capture_output=True, text=True,
                          env=env if env is not None else base_environ(), cwd=cwd, timeout=120)


def installed_pins() -> str:
    return "".join(f"{name}=={md.version(name)}\n" for name in ("openai", "httpx", "python-dotenv"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A healthy project whose interpreter is the one running the tests."""
    root = write_project(tmp_path / "proj", env=f"OPENAI_API_KEY={CANARY_KEY}\n", requirements=installed_pins(),
                         gitignore=".env\n")
    git(root, "init", "-q")
    return root


def processes_with(token: str) -> list[int]:
    """Live processes whose environment holds `token`: what a run left behind (POSIX /proc only)."""
    found = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                if token.encode() not in handle.read():
                    continue
            with open(f"/proc/{entry}/stat") as handle:
                if handle.read().rsplit(")", 1)[1].split()[0] != "Z":
                    found.append(int(entry))
        except OSError:
            continue
    return found


def fragments(secret: str, window: int = 12) -> set[str]:
    """Every `window`-long piece of a secret in the forms a server could send it back in:
    as is, upper- and lower-cased, reversed, percent-encoded, and base64 at each alignment."""
    import base64
    from urllib.parse import quote

    raw = secret.encode()
    forms = [secret, secret.upper(), secret.lower(), secret[::-1], quote(secret, safe="")]
    forms += [codec(raw[start:]).decode().rstrip("=") for start in range(3)
              for codec in (base64.b64encode, base64.urlsafe_b64encode)]
    return {form[i:i + window] for form in forms for i in range(len(form) - window + 1)}


def leaks(text: str, *secrets: str) -> list[str]:
    """The pieces of any secret that `text` holds (empty when it holds none)."""
    return sorted(piece for secret in secrets for piece in fragments(secret) if piece in text)
