"""Real environments around a project, made by the real tools from the registry once and cached.

Which environment is the project's depends on where it lives and who made it, so the
tests use the real thing: a virtualenvwrapper-style venv under a WORKON_HOME outside the
project (the project's packages and llm-api-doctor from this checkout installed in it),
the doctor installed by pipx and by `uv tool` into their default homes under a sandboxed
HOME, the environment uvx ran it in, and a uv workspace of two members synced by uv.
Where a test runs the installed doctor, it is installed editable from this checkout, so
the cached install runs the code under test (of uvx's build only the folder's layout is
used); each cache key holds the checkout's path and its pyproject, so a change of
dependencies builds them again.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from tests.realenvs import cached, python_of
from tests.realprojects import _tool_environ, build_python, require_registry, tools_venv

CHECKOUT = Path(__file__).resolve().parents[1]
PROJECT_PACKAGES = ("openai", "httpx", "python-dotenv")
WORKSPACE_MEMBERS = {"alpha": ("openai", "python-dotenv"), "beta": ("httpx",)}


def _checkout_key() -> list:
    return [str(CHECKOUT), hashlib.sha256((CHECKOUT / "pyproject.toml").read_bytes()).hexdigest()[:12]]


def _environ(home: Path, **extra: str) -> dict[str, str]:
    """The machine's registry settings, with HOME in the sandbox and nothing of the caller's venv."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "CONDA_PREFIX")
           and not k.startswith(("XDG_", "PIPX_", "UV_"))}
    return {**env, "HOME": str(home), "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1",
            "UV_PYTHON_DOWNLOADS": "never", **extra}


def _run(argv: list[str], env: dict[str, str], cwd: Path | None = None) -> str:
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout[-3000:]}\n"
                             f"{done.stderr[-3000:]}")
    return done.stdout


def workon_home() -> Path:
    """WORKON_HOME holding `bot`: the project's packages and llm-api-doctor, as `workon bot` users have."""
    def build(home: Path) -> None:
        require_registry()
        venv = home / "bot"
        env = _environ(home)
        _run([sys.executable, "-m", "venv", str(venv)], env)
        _run([str(python_of(venv)), "-m", "pip", "install", "-q", *PROJECT_PACKAGES], env)
        _run([str(python_of(venv)), "-m", "pip", "install", "-q", "-e", str(CHECKOUT)], env)

    return cached("workon", ["workon", *_checkout_key()], build)


def pipx_sandbox() -> Path:
    """A HOME where real pipx installed llm-api-doctor (editable) into its default ~/.local/share/pipx."""
    def build(sandbox: Path) -> None:
        require_registry()
        env = _environ(sandbox / "home")
        (sandbox / "home").mkdir(parents=True)
        _run([sys.executable, "-m", "venv", str(sandbox / "pipx-itself")], env)
        _run([str(python_of(sandbox / "pipx-itself")), "-m", "pip", "install", "-q", "pipx"], env)
        _run([str(sandbox / "pipx-itself" / "bin" / "pipx"), "install", "--editable", str(CHECKOUT)], env)

    return cached("pipx", ["pipx", *_checkout_key()], build)


def uv_tool_sandbox() -> Path:
    """A HOME where real `uv tool install` put llm-api-doctor (editable) into its default tools folder."""
    tools = tools_venv()

    def build(sandbox: Path) -> None:
        require_registry()
        (sandbox / "home").mkdir(parents=True)
        _run([str(tools / "bin" / "uv"), "tool", "install", "--python", str(build_python()), "--editable",
              str(CHECKOUT)], _environ(sandbox / "home"))

    return cached("uv-tool", ["uv-tool", *_checkout_key()], build)


def uvx_environment() -> Path:
    """The environment real uvx ran llm-api-doctor in: a folder of uv's cache, as `uvx --from` leaves it."""
    tools = tools_venv()

    def build(sandbox: Path) -> None:
        require_registry()
        (sandbox / "home").mkdir(parents=True)
        env = _environ(sandbox / "home", UV_CACHE_DIR=str(sandbox / "cache"))
        said = _run([str(tools / "bin" / "uvx"), "--python", str(build_python()), "--from", str(CHECKOUT), "python",
                     "-c", "import sys; print(sys.prefix)"], env)
        (sandbox / "prefix.txt").write_text(said.strip())

    return Path((cached("uvx", ["uvx", *_checkout_key()], build) / "prefix.txt").read_text())


def pipx_venv(sandbox: Path) -> Path:
    return sandbox / "home" / ".local" / "share" / "pipx" / "venvs" / "llm-api-doctor"


def uv_tool_venv(sandbox: Path) -> Path:
    return sandbox / "home" / ".local" / "share" / "uv" / "tools" / "llm-api-doctor"


def uv_workspace() -> Path:
    """A uv workspace (a root project and two members under packages/), locked and synced by uv."""
    tools = tools_venv()

    def build(folder: Path) -> None:
        require_registry()
        root = folder / "ws"
        (root / "pyproject.toml").parent.mkdir(parents=True)
        (root / "pyproject.toml").write_text('[project]\nname = "ws-root"\nversion = "0.1.0"\n'
                                             'requires-python = ">=3.11"\ndependencies = []\n\n'
                                             '[tool.uv.workspace]\nmembers = ["packages/*"]\n')
        for member, deps in WORKSPACE_MEMBERS.items():
            path = root / "packages" / member / "pyproject.toml"
            path.parent.mkdir(parents=True)
            listed = ", ".join(f'"{d}"' for d in deps)
            path.write_text(f'[project]\nname = "{member}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
                            f"dependencies = [{listed}]\n")
        env = _tool_environ(folder, tools / "bin")
        for step in (("lock",), ("sync", "--all-packages", "--locked")):
            _run([str(tools / "bin" / "uv"), *step, "--python", str(build_python())], env, cwd=root)

    return cached("uv-workspace", ["uv-workspace", WORKSPACE_MEMBERS], build) / "ws"
