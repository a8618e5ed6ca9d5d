"""Environment checks: the project's Python, its environment, and its packages against its record.

These follow the guide's setup steps (a current Python, a private environment, the
packages installed and recorded), for the project as it really is: its own environment
(never the doctor's), whichever tool manages it, and whatever record it keeps. Every
fix speaks that tool (see doctor/project/tools.py).
"""

from __future__ import annotations

import shlex
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from checks import guide
from doctor.model import Finding, Fix, Result, Status, check, from_findings, passed, skipped
from doctor.project.environment import env_python, in_ci, is_conda, is_doctors_install, is_tool_install
from doctor.project.tools import python_command

if TYPE_CHECKING:
    from doctor.context import Context
    from doctor.project.interpreter import InterpreterFacts

MIN_PYTHON = (3, 10)
# Upstream end-of-life dates (PEP 602: five years after each October release).
PYTHON_EOL = {
    (3, 8): date(2024, 10, 7), (3, 9): date(2025, 10, 31), (3, 10): date(2026, 10, 31),
    (3, 11): date(2027, 10, 31), (3, 12): date(2028, 10, 31), (3, 13): date(2029, 10, 31),
    (3, 14): date(2030, 10, 31), (3, 15): date(2031, 10, 31),
}
EOL_WARNING_DAYS = 183


def interpreter_line(ctx: Context) -> str:
    return f"the project's Python: {ctx.target.described}"


def _recreate_fix(ctx: Context, summary: str, version: str = "3.12") -> Fix:
    """Building the environment again on another Python, in the project's tool's words."""
    tool = ctx.tool
    commands = {
        "uv": (f"uv python install {version}", f"uv venv --python {version}", "uv sync"),
        "poetry": (f"poetry env use python{version}", "poetry install"),
        "pipenv": (f"pipenv --python {version}", "pipenv sync"),
        "pdm": (f"pdm use -f {version}", "pdm sync"),
        "hatch": ("hatch env prune", "hatch env create"),
    }.get(tool.name) or (f"python{version} -m venv --clear .venv", _reinstall_line(ctx))
    return Fix(summary, steps=("Install a current Python (3.12 or 3.13 are good choices).",
                               f"Build the project's environment again with it ({tool.name} commands below)."),
               commands=commands, guide=guide.SETUP)


def _reinstall_line(ctx: Context) -> str:
    """Filling a new venv from the project's record: its requirements file, else the guide's packages."""
    from doctor.project.tools import GUIDE_INSTALL

    record = ctx.record
    if record.kind == "requirements" and record.files:
        return f".venv/bin/python -m pip install -r {shlex.quote(record.files[0])}"
    return ".venv/bin/python -m pip install " + " ".join(shlex.quote(spec) for spec in GUIDE_INSTALL)


def start_probe(ctx: Context) -> None:
    """Every check here reads the target's facts: the probe starts with the run."""
    ctx.start_probe()


@check(
    "python-version",
    title="Python version",
    group="Environment",
    codes=("python-too-old", "python-eol-soon", "python-below-requires", "interpreter-broken",
           "requires-python-invalid"),
    warmup=start_probe,
    reads=("environment", "record"),
)
async def python_version(ctx: Context) -> Result:
    """What it checks: the project's Python is 3.10 or newer, satisfies the project's own
    requires-python, and is not near its end of life.

    Why it fails: the openai SDK needs Python 3.10 from release 2.49 on; on an older
    Python pip quietly installs an old SDK that lacks newer features. A Python outside
    requires-python makes the project's tool refuse to install, or pick another Python.

    How to fix: install a current Python and rebuild the project's environment with it,
    using the project's tool.
    """
    facts = await ctx.interpreter()
    if ctx.target.path is None:
        return skipped("no project environment was found (see Virtual environment)")
    where = interpreter_line(ctx)
    if facts.error:
        return Result(Status.FAIL, f"the project's Python cannot be used: {facts.error}", code="interpreter-broken",
                      details=(where,),
                      fix=_recreate_fix(ctx, "Point llm-doctor at a working Python, or build the environment again."))
    if facts.version is None:
        return skipped("--untrusted: the version of a Python outside a venv is not known without running it")
    findings = []
    version = facts.version
    if version[:2] < MIN_PYTHON:
        findings.append(Finding(Status.FAIL, "python-too-old",
                                f"Python {facts.version_text} is too old; the guide needs 3.10 or newer",
                                _recreate_fix(ctx, "Install Python 3.10 or newer and rebuild the environment with it.")))
    findings += _requires_python_findings(ctx, facts)
    eol = PYTHON_EOL.get(version[:2])
    if eol is not None and (eol - ctx.today).days <= EOL_WARNING_DAYS:
        if eol <= ctx.today:  # past: said as done, with the commands that move the project on
            findings.append(Finding(Status.WARN, "python-eol-soon",
                                    f"Python {facts.version_text} reached its end of life on {eol.isoformat()}; "
                                    "it gets no security fixes any more",
                                    _recreate_fix(ctx, "Move the project to a current Python and rebuild its "
                                                       "environment with it.")))
        else:
            findings.append(Finding(Status.WARN, "python-eol-soon",
                                    f"Python {facts.version_text} reaches its end of life on {eol.isoformat()}; "
                                    "security fixes stop then",
                                    _recreate_fix(ctx, "Plan a move to a newer Python and rebuild the environment "
                                                       "with it.")))
    return from_findings(findings, f"Python {facts.version_text}", details=(where,),
                         facts={"version": facts.version_text})


def _requires_python_findings(ctx: Context, facts: InterpreterFacts) -> list[Finding]:
    declared = ctx.record.requires_python
    if declared is None:
        return []
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    text, where = declared
    try:
        allowed = SpecifierSet(_poetry_caret(text))
    except InvalidSpecifier:
        return [Finding(Status.WARN, "requires-python-invalid",
                        f"requires-python {text!r} in {where.file} is not a valid version range",
                        Fix("Write it as a PEP 440 range, such as >=3.10.", guide=guide.SETUP), location=where)]
    if allowed.contains(facts.version_text, prereleases=True):
        return []
    return [Finding(Status.FAIL, "python-below-requires",
                    f"Python {facts.version_text} does not satisfy the project's requires-python {text!r} "
                    f"({where.file})", _recreate_fix(ctx, "Use a Python the project allows, or change requires-python."),
                    location=where)]


def _poetry_caret(text: str) -> str:
    """Poetry's ^3.10 and ~3.10 forms, as PEP 440 ranges."""
    import re

    caret = re.fullmatch(r"\s*\^\s*(\d+)\.(\d+)(?:\.\d+)?\s*", text)
    if caret:
        return f">={caret.group(1)}.{caret.group(2)},<{int(caret.group(1)) + 1}"
    tilde = re.fullmatch(r"\s*~\s*(\d+)\.(\d+)(?:\.\d+)?\s*", text)
    if tilde:
        return f">={tilde.group(1)}.{tilde.group(2)},<{tilde.group(1)}.{int(tilde.group(2)) + 1}"
    return text


@check(
    "venv-active",
    title="Virtual environment",
    group="Environment",
    codes=("venv-not-active", "venv-missing", "project-env-not-found"),
    warmup=start_probe,
    reads=("environment",),
)
async def venv_active(ctx: Context) -> Result:
    """What it checks: the project has its own environment (a venv, a conda environment, or the
    Python of a container), the doctor found it, and a pip project's shell has it activated
    (not asked with --python, under CI, or when the doctor runs from its pipx or uv tool
    install: activation means nothing there).

    Why it fails: without its own environment, `python` and `pip` are the system's, so
    packages land in the wrong place and imports fail or pick up other versions. A tool
    (uv, poetry, pipenv, pdm, hatch) that manages the project has not created its
    environment yet, or keeps it somewhere the doctor cannot see.

    How to fix: create the environment with the project's tool (or `python -m venv .venv`
    for a pip project); point the doctor at it with --python, or run it through the tool
    (`poetry run llm-doctor`).
    """
    facts = await ctx.interpreter()
    target, tool = ctx.target, ctx.tool
    notes = tuple(target.notes)
    if target.path is None:
        return _not_found(ctx, notes)
    if facts.error:
        return skipped("the project's Python could not be run; see Python version")
    if target.kind == "conda" or (facts.from_files is False and _conda_prefix(facts)):
        return passed(f"a conda environment: {facts.prefix}",
                      details=("A conda environment isolates packages as a venv does.", *notes))
    if target.kind == "container":
        return passed(f"the system Python of a container: {target.path}",
                      details=("A container isolates packages as a venv does.", *notes))
    moot = _activation_moot(ctx)
    activate = guide.activate_command(_venv_dir_name(ctx, facts), ctx.shell, ctx.platform)
    if not facts.is_venv:
        if moot == CI_REASON:
            return passed(f"the system Python of a CI job: {facts.executable}",
                          details=("A CI job's machine is its own: it isolates packages as a container does.",
                                   interpreter_line(ctx), *notes))
        if target.project_venvs and moot:
            return _named_system_python(ctx, facts, notes)
        if target.project_venvs:
            return Result(Status.FAIL, f"{target.project_venvs[0].name} exists but is not active; {facts.executable} "
                                       "is the system Python", code="venv-not-active",
                          details=(interpreter_line(ctx), *notes), fix=_activate_fix(activate))
        return _not_found(ctx, notes, system=str(facts.executable))
    if not tool.activates:
        return passed(f"{tool.name}'s environment: {facts.prefix}",
                      details=(f"{tool.name} runs code in it without activation: {tool.run('python main.py')}",
                               interpreter_line(ctx), *notes))
    if moot:
        return passed(f"{facts.prefix}", details=(f"Activation is not checked: {moot}.", interpreter_line(ctx),
                                                  *notes))
    if target.origin == "activated":
        return passed(f"active: {facts.prefix}", details=(interpreter_line(ctx), *notes))
    activated = ctx.shell.get("VIRTUAL_ENV")
    if activated and not is_doctors_install(Path(activated), ctx.shell) and not _same_dir(activated, facts.prefix):
        return Result(Status.FAIL, f"the shell activated {activated}, but the project's Python is {facts.prefix}",
                      code="venv-not-active", details=(interpreter_line(ctx), *notes),
                      fix=Fix("Leave the other environment and activate the project's own.",
                              commands=("deactivate", activate), guide=guide.SETUP))
    if not activated or not _same_dir(activated, facts.prefix):
        return Result(Status.WARN, f"{facts.prefix} is a virtual environment but this shell has not activated it",
                      code="venv-not-active",
                      details=("`python` in this terminal is not the venv's unless you call it by its path.",
                               interpreter_line(ctx), *notes), fix=_activate_fix(activate))
    return passed(f"active: {facts.prefix}", details=(interpreter_line(ctx), *notes))


CI_REASON = "a CI job names its Python itself"


def _activation_moot(ctx: Context) -> str | None:
    """Why "activate it" means nothing for this run (the Python was named, or no shell is the user's), or None."""
    if ctx.target.origin == "option":
        return "the Python was named with --python"
    if in_ci(ctx.shell):
        return CI_REASON
    if is_tool_install(Path(sys.prefix), ctx.shell):
        return "llm-doctor runs from its own pipx or uv tool environment, which is nobody's to activate"
    return None


def _conda_prefix(facts: InterpreterFacts) -> bool:
    return bool(facts.prefix) and is_conda(Path(str(facts.prefix)))


def _activate_fix(activate: str) -> Fix:
    return Fix(f"Activate the project's virtual environment in this terminal: {activate}",
               steps=("Run the activation command in every new terminal before `python` or `pip`.",
                      "Your prompt then shows the venv's name."), commands=(activate,), guide=guide.SETUP)


def _named_system_python(ctx: Context, facts: InterpreterFacts, notes: tuple[str, ...]) -> Result:
    """--python named a Python outside any environment while the project has its own: point at that one."""
    own = python_command(env_python(ctx.target.project_venvs[0]), ctx.project)
    return Result(Status.FAIL, f"{facts.executable} is outside any virtual environment: packages would go into the "
                               f"system Python, while the project has its own {ctx.target.project_venvs[0].name}",
                  code="venv-missing", details=(interpreter_line(ctx), *notes),
                  fix=Fix("Point llm-doctor at the project's own environment.",
                          commands=(f"llm-doctor check --python {own}",), guide=guide.SETUP))


def _not_found(ctx: Context, notes: tuple[str, ...], system: str | None = None) -> Result:
    """No project environment: `project-env-not-found` when the tool says there should be one."""
    target, tool = ctx.target, ctx.tool
    point = ("Or tell llm-doctor where it is: llm-doctor check --python PATH/TO/python",
             *((f"Or run the doctor inside it: {tool.run('llm-doctor')}",) if not tool.activates else
               () if _activation_moot(ctx) else ("Or activate it first, then run llm-doctor.",)))
    if target.expected:
        return Result(Status.FAIL, f"{target.source}", code="project-env-not-found",
                      details=(f"expected: {target.expected}", *notes),
                      fix=Fix(f"Create the environment with {tool.name}, or point llm-doctor at it.",
                              steps=(f"{tool.name} creates it: {tool.create_env()}", *point),
                              commands=(tool.create_env(),), guide=guide.SETUP))
    where = f"; {system} is the system Python" if system else ""
    from doctor.project.tools import base_python

    record = ctx.record
    requirements = record.files[0] if record.kind == "requirements" else None
    commands = (tool.create_env(),) if tool.name != "pip" else \
        tool.new_venv(requirements, base_python(ctx.shell.get("PATH", "")), ctx.platform == "win32")
    activate = guide.activate_command(".venv", ctx.shell, ctx.platform)
    return Result(Status.FAIL, f"no virtual environment: packages would go into the system Python{where}",
                  code="venv-missing", details=notes,
                  fix=Fix("Create an environment for the project and install the packages there.",
                          steps=("Create it once per project.", "Install the packages inside it"
                                 + (f" from {requirements}." if requirements else "."),
                                 *((f"Then activate it in each new terminal: {activate}",)
                                   if tool.activates and not _activation_moot(ctx) else ()),
                                 *point),
                          commands=commands, guide=guide.SETUP))


def _venv_dir_name(ctx: Context, facts: InterpreterFacts) -> str:
    """How the activation command should name the venv: relative when it is the project's own."""
    venvs = ctx.target.project_venvs
    if facts.is_venv and facts.prefix and not any(_same_dir(str(v), facts.prefix) for v in venvs):
        return facts.prefix
    return venvs[0].name if venvs else ".venv"


def _same_dir(a: str, b: str | None) -> bool:
    try:
        return b is not None and Path(a).resolve() == Path(b).resolve()
    except OSError:
        return a == b


# -- packages-pinned --------------------------------------------------------------------------------

@check(
    "packages-pinned",
    title="Packages and their record",
    group="Environment",
    codes=("requirements-missing", "requirements-invalid", "package-unpinned", "package-version-mismatch",
           "package-missing", "package-below-floor", "openai-pre-v1", "sdk-httpx-incompatible", "lock-out-of-sync",
           "pins-incompatible", "module-shadowed", "package-broken", "pyproject-invalid", "lock-unreadable",
           "lock-stale"),
    warmup=start_probe,
    reads=("environment", "record", "code"),
)
async def packages_pinned(ctx: Context) -> Result:
    """What it checks: openai, python-dotenv and the SDK's own HTTP library (httpx for openai
    below 3, httpx2 for 3.x, as openai's metadata says) are installed in the project's
    Python, whole and importable from the project folder (no project file named like them);
    that the project records its versions (a lock file, pinned requirements, or pyproject),
    and that what is installed matches that record, which itself must be a set that works.

    Why it fails: a package missing or half-deleted; a project file `openai.py` imported
    instead of the SDK; versions that drift from the lock; a record that pins openai
    below 1.55.3 with httpx 0.28 (a fresh install from it crashes as soon as a client is
    made: `unexpected keyword argument 'proxies'`).

    How to fix: the commands of the project's own tool: `uv sync`, `poetry sync`,
    `pipenv sync`, `pdm sync`, or `<the project's python> -m pip ...`.
    """
    from checks.packages import package_findings

    facts = await ctx.interpreter()
    findings, summary = package_findings(ctx, facts)
    details = ((summary,) if findings else ()) + ((interpreter_line(ctx),) if ctx.target.path else ())
    if not findings and (ctx.target.path is None or facts.error):
        return skipped(summary)  # nothing to compare the record with; the record itself is fine
    return from_findings(findings, summary, details=details)
