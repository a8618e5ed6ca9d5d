"""Which Python environment is the project's: never the doctor's own install.

The doctor often runs from somewhere else (pipx, uvx, a clone with its own venv), so it
looks for the project's environment in this order: `--python`; an activated environment
(`$VIRTUAL_ENV`, `$CONDA_PREFIX`), which is what `python app.py` runs in that shell and so
the project's even with llm-doctor installed in it, unless it is a tool's private venv
(pipx, `uv tool`, uvx) or lives in the doctor's own checkout; the environment the
project's tool defines (uv, a uv workspace's root, pdm, a `.venv`/`venv` folder, poetry,
pipenv, hatch); and last the interpreter running the doctor, unless that is the doctor's
own install. An activated value that cannot be an environment (relative, missing, a file)
is named in a note and passed over. When none is found, the Target says what the tool
expected, so the fix can name it.

The tools' own locations are computed here the way each tool computes them (their source
is cited beside each rule) rather than by running the tools: `pdm info` creates a venv,
poetry 2 may install a project's plugins, and each costs a fraction of a second. The
tests check the computed paths against `poetry env info -p`, `pipenv --venv` and
`hatch env find` on real projects.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from doctor.files import read_text
from doctor.project.pyproject import Pyproject, parse_toml
from doctor.project.record import canonical

CONTAINER_MARKERS = ("/.dockerenv", "/run/.containerenv")
# A tool's own venv: pipx writes pipx_metadata.json into each, `uv tool` a uv-receipt.toml; their
# default homes name the kind of folder too. uvx runs from environments in uv's cache (archive-vN).
TOOL_MARKERS = ("pipx_metadata.json", "uv-receipt.toml")
TOOL_FOLDERS = ("pipx/venvs", "uv/tools", "pipx\\venvs", "uv\\tools")
TOOL_HOMES = (("PIPX_HOME", "venvs"), ("UV_TOOL_DIR", ""))
_UV_CACHE_ENTRY = re.compile(r"archive-v\d+")
MAX_SHOWN_PATH = 300  # a longer $VIRTUAL_ENV is cut in the notes that name it
FALSE_WORDS = frozenset({"", "0", "false", "no", "off", "n", "f"})


@dataclass(frozen=True)
class Target:
    """The interpreter to diagnose, and how it was chosen; `path` is None when none was found."""

    path: Path | None
    source: str  # in words, e.g. "the project's .venv" or "poetry's environment in its cache"
    kind: str = "venv"  # "venv", "conda", "container" or "interpreter" (a plain Python)
    project_venvs: tuple[Path, ...] = ()
    expected: str | None = None  # with no path: what the project's tool expects to exist
    notes: tuple[str, ...] = ()  # environments passed over, and why
    origin: str = "project"  # "option" (--python), "activated", "project" (its tool's), "running" or "none"
    workspace: Path | None = None  # the uv workspace root whose .venv the project uses

    @property
    def described(self) -> str:
        return f"{self.path} ({self.source})" if self.path else f"none found ({self.source})"


def env_python(prefix: Path) -> Path:
    """The interpreter inside an environment folder, for POSIX and Windows layouts."""
    for candidate in (prefix / "bin" / "python", prefix / "Scripts" / "python.exe", prefix / "python.exe"):
        if candidate.exists() or candidate.is_symlink():
            return candidate
    return prefix / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def is_venv(prefix: Path) -> bool:
    return (prefix / "pyvenv.cfg").is_file()


def is_conda(prefix: Path) -> bool:
    return (prefix / "conda-meta" / "history").is_file()


def in_container() -> bool:
    return any(os.path.exists(marker) for marker in CONTAINER_MARKERS)


def is_true(value: str | None) -> bool:
    """A variable set to a true value, as CI services set theirs (CI=true, CI=1, CI=woodpecker)."""
    return value is not None and value.strip().lower() not in FALSE_WORDS


def in_ci(environ: Mapping[str, str]) -> bool:
    """CI names the target itself: activating anything there means nothing."""
    return is_true(environ.get("CI")) or is_true(environ.get("GITHUB_ACTIONS"))


def find_project_venvs(project: Path) -> tuple[Path, ...]:
    return tuple(p for p in (project / ".venv", project / "venv") if is_venv(p))


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return False


def is_tool_install(prefix: Path, environ: Mapping[str, str]) -> bool:
    """A pipx or `uv tool` venv, or an environment uvx runs from: an app's private install, nobody's project."""
    if any(folder in str(prefix) for folder in TOOL_FOLDERS):
        return True
    if any(environ.get(variable) and _inside(prefix, Path(environ[variable]) / sub) for variable, sub in TOOL_HOMES):
        return True
    try:
        return any((prefix / marker).is_file() for marker in TOOL_MARKERS) or (
            bool(_UV_CACHE_ENTRY.fullmatch(prefix.parent.name)) and (prefix.parent.parent / "CACHEDIR.TAG").is_file())
    except OSError:  # a path that cannot be looked at is no tool's install
        return False


def doctor_source() -> Path | None:
    """The doctor's own source checkout, when it runs from one (an editable install)."""
    root = Path(__file__).resolve().parents[2]
    pyproject = root / "pyproject.toml"
    try:
        return root if pyproject.is_file() and "llm-api-doctor" in pyproject.read_text("utf-8")[:4096] else None
    except OSError:
        return None


def is_doctors_install(prefix: Path, environ: Mapping[str, str]) -> bool:
    """DESIGN's rule: the doctor's own install is a tool environment or one inside the doctor's checkout."""
    source = doctor_source()
    return is_tool_install(prefix, environ) or (source is not None and _inside(prefix, source))


def _running_is_doctors_own(project: Path, environ: Mapping[str, str], record_names_doctor: bool) -> bool:
    """The Python running the doctor, which nobody activated: the project's only inside the project,
    or when the project's record installs llm-api-doctor, and never when it is the doctor's own install."""
    prefix = Path(sys.prefix)
    if _inside(prefix, project):
        return False
    return is_doctors_install(prefix, environ) or not record_names_doctor


def _found(python: Path, source: str, project: Path, notes: list[str], origin: str,
           workspace: Path | None = None) -> Target:
    prefix = python.parent.parent if python.parent.name in ("bin", "Scripts") else python.parent
    kind = "venv" if is_venv(prefix) else "conda" if is_conda(prefix) else \
        "container" if in_container() else "interpreter"
    return Target(python, source, kind, find_project_venvs(project), notes=tuple(notes), origin=origin,
                  workspace=workspace)


def activated_problem(variable: str, value: str, project: Path, environ: Mapping[str, str]) -> str | None:
    """Why an activated environment cannot be the project's, in words; None when it is."""
    shown = value if len(value) <= MAX_SHOWN_PATH else value[:MAX_SHOWN_PATH] + "..."
    prefix = Path(value)
    if not prefix.is_absolute():
        return f"${variable} is a relative path ({shown}); activation always sets a full one, so it was ignored"
    try:
        if not prefix.exists():
            return f"${variable} names {shown}, which does not exist (deleted after it was activated?); " \
                   "`deactivate` clears it"
        if not prefix.is_dir():
            return f"${variable} names a file ({shown}), not an environment folder"
        inside = _inside(prefix, project)
        if not inside and is_doctors_install(prefix, environ):
            return f"${variable} ({shown}) is llm-doctor's own install, not the project's"
        if is_venv(prefix) or is_conda(prefix):
            return None
    except OSError as error:  # a name too long, a folder that cannot be searched
        return f"${variable} ({shown}) cannot be read: {error.strerror or error}"
    if inside and _inside(project, prefix):
        return f"${variable} is the project folder itself, which is not an environment"
    return f"${variable} ({shown}) is not an environment (it has no pyvenv.cfg or conda-meta)"


def resolve_target(project: Path, python: str | None, environ: Mapping[str, str], pyproject: Pyproject,
                   tool: str, record_names_doctor: bool) -> Target:
    """Picks the project's interpreter (see the module's docstring for the order)."""
    notes: list[str] = []
    if python:
        return _found(Path(python), "--python", project, notes, "option")
    for variable, what in (("VIRTUAL_ENV", "virtual environment"), ("CONDA_PREFIX", "conda environment")):
        prefix = environ.get(variable)
        if not prefix:
            continue
        problem = activated_problem(variable, prefix, project, environ)
        if problem:
            notes.append(problem)
            continue
        interpreter = env_python(Path(prefix))
        if not interpreter.exists():
            notes.append(f"the activated environment's Python ({interpreter}) is gone: the Python it was made "
                         "from was removed or moved")
        return _found(interpreter, f"the activated {what} (${variable})", project, notes, "activated")
    python_path, source, expected, workspace = tool_environment(project, environ, pyproject, tool, notes)
    if python_path is not None:
        return _found(python_path, source, project, notes, "project", workspace)
    if not _running_is_doctors_own(project, environ, record_names_doctor):
        return _found(Path(sys.executable), "the Python running llm-doctor", project, notes, "running")
    notes.append(f"the Python running llm-doctor ({sys.prefix}) is its own install, not the project's")
    return Target(None, source, "interpreter", find_project_venvs(project), expected, tuple(notes), "none",
                  workspace)


def tool_environment(project: Path, environ: Mapping[str, str], pyproject: Pyproject, tool: str,
                     notes: list[str]) -> tuple[Path | None, str, str | None, Path | None]:
    """(interpreter, how it was found, what was expected, uv workspace root) for the environment the
    project's tool defines; near misses worth knowing about are added to `notes`."""
    workspace = _uv_workspace(project, tool, notes)
    uv_env = environ.get("UV_PROJECT_ENVIRONMENT")
    if uv_env:
        prefix = Path(uv_env) if os.path.isabs(uv_env) else (workspace or project) / uv_env
        if is_venv(prefix):
            return env_python(prefix), "uv's environment ($UV_PROJECT_ENVIRONMENT)", None, workspace
    pdm = environ.get("PDM_PYTHON") or (read_text(project / ".pdm-python", 4096).text() or "").strip()
    if pdm and tool == "pdm":
        if Path(pdm).exists():
            return Path(pdm), "pdm's interpreter (.pdm-python)", None, None
    if workspace is not None:
        if is_venv(workspace / ".venv"):
            return env_python(workspace / ".venv"), f"the uv workspace's environment ({workspace / '.venv'})", \
                None, workspace
        return None, "this project is a member of a uv workspace, but the workspace's environment was not found", \
            f"{workspace / '.venv'} (`uv sync --all-packages` in {workspace} creates it)", workspace
    for folder in find_project_venvs(project):
        owner = f"{tool}'s environment" if tool in ("uv", "pdm", "poetry", "pipenv", "hatch") else "the project's"
        return env_python(folder), f"{owner} {folder.name}", None, None
    finder = {"poetry": poetry_environment, "pipenv": pipenv_environment, "hatch": hatch_environment}.get(tool)
    if finder is not None:
        found, expected = finder(project, environ, pyproject)
        if found is not None:
            return env_python(found), f"{tool}'s environment ({found})", None, None
        return None, f"{tool} manages this project, but its environment was not found", expected, None
    if tool in ("uv", "pdm"):
        from doctor.project.tools import Tool

        return None, f"{tool} manages this project, but its environment was not found", \
            f"{project / '.venv'} (`{Tool(tool).create_env()}` creates it)", None
    return None, "no virtual environment in the project", None, None


def _uv_workspace(project: Path, tool: str, notes: list[str]) -> Path | None:
    """The uv workspace root the project belongs to, when uv (or nothing else) manages it."""
    if tool not in ("uv", "pip") or (tool == "pip" and find_project_venvs(project)):
        return None
    from doctor.project.uv_workspace import find_workspace

    found = find_workspace(project)
    if found.note:
        notes.append(found.note)
    return found.root


# -- poetry: virtualenvs/NAME-HASH-pyX.Y -------------------------------------------------------
# poetry/utils/env/env_manager.py: EnvManager.generate_env_name; poetry/config/config.py defaults.

# (macOS folder under ~/Library, Windows variable and fallback under ~/AppData, XDG variable and fallback):
# where platformdirs, which the tools use, puts each kind of folder.
_USER_DIRS = {
    "cache": (("Caches",), "LOCALAPPDATA", ("Local",), "XDG_CACHE_HOME", (".cache",)),
    "data": (("Application Support",), "LOCALAPPDATA", ("Local",), "XDG_DATA_HOME", (".local", "share")),
    "config": (("Application Support",), "APPDATA", ("Roaming",), "XDG_CONFIG_HOME", (".config",)),
}


def _user_dir(kind: str, environ: Mapping[str, str], app: str) -> Path:
    """A tool's user folder of one kind, as platformdirs computes it (a Windows cache ends in Cache)."""
    mac, win_variable, win_fallback, xdg_variable, xdg_fallback = _USER_DIRS[kind]
    home = Path(environ.get("HOME") or environ.get("USERPROFILE") or Path.home())
    if sys.platform == "darwin":
        return home.joinpath("Library", *mac, app)
    if os.name == "nt":
        folder = Path(environ.get(win_variable) or home.joinpath("AppData", *win_fallback)) / app
        return folder / "Cache" if kind == "cache" else folder
    return Path(environ.get(xdg_variable) or home.joinpath(*xdg_fallback)) / app


def _toml_file(path: Path) -> dict:
    found = read_text(path, 256 * 1024)
    data, _ = parse_toml(found.data) if found.ok and found.data is not None else (None, None)
    return data or {}


def _url_hash(text: str, length: int = 8) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()).decode()[:length]


def poetry_env_name(project: Path, pyproject: Pyproject) -> str:
    """NAME-HASH, without the -pyX.Y suffix."""
    name = pyproject.table("project", "name") or pyproject.table("tool", "poetry", "name") or project.name
    sanitized = re.sub(r'[ $`!*@"\\\r\n\t]', "_", canonical(str(name)).lower())[:42]
    where = os.path.normcase(os.path.realpath(project))
    return f"{sanitized}-{_url_hash(where)}"


def poetry_environment(project: Path, environ: Mapping[str, str],
                       pyproject: Pyproject) -> tuple[Path | None, str | None]:
    local = _toml_file(project / "poetry.toml")
    config = _toml_file(Path(environ.get("POETRY_CONFIG_DIR") or _user_dir("config", environ, "pypoetry")) / "config.toml")
    settings = {**(config.get("virtualenvs") or {}), **(local.get("virtualenvs") or {})}
    in_project = environ.get("POETRY_VIRTUALENVS_IN_PROJECT") or settings.get("in-project")
    if str(in_project).lower() in ("true", "1") and is_venv(project / ".venv"):
        return project / ".venv", None
    cache = _expand(environ.get("POETRY_CACHE_DIR") or config.get("cache-dir") or str(_user_dir("cache", environ, "pypoetry")),
                    environ)
    path = environ.get("POETRY_VIRTUALENVS_PATH") or settings.get("path") or "{cache-dir}/virtualenvs"
    folder = Path(_expand(str(path).replace("{cache-dir}", cache), environ))
    name = poetry_env_name(project, pyproject)
    found = {p.name: p for p in folder.glob(f"{glob_escape(name)}-py*")
             if re.fullmatch(rf"{re.escape(name)}-py\d+\.\d+", p.name) and is_venv(p)}
    chosen = _toml_file(folder / "envs.toml").get(name)  # what `poetry env use` recorded
    if isinstance(chosen, dict) and f"{name}-py{chosen.get('minor')}" in found:
        return found[f"{name}-py{chosen['minor']}"], None
    if found:
        return max(found.values(), key=lambda p: p.stat().st_mtime), None
    return None, f"{folder / name}-pyX.Y (`poetry install` creates it)"


def _expand(path: str, environ: Mapping[str, str]) -> str:
    """`~` and `$VARS` in a tool's configured path, against the run's environment."""
    home = environ.get("HOME") or environ.get("USERPROFILE") or str(Path.home())
    path = re.sub(r"^~(?=$|[/\\])", lambda _: home, path)
    return re.sub(r"\$(\w+)|\$\{(\w+)\}", lambda m: environ.get(m.group(1) or m.group(2), m.group(0)), path)


def glob_escape(text: str) -> str:
    return re.sub(r"([\[\]*?])", r"[\1]", text)


# -- pipenv: WORKON_HOME/NAME-HASH -----------------------------------------------------------------
# pipenv/utils/venv_locator.py: VenvLocator.name, _get_virtualenv_hash, get_location.

def pipenv_env_name(project: Path) -> str:
    location = os.path.abspath(project / "Pipfile")
    sanitized = re.sub(r'[ &$`!*@"()\[\]\\\r\n\t]', "_", project.name)[:42]
    digest = base64.urlsafe_b64encode(hashlib.sha256(location.encode()).digest()[:6]).decode()[:8]
    return f"{sanitized}-{digest}"


def pipenv_environment(project: Path, environ: Mapping[str, str],
                       pyproject: Pyproject) -> tuple[Path | None, str | None]:
    marker = project / ".venv"
    if marker.is_file():  # a .venv file names the environment
        content = (read_text(marker, 4096).text() or "").strip()
        if content:
            where = project / content if ("/" in content or "\\" in content) else _workon_home(environ) / content
            return (where, None) if _pipenv_exists(where) else (None, f"{where} (named in .venv)")
    if environ.get("PIPENV_VENV_IN_PROJECT", "").lower() in ("1", "true", "yes"):
        return (marker, None) if is_venv(marker) else (None, f"{marker} (`pipenv sync` creates it)")
    name = environ.get("PIPENV_CUSTOM_VENV_NAME") or pipenv_env_name(project)
    where = _workon_home(environ) / name
    return (where, None) if _pipenv_exists(where) else (None, f"{where} (`pipenv sync` creates it)")


def _workon_home(environ: Mapping[str, str]) -> Path:
    if environ.get("WORKON_HOME"):
        return Path(os.path.expanduser(environ["WORKON_HOME"]))
    if os.name == "nt":
        return Path(environ.get("USERPROFILE") or Path.home()) / ".virtualenvs"
    return _user_dir("data", environ, "virtualenvs")


def _pipenv_exists(prefix: Path) -> bool:
    return (prefix / "bin" / "activate").exists() or (prefix / "Scripts" / "activate").exists()


# -- hatch: data/env/virtual/PROJECT/PATHHASH/ENV ------------------------------------------------------
# hatch/env/virtual.py: VirtualEnvironment.__init__; hatch/utils/fs.py: Path.id.

def hatch_environment(project: Path, environ: Mapping[str, str],
                      pyproject: Pyproject) -> tuple[Path | None, str | None]:
    configured = environ.get("HATCH_ENV_TYPE_VIRTUAL_PATH") or pyproject.table("tool", "hatch", "envs", "default", "path")
    if isinstance(configured, str) and configured:
        where = project / configured if not os.path.isabs(configured) else Path(configured)
        return (where, None) if is_venv(where) else (None, f"{where} (`hatch env create` creates it)")
    name = canonical(str(pyproject.table("project", "name") or project.name))
    text = str(project)
    if sys.platform in ("win32", "darwin"):
        text = text.casefold()
    config = _toml_file(Path(environ.get("HATCH_CONFIG") or _user_dir("config", environ, "hatch") / "config.toml"))
    dirs = config.get("dirs") if isinstance(config.get("dirs"), dict) else {}
    data = Path(_expand(environ.get("HATCH_DATA_DIR") or str(dirs.get("data") or _user_dir("data", environ, "hatch")),
                        environ))
    where = data / "env" / "virtual" / name / _url_hash(text) / name
    return (where, None) if is_venv(where) else (None, f"{where} (`hatch env create` creates it)")
