"""Which tool manages the project's packages, and its commands: every fix speaks the project's own tool.

A uv or pdm venv has no pip, so a bare `pip install` lands in some other Python and the
venv stays broken; a poetry or pipenv user who follows `pip freeze` advice ends up with
a record their tool ignores. So each fix asks the project's Tool for the command, and
pip itself is always run by the target interpreter (`.venv/bin/python -m pip`).
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from doctor.namedtuples import named_tuple
from doctor.project.pyproject import Pyproject

# What a project that records no packages gets: the guide's SDK (1.x, past the `proxies` crash) and python-dotenv.
GUIDE_INSTALL = ("openai>=1.55.3,<2", "python-dotenv>=1.0")
# The files that say which tool owns the record, most specific first.
LOCK_FILES = {"uv.lock": "uv", "poetry.lock": "poetry", "Pipfile.lock": "pipenv", "pdm.lock": "pdm"}


@named_tuple
class Tool:
    """A package tool, and the interpreter pip would run under for the pip tool."""

    name: str  # "uv", "poetry", "pipenv", "pdm", "hatch" or "pip"
    python: str = "python"  # how to call the target interpreter, as the user would type it
    workspace: str | None = None  # the uv workspace root, from the project folder (a member's)

    @property
    def locks(self) -> bool:
        return self.name in ("uv", "poetry", "pipenv", "pdm")

    def pip(self, *args: str) -> str:
        return f"{self.python} -m pip {' '.join(args)}"

    def sync(self) -> str:
        """Makes the environment match the record exactly."""
        return {"uv": self._uv_sync(), "poetry": "poetry sync", "pipenv": "pipenv sync", "pdm": "pdm sync",
                "hatch": "hatch env create"}.get(self.name) or self.pip("install", "-r", "requirements.txt")

    def lock(self) -> str | None:
        return {"uv": "uv lock", "poetry": "poetry lock", "pipenv": "pipenv lock", "pdm": "pdm lock"}.get(self.name)

    def add(self, *specs: str) -> str:
        """Adds or changes requirements in the record, and installs them."""
        quoted = " ".join(shlex.quote(s) for s in specs)
        return {"uv": f"uv add {quoted}", "poetry": f"poetry add {quoted}", "pipenv": f"pipenv install {quoted}",
                "pdm": f"pdm add {quoted}"}.get(self.name) or self.pip("install", quoted)

    def reinstall(self, name: str) -> str:
        """Puts a package's files back, e.g. after they were deleted by hand."""
        return {"uv": self._uv_sync("--reinstall-package", name), "poetry": f"poetry run python -m pip install "
                f"--force-reinstall --no-deps {name}", "pipenv": f"pipenv run pip install --force-reinstall "
                f"--no-deps {name}", "pdm": "pdm sync --reinstall"}.get(self.name) or \
            self.pip("install", "--force-reinstall", "--no-deps", name)

    def new_venv(self, requirements: str | None, base_python: str = "python", windows: bool = False) -> tuple[str, ...]:
        """A pip project's environment, created and filled from the project's own requirements file,
        or with the guide's packages when it has none. The venv's pip is called by its path, so the
        commands work in any shell, activated or not."""
        python = ".venv\\Scripts\\python.exe" if windows else ".venv/bin/python"
        install = f"-r {shlex.quote(requirements)}" if requirements else " ".join(shlex.quote(s) for s in GUIDE_INSTALL)
        return (f"{base_python} -m venv .venv", f"{python} -m pip install {install}")

    def create_env(self) -> str:
        return {"uv": self._uv_sync(), "poetry": "poetry install", "pipenv": "pipenv sync", "pdm": "pdm install",
                "hatch": "hatch env create"}.get(self.name) or "python -m venv .venv"

    def _uv_sync(self, *options: str) -> str:
        """`uv sync`; in a workspace member it runs from the root for every member, since a sync
        of one member alone removes the other members' packages from the shared .venv."""
        workspace = ("--all-packages", "--directory", shlex.quote(self.workspace)) if self.workspace else ()
        return " ".join(("uv sync", *workspace, *options))

    def run(self, command: str) -> str:
        """A command run inside the project's environment, without activating it."""
        return {"uv": f"uv run {command}", "poetry": f"poetry run {command}", "pipenv": f"pipenv run {command}",
                "pdm": f"pdm run {command}", "hatch": f"hatch run {command}"}.get(self.name) or command

    @property
    def activates(self) -> bool:
        """Whether users of this tool activate the venv themselves (pip) or let the tool run things."""
        return self.name == "pip"


def tool_name(project: Path, pyproject: Pyproject) -> str:
    """The tool whose files the project holds: a lock file first, then its pyproject table."""
    for lock, name in LOCK_FILES.items():
        if (project / lock).is_file():
            return name
    if (project / "Pipfile").is_file():
        return "pipenv"
    tool = pyproject.table("tool")
    if isinstance(tool, dict):
        for name in ("poetry", "pdm", "uv", "hatch"):
            if name in tool:
                return name
    if (project / ".pdm-python").is_file():
        return "pdm"
    from doctor.project.uv_workspace import find_workspace

    return "uv" if find_workspace(project).root is not None else "pip"


def python_command(interpreter: Path | None, project: Path, path_variable: str = "") -> str:
    """How to call the target interpreter: relative to the project when inside it (`.venv/bin/python`);
    with none found, the Python on the shell's PATH (`python3` where there is no `python`)."""
    if interpreter is None:
        return base_python(path_variable)
    try:
        return shlex.quote(str(interpreter.relative_to(project)))
    except ValueError:
        return shlex.quote(str(interpreter))


def folder_command(folder: Path | None, project: Path) -> str | None:
    """How to name a folder from the project in a command (`../..` for a workspace root)."""
    return None if folder is None else os.path.relpath(folder, project)


def base_python(path_variable: str) -> str:
    """`python`, or `python3` where the PATH has no `python` (Debian, Ubuntu and macOS ship only python3)."""
    import shutil

    return "python" if shutil.which("python", path=path_variable) or not shutil.which("python3", path=path_variable) \
        else "python3"
