"""Environment checks: the Python version, the virtual environment and the pinned packages.

These follow the guide's setup steps: a current Python, a private `.venv`, and the
three packages installed and frozen into requirements.txt.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from checks import guide
from checks.requirements import Requirements, UnreadableRequirements, parse_version, read_requirements
from doctor.model import Finding, Fix, Result, Status, check, from_findings, passed, skipped

if TYPE_CHECKING:
    from doctor.context import Context
    from doctor.interpreter import InterpreterFacts

MIN_PYTHON = (3, 10)
# Upstream end-of-life dates (PEP 602: five years after each October release).
PYTHON_EOL = {
    (3, 8): date(2024, 10, 7), (3, 9): date(2025, 10, 31), (3, 10): date(2026, 10, 31),
    (3, 11): date(2027, 10, 31), (3, 12): date(2028, 10, 31), (3, 13): date(2029, 10, 31),
    (3, 14): date(2030, 10, 31), (3, 15): date(2031, 10, 31),
}
EOL_WARNING_DAYS = 183

# The guide installs these, with these floors.
GUIDE_PACKAGES = {"openai": "1.40", "httpx": "0.27", "python-dotenv": "1.0"}
OPENAI_PROXIES_FIX = "1.55.3"  # openai below this passes `proxies=`, which httpx 0.28 removed


def _interpreter_line(facts: InterpreterFacts) -> str:
    return f"{facts.target.path} (chosen from {facts.target.source})"


def _unusable(facts: InterpreterFacts) -> Result | None:
    if facts.error:
        return skipped("the target interpreter could not be run; see python-version")
    return None


@check(
    "python-version",
    title="Python version",
    group="Environment",
    codes=("python-too-old", "python-eol-soon", "interpreter-broken"),
)
async def python_version(ctx: Context) -> Result:
    """What it checks: the project's Python is 3.10 or newer and not near its end of life.

    Why it fails: the openai SDK needs Python 3.10 from release 2.49 on; on an older
    Python pip quietly installs an old SDK that lacks newer features.

    How to fix: install a current Python and recreate the project's `.venv` with it.
    """
    facts = await ctx.interpreter()
    if facts.error:
        return Result(
            Status.FAIL,
            f"the target interpreter cannot be used: {facts.error}",
            code="interpreter-broken",
            fix=Fix(
                "Point llm-doctor at a working Python, or recreate the project's virtual environment.",
                steps=("If `.venv` was made by a Python that has since been removed, delete it and create it again.",
                       "Or pass the interpreter your code runs on with --python PATH."),
                commands=("python -m venv --clear .venv",),
                guide=guide.SETUP,
            ),
        )
    version = facts.version or (0, 0, 0)
    where = _interpreter_line(facts)
    if version[:2] < MIN_PYTHON:
        return Result(
            Status.FAIL,
            f"Python {facts.version_text} is too old; the guide needs 3.10 or newer",
            code="python-too-old",
            details=(where,),
            fix=Fix(
                "Install Python 3.10 or newer and rebuild the virtual environment with it.",
                steps=("Install a current Python (3.12 or 3.13 are good choices).",
                       "Delete the old `.venv` and create it again with the new Python.",
                       "Reinstall the packages from requirements.txt."),
                commands=("python3 -m venv --clear .venv", "pip install -r requirements.txt"),
                guide=guide.SETUP,
            ),
        )
    eol = PYTHON_EOL.get(version[:2])
    if eol is not None and (eol - ctx.today).days <= EOL_WARNING_DAYS:
        when = "reached its end of life" if eol <= ctx.today else "reaches its end of life"
        return Result(
            Status.WARN,
            f"Python {facts.version_text} {when} on {eol.isoformat()}; security fixes stop then",
            code="python-eol-soon",
            details=(where,),
            fix=Fix("Plan a move to a newer Python and rebuild `.venv` with it.", guide=guide.SETUP),
        )
    return passed(f"Python {facts.version_text}", details=(where,), facts={"version": facts.version_text})


@check(
    "venv-active",
    title="Virtual environment",
    group="Environment",
    codes=("venv-not-active", "venv-missing"),
)
async def venv_active(ctx: Context) -> Result:
    """What it checks: the project's Python is a virtual environment, and the one the shell activated.

    Why it fails: without an active venv, `python` and `pip` are the system's, so
    packages land in the wrong place and imports fail or pick up other versions.

    How to fix: create `.venv` in the project and activate it in every new terminal.
    """
    facts = await ctx.interpreter()
    if (blocked := _unusable(facts)) is not None:
        return blocked
    activated = ctx.shell.get("VIRTUAL_ENV")
    venvs = facts.target.project_venvs
    venv_dir = _venv_dir_name(ctx, facts)
    activate = guide.activate_command(venv_dir, ctx.shell, ctx.platform)
    activate_fix = Fix(
        f"Activate the project's virtual environment in this terminal: {activate}",
        steps=("Run the activation command in every new terminal before `python` or `pip`.",
               "Your prompt then shows the venv's name."),
        commands=(activate,),
        guide=guide.SETUP,
    )
    if not facts.is_venv:
        if venvs:
            return Result(Status.FAIL, f"{venv_dir} exists but is not active; {facts.executable} is the system Python",
                          code="venv-not-active", fix=activate_fix)
        return Result(
            Status.FAIL,
            "no virtual environment: packages would go into the system Python",
            code="venv-missing",
            details=(_interpreter_line(facts),),
            fix=Fix(
                "Create a virtual environment in the project, activate it and install the packages there.",
                steps=("Create it once per project.", "Activate it in every new terminal.",
                       "Install the packages inside it."),
                commands=("python -m venv .venv", activate,
                          'pip install "openai>=1.40" "httpx>=0.27" "python-dotenv>=1.0"'),
                guide=guide.SETUP,
            ),
        )
    if activated and not _same_dir(activated, facts.prefix):
        return Result(
            Status.FAIL,
            f"the shell activated {activated}, but the project's Python is {facts.prefix}",
            code="venv-not-active",
            fix=Fix("Leave the other environment and activate the project's own.",
                    commands=("deactivate", activate), guide=guide.SETUP),
        )
    if not activated:
        return Result(
            Status.WARN,
            f"{facts.prefix} is a virtual environment but this shell has not activated it",
            code="venv-not-active",
            details=("`python` in this terminal is not the venv's unless you call it by its path.",),
            fix=activate_fix,
        )
    return passed(f"active: {facts.prefix}")


def _venv_dir_name(ctx: Context, facts: InterpreterFacts) -> str:
    """How the activation command should name the venv: relative when it is the project's own."""
    venvs = facts.target.project_venvs
    if facts.is_venv and facts.prefix and not any(_same_dir(str(v), facts.prefix) for v in venvs):
        return facts.prefix
    return venvs[0].name if venvs else ".venv"


def _same_dir(a: str, b: str | None) -> bool:
    try:
        return b is not None and Path(a).resolve() == Path(b).resolve()
    except OSError:
        return a == b


def _freeze_fix(summary: str) -> Fix:
    return Fix(
        summary,
        steps=("Activate the project's venv.", "Write every installed version into requirements.txt.",
               "Commit requirements.txt, so a teammate or CI installs the same versions."),
        commands=("pip freeze > requirements.txt",),
        guide=guide.SETUP,
    )


def _install_fix(summary: str, *specs: str) -> Fix:
    quoted = " ".join(f'"{s}"' for s in specs)
    return Fix(summary, steps=("Install inside the project's activated venv, then freeze again.",),
               commands=(f"pip install {quoted}", "pip freeze > requirements.txt"), guide=guide.SETUP)


def _file_findings(reqs: Requirements | None, problem: str | None) -> list[Finding]:
    if problem:
        return [Finding(Status.FAIL, "requirements-invalid", f"requirements.txt {problem}",
                        _freeze_fix("Write requirements.txt again from the venv."))]
    if reqs is None:
        return [Finding(Status.WARN, "requirements-missing", "no requirements.txt: the versions are not recorded",
                        _freeze_fix("Record the installed versions in requirements.txt."))]
    if reqs.invalid:
        lines = ", ".join(str(n) for n, _ in reqs.invalid)
        return [Finding(Status.FAIL, "requirements-invalid", f"requirements.txt has lines pip cannot read (line {lines})",
                        _freeze_fix("Remove or correct those lines; `pip install -r` stops at the first one."),
                        details=tuple(f"line {n}: {why}" for n, why in reqs.invalid),
                        location=("requirements.txt", reqs.invalid[0][0]))]
    return []


def _package_findings(name: str, floor: str, installed: str | None, reqs: Requirements | None) -> list[Finding]:
    found: list[Finding] = []
    if installed is None:
        return [Finding(Status.FAIL, "package-missing", f"{name} is not installed in the project's Python",
                        _install_fix(f"Install {name} into the project's venv.", f"{name}>={floor}"))]
    pin = reqs.get(name) if reqs else None
    if reqs is not None and (pin is None or pin.version is None):
        how = "is not listed" if pin is None else f"is not pinned with == (line {pin.line}: {pin.spec})"
        found.append(Finding(Status.WARN, "package-unpinned", f"{name} {how} in requirements.txt",
                             _freeze_fix(f"Pin {name} to the version you test with: {name}=={installed}."),
                             location=("requirements.txt", pin.line if pin else None)))
    have = parse_version(installed)
    if have is None:
        return found
    if pin is not None and pin.version is not None and parse_version(pin.version) != have:
        found.append(Finding(
            Status.FAIL, "package-version-mismatch",
            f"requirements.txt pins {name}=={pin.version} (line {pin.line}) but {installed} is installed",
            Fix("Make the venv and requirements.txt agree.",
                steps=("Install what requirements.txt says, or, if the installed version is the one you want, freeze again.",),
                commands=("pip install -r requirements.txt", "pip freeze > requirements.txt"), guide=guide.SETUP),
            location=("requirements.txt", pin.line)))
    if name == "openai" and have < parse_version("1.0"):
        found.append(Finding(Status.FAIL, "openai-pre-v1",
                             f"openai {installed} is the old 0.x SDK; the guide's code needs 1.0 or newer",
                             _install_fix("Upgrade the SDK; code written for 0.28 (openai.ChatCompletion) must move to "
                                          "client.chat.completions.create.", f"openai>={floor}")))
    elif have < parse_version(floor):
        found.append(Finding(Status.FAIL, "package-below-floor", f"{name} {installed} is older than the guide's {floor}",
                             _install_fix(f"Upgrade {name}.", f"{name}>={floor}")))
    return found


@check(
    "packages-pinned",
    title="Pinned packages",
    group="Environment",
    codes=("requirements-missing", "requirements-invalid", "package-unpinned", "package-version-mismatch",
           "package-missing", "package-below-floor", "openai-pre-v1", "sdk-httpx-incompatible"),
)
async def packages_pinned(ctx: Context) -> Result:
    """What it checks: openai, httpx and python-dotenv are installed in the project's Python,
    at or above the guide's versions, and pinned with == in requirements.txt.

    Why it fails: unpinned packages change under you; a version mismatch means the code
    runs differently on another machine; openai below 1.55.3 crashes with httpx 0.28
    (`unexpected keyword argument 'proxies'`).

    How to fix: install the packages in the venv and freeze them into requirements.txt.
    """
    facts = await ctx.interpreter()
    path = ctx.project / "requirements.txt"
    reqs, problem = None, None
    if path.exists():
        try:
            reqs = read_requirements(path) if path.is_file() else None
            problem = None if path.is_file() else "is not a file"
        except UnreadableRequirements as error:
            problem = str(error)
    findings = _file_findings(reqs, problem)
    if facts.error:
        return from_findings(findings, "requirements.txt is readable",
                             details=("installed versions unknown: the target interpreter could not be run",))
    versions = {name: facts.installed(name) for name in GUIDE_PACKAGES}
    for name, floor in GUIDE_PACKAGES.items():
        findings += _package_findings(name, floor, versions[name], reqs)
    findings += _incompatibility(versions.get("openai"), versions.get("httpx"))
    summary = ", ".join(f"{n} {v}" for n, v in versions.items() if v)
    return from_findings(findings, f"{summary}; pinned in requirements.txt", facts={"installed": versions})


def _incompatibility(openai: str | None, httpx: str | None) -> list[Finding]:
    have_openai, have_httpx = parse_version(openai or ""), parse_version(httpx or "")
    if have_openai is None or have_httpx is None:
        return []
    if parse_version("1.0") <= have_openai < parse_version(OPENAI_PROXIES_FIX) and have_httpx >= parse_version("0.28"):
        return [Finding(
            Status.FAIL, "sdk-httpx-incompatible",
            f"openai {openai} breaks with httpx {httpx}: `Client.__init__() got an unexpected keyword argument 'proxies'`",
            _install_fix("Upgrade the SDK to a release that knows httpx 0.28.", "openai>=1.55.3"))]
    return []
