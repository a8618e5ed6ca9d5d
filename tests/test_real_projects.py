"""The doctor on real uv, poetry, pipenv, pdm and hatch projects, built by the real tools (tests/realprojects.py).

Each project's environment is where its tool put it by default: uv's and pdm's `.venv` in
the project, poetry's, pipenv's and hatch's in their central folders (redirected into the
test cache through HOME and XDG_*). The doctor runs without --python and with $VIRTUAL_ENV
set to its own venv, as when a user runs it from a clone of llm-doctor: it must compute
each tool's location itself and agree with what the tool reports, say so in the tool's
words, and speak the tool's commands in every fix.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import doctor_cli
from tests.realprojects import CREATE, FILES, LOCK_FILES, SYNC, TOOLS, Project, build_all, hatch_would_create, \
    python_minor

pytestmark = pytest.mark.slow

LOCKING = ("uv", "poetry", "pipenv", "pdm")  # the tools whose lock file the doctor compares with the environment
CENTRAL = ("poetry", "pipenv", "hatch")  # the tools that keep environments outside the project by default
DOCTOR_VENV = Path(sys.prefix)  # the venv running these tests runs the doctor too (conftest.doctor_cli)
# A pip command typed as is: it installs into whatever `pip` is first on PATH, not the project's environment.
# `python -m pip`, `uv pip` and `<tool> run pip` name their interpreter and are not bare.
BARE_PIP = re.compile(r"(?<!-m )(?<!uv )(?<!run )(?<![\w./-])pip(?:3(?:\.\d+)?)? (?:install|uninstall|freeze|sync)\b")


class DoctorDisagrees(Exception):
    """The doctor's answer differs from the tool's. The xfail tests expect this and only this
    (`raises=`): a tool that fails to set the scene fails the test instead of passing as xfail."""


def doctor_must(condition: bool, message: object) -> None:
    if not condition:
        raise DoctorDisagrees(message)


@pytest.fixture(scope="module")
def projects() -> dict[str, Project | BaseException]:
    if sys.prefix == sys.base_prefix:
        pytest.skip("run the tests from the doctor's venv: they set $VIRTUAL_ENV to it to show it is ignored")
    return build_all()


def get(projects: dict[str, Project | BaseException], tool: str) -> Project:
    found = projects[tool]
    if isinstance(found, BaseException):
        raise found  # a skip (registry unreachable) stays a skip; a failed build fails this tool's tests only
    return found


def doctor(project: Project, path: Path | None = None, *args: str, extra: dict[str, str] | None = None) -> dict:
    """`llm-doctor check --format json --offline` on the project, with the doctor's own venv activated."""
    env = {**project.environ, "VIRTUAL_ENV": str(DOCTOR_VENV), **(extra or {})}
    done = doctor_cli("check", "--project", str(path or project.path), "--format", "json", "--offline", *args, env=env)
    assert "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout)


def by_id(report: dict) -> dict[str, dict]:
    return {c["id"]: c for c in report["checks"]}


def codes(result: dict) -> set[str]:
    return {f["code"] for f in result["findings"]}


def fix_texts(report: dict) -> list[str]:
    texts = []
    for result in report["checks"]:
        fix = result.get("fix") or {}
        texts += [fix.get("summary") or "", *fix.get("steps", ()), *fix.get("commands", ())]
    return texts


def bare_pips(report: dict) -> list[str]:
    return [text for text in fix_texts(report) if BARE_PIP.search(text)]


def claims_doctor_venv(report: dict) -> list[str]:
    """Every place that takes the doctor's own venv for the project's: the interpreter, a text that says
    "the project's Python[:| is] <it>", a fix command that runs or activates it. (Naming it to say it was
    passed over, or that the shell has it activated, is fine.)"""
    own = str(DOCTOR_VENV)
    claim = re.compile(rf"project's (?:Python|environment|interpreter|venv)\W*(?:is )?{re.escape(own)}")
    found = [f"interpreter: {report['interpreter']}"] if own in str(report["interpreter"]) else []
    for result in report["checks"]:
        for text in [result["message"], *result["details"], *[f["message"] for f in result["findings"]]]:
            if claim.search(text):
                found.append(f"{result['id']}: {text}")
        fix = result.get("fix") or {}
        found += [f"{result['id']} fix: {c}" for c in fix.get("commands", ()) if own in c]
    return found


def installed_version(python: Path, name: str) -> str | None:
    done = subprocess.run([str(python), "-c", f"import importlib.metadata as m; print(m.version({name!r}))"],
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    return done.stdout.strip() if done.returncode == 0 else None


def install_by_hand(project: Project, python: Path, spec: str) -> None:
    """What a user does in a hurry: pip inside the environment, or uv's pip where the tool made it without pip."""
    has_pip = subprocess.run([str(python), "-m", "pip", "--version"], capture_output=True).returncode == 0
    argv = (str(python), "-m", "pip", "install", "-q", spec) if has_pip else \
        ("uv", "pip", "install", "-q", "--python", str(python), spec)
    project.run_tool(*argv)


def clone(project: Project, where: Path) -> Path:
    """The project's files as a fresh clone has them: the lock, no environment, no .pdm-python."""
    target = where / project.path.name
    for name in [*FILES[project.tool], LOCK_FILES[project.tool]]:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(project.path / name, target / name)
    return target


def expected_path(venv_active: dict) -> Path:
    """The path in venv-active's "expected: PATH (`tool ...` creates it)" detail."""
    for detail in venv_active["details"]:
        if detail.startswith("expected: "):
            return Path(detail[len("expected: "):].rsplit(" (", 1)[0])
    raise AssertionError(f"no expected path in {venv_active['details']}")


def assert_tool_commands(fix: dict, tool: str) -> None:
    commands = fix["commands"]
    assert commands, fix
    assert all(c.split()[0] == tool for c in commands), f"not {tool}'s own commands: {commands}"


# -- the environment the tool made, where the tool put it ---------------------------------------------

@pytest.mark.parametrize("tool", TOOLS)
def test_the_doctor_finds_the_environment_the_tool_made(projects, tool):
    project = get(projects, tool)
    with project.shared():
        python = project.env_python()  # the tool's own answer: poetry env info -p, pipenv --venv, ...
        report = doctor(project)
    assert report["interpreter"] == str(python), report["interpreter_source"]
    assert not claims_doctor_venv(report), claims_doctor_venv(report)
    if tool in CENTRAL:
        assert project.path not in python.parents, f"{tool} was meant to keep its environment centrally: {python}"
    results = by_id(report)
    assert results["venv-active"]["code"] != "project-env-not-found", results["venv-active"]
    assert results["python-version"]["status"] == "pass", results["python-version"]
    pinned = results["packages-pinned"]
    assert pinned["status"] in ("pass", "warn"), pinned
    assert not codes(pinned) & {"package-missing", "lock-out-of-sync", "lock-stale", "package-broken"}, pinned
    assert not bare_pips(report), bare_pips(report)


@pytest.mark.parametrize("tool", TOOLS)
def test_interpreter_source_names_the_tool(projects, tool):
    project = get(projects, tool)
    with project.shared():
        report = doctor(project)
    words = re.sub(r"\(/.*\)", "", report["interpreter_source"])  # the path in brackets may name anything
    doctor_must(re.search(rf"\b{tool}\b", words) is not None, report["interpreter_source"])


# -- drift: a package changed by hand inside the environment -----------------------------------------

@pytest.mark.parametrize("tool", LOCKING)
def test_a_package_changed_by_hand_is_drift_and_the_tools_sync_repairs_it(projects, tool):
    project = get(projects, tool)
    with project.mutating() as restored:
        python = project.env_python()
        locked = installed_version(python, "httpx")
        assert locked, f"httpx is not installed in {python}"
        drifted = "0.27.2" if locked != "0.27.2" else "0.27.0"
        install_by_hand(project, python, f"httpx=={drifted}")
        assert installed_version(python, "httpx") == drifted

        pinned = by_id(report := doctor(project))["packages-pinned"]
        assert pinned["code"] == "lock-out-of-sync", pinned
        finding = next(f for f in pinned["findings"] if f["code"] == "lock-out-of-sync")
        assert finding["file"] == LOCK_FILES[tool]
        assert f"httpx {drifted} (locked: {locked})" in pinned["details"], pinned["details"]
        assert pinned["fix"]["commands"] == [SYNC[tool]], pinned["fix"]
        assert not bare_pips(report), bare_pips(report)

        for command in pinned["fix"]["commands"]:  # the fix, run as the doctor words it, repairs the environment
            project.run_tool(*shlex.split(command))
        assert installed_version(python, "httpx") == locked
        pinned = by_id(doctor(project))["packages-pinned"]
        assert pinned["status"] in ("pass", "warn") and "lock-out-of-sync" not in codes(pinned), pinned
        restored()


# -- no environment: removed, or never created ------------------------------------------------------------

@pytest.mark.parametrize("tool", TOOLS)
def test_a_removed_environment_is_named_where_the_tool_will_make_it_again(projects, tool):
    project = get(projects, tool)
    with project.mutating() as restored:
        prefix = Path(project.info["prefix"])  # what the tool reported when it made it
        assert (prefix / "pyvenv.cfg").is_file()
        away = project.sandbox / f"removed-by-test-{prefix.name}"  # out of every folder a tool or the doctor reads
        prefix.rename(away)
        try:
            assert project.env_prefix() is None or tool == "pdm"  # pdm's answer is .pdm-python, still there
            report = doctor(project)
        finally:
            away.rename(prefix)
        if (prefix / "pyvenv.cfg").is_file():
            restored()
    assert report["interpreter"] is None, report["interpreter_source"]
    assert not claims_doctor_venv(report), claims_doctor_venv(report)
    venv = by_id(report)["venv-active"]
    assert venv["code"] == "project-env-not-found", venv
    assert venv["fix"]["commands"] == [CREATE[tool]], venv["fix"]
    expected = expected_path(venv)
    if tool == "poetry":  # poetry's name ends with the Python it will use: -pyX.Y
        assert expected.name.endswith("-pyX.Y") and prefix.name.startswith(expected.name[:-len("X.Y")]), expected
        assert expected.parent == prefix.parent
    else:
        assert expected == prefix
    assert not bare_pips(report), bare_pips(report)


@pytest.mark.parametrize("tool", TOOLS)
def test_a_clone_with_a_lock_and_no_environment_needs_the_tools_create_command(projects, tool, tmp_path):
    project = get(projects, tool)
    with project.shared():
        fresh = clone(project, tmp_path)
        assert project.env_prefix(fresh) is None  # the tool agrees: nothing there yet
        report = doctor(project, fresh)
        venv = by_id(report)["venv-active"]
        assert venv["code"] == "project-env-not-found", venv
        expected = expected_path(venv)
        assert the_tool_would_use(project, fresh, expected), f"{tool} would not use {expected}"
    assert report["interpreter"] is None, report["interpreter_source"]
    assert tool in report["interpreter_source"]
    assert not claims_doctor_venv(report), claims_doctor_venv(report)
    assert venv["fix"]["commands"] == [CREATE[tool]], venv["fix"]
    assert_tool_commands(venv["fix"], tool)
    assert not bare_pips(report), bare_pips(report)


def the_tool_would_use(project: Project, path: Path, expected: Path) -> bool:
    """Whether the tool, asked about the project at `path`, names `expected` (a placeholder shows it for the
    tools that report only what exists: poetry needs pyvenv.cfg and a python, pipenv bin/activate)."""
    tool = project.tool
    minor = ".".join(map(str, sys.version_info[:2]))  # realprojects builds with the tests' Python
    if tool in ("uv", "pdm"):
        return expected == path / ".venv"
    if tool == "hatch":
        return expected == hatch_would_create(project, path)
    if tool == "poetry":
        assert expected.name.endswith("-pyX.Y"), expected
        expected = expected.with_name(expected.name[:-len("X.Y")] + minor)
    placeholder = expected
    assert not placeholder.exists()
    try:
        (placeholder / "bin").mkdir(parents=True)
        (placeholder / "pyvenv.cfg").write_text(f"home = {Path(sys.base_prefix) / 'bin'}\n")
        (placeholder / "bin" / "activate").write_text("")
        os.symlink(Path(sys.base_prefix) / "bin" / f"python{minor}", placeholder / "bin" / "python")
        return project.env_prefix(path) == placeholder
    finally:
        shutil.rmtree(placeholder, ignore_errors=True)


# -- requires-python ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("tool", TOOLS)
def test_a_python_outside_requires_python_is_named_with_the_tools_commands(projects, tool):
    python = python_minor("3.10")
    if python is None:
        pytest.skip("no Python 3.10 on this machine (pyenv or /usr/bin)")
    project = get(projects, tool)
    with project.shared():
        report = doctor(project, None, "--python", str(python))
    assert report["interpreter"] == str(python) and report["interpreter_source"] == "--python"
    version = by_id(report)["python-version"]
    assert version["code"] == "python-below-requires", version
    finding = next(f for f in version["findings"] if f["code"] == "python-below-requires")
    assert finding["file"] == ("Pipfile" if tool == "pipenv" else "pyproject.toml") and finding["line"]
    assert_tool_commands(version["fix"], tool)
    assert not bare_pips(report), bare_pips(report)


# -- a lock made before the last edit of the declarations ---------------------------------------------------

# What each tool itself says about its lock's freshness (read-only, offline: FINDINGS §3): rc 0 fresh, else stale.
LOCK_CHECK = {"uv": ("uv", "lock", "--check", "--offline", "--python", "{python}"),
              "poetry": ("poetry", "check", "--lock"), "pipenv": ("pipenv", "verify"),
              "pdm": ("pdm", "lock", "--check")}
EDITS = {  # (pyproject.toml edit, Pipfile edit): what a user changes without locking again
    "fresh": (("", ""), ("", "")),
    "dependency-added": (('"python-dotenv"]', '"python-dotenv", "sniffio"]'),
                         ('python-dotenv = "*"\n', 'python-dotenv = "*"\nsniffio = "*"\n')),
    "specifier-changed": (('"httpx"', '"httpx>=0.28"'), ('httpx = "*"', 'httpx = ">=0.28"')),
}


@pytest.mark.parametrize("edit", EDITS)
@pytest.mark.parametrize("tool", LOCKING)
def test_lock_stale_agrees_with_the_tools_own_check(projects, tool, edit, tmp_path):
    project = get(projects, tool)
    with project.shared():
        fresh = clone(project, tmp_path)
    declared = fresh / ("Pipfile" if tool == "pipenv" else "pyproject.toml")
    old, new = EDITS[edit][tool == "pipenv"]
    text = declared.read_text()
    assert old in text
    declared.write_text(text.replace(old, new, 1))
    verdict = project.run_tool(*(a.format(python=project.info["python"]) for a in LOCK_CHECK[tool]), cwd=fresh,
                               check=False)
    tool_says_stale = verdict.returncode != 0
    assert tool_says_stale == (edit != "fresh"), verdict  # the tool's verdict is the reference
    pinned = by_id(report := doctor(project, fresh))["packages-pinned"]
    doctor_must(("lock-stale" in codes(pinned)) == tool_says_stale, pinned)
    if tool_says_stale:
        assert pinned["code"] == "lock-stale", pinned
        assert_tool_commands(pinned["fix"], tool)
        assert f"{tool} lock" in pinned["fix"]["commands"], pinned["fix"]
    assert not bare_pips(report), bare_pips(report)


# -- the tools' own settings that move the default location ------------------------------------------------

def test_poetrys_virtualenvs_path_with_its_cache_dir_placeholder(projects, tmp_path):
    project = get(projects, "poetry")
    settings = {"POETRY_CONFIG_DIR": str(tmp_path / "poetry-config")}
    (tmp_path / "poetry-config").mkdir()
    with project.shared():
        project.run_tool("poetry", "config", "virtualenvs.path", "{cache-dir}/virtualenvs", extra=settings)
        told = project.run_tool("poetry", "env", "info", "-p", extra=settings).stdout.strip()
        assert told == str(project.env_prefix())  # the same place as the default, spelled poetry's way
        report = doctor(project, extra=settings)
    doctor_must(report["interpreter"] == str(Path(told) / "bin" / "python"), report["interpreter_source"])


def test_hatchs_data_folder_from_its_config_file(projects, tmp_path):
    project = get(projects, "hatch")
    config = tmp_path / "hatch-config.toml"
    config.write_text("")  # `hatch config set` edits an existing file only
    settings = {"HATCH_CONFIG": str(config)}
    with project.shared():
        fresh = clone(project, tmp_path)
        project.run_tool("hatch", "config", "set", "dirs.data", str(tmp_path / "hatch-data"), extra=settings)
        project.run_tool("hatch", "env", "create", cwd=fresh,
                         extra={**settings, "HATCH_PYTHON": project.info["python"]})
        told = Path(project.run_tool("hatch", "env", "find", cwd=fresh, extra=settings).stdout.strip())
        assert (told / "pyvenv.cfg").is_file() and tmp_path / "hatch-data" in told.parents
        report = doctor(project, fresh, extra=settings)
    doctor_must(report["interpreter"] == str(told / "bin" / "python"), report["interpreter_source"])


def test_poetrys_env_use_picks_among_several_environments(projects, tmp_path):
    """3.11, then 3.12 to try it, then back to 3.11: the 3.12 folder is the newest, 3.11 is the one poetry uses."""
    py312 = python_minor("3.12")
    if py312 is None:
        pytest.skip("no Python 3.12 on this machine (pyenv or /usr/bin)")
    project = get(projects, "poetry")
    settings = {"POETRY_VIRTUALENVS_PATH": str(tmp_path / "venvs")}  # its envs.toml is this test's own
    with project.shared():
        fresh = clone(project, tmp_path)
    for python in (project.info["python"], str(py312), project.info["python"]):
        project.run_tool("poetry", "env", "use", python, cwd=fresh, extra=settings)
    told = Path(project.run_tool("poetry", "env", "info", "-p", cwd=fresh, extra=settings).stdout.strip())
    assert told.name.endswith("-py" + ".".join(map(str, sys.version_info[:2]))), told
    assert len(list((tmp_path / "venvs").glob(told.name.rsplit("-py", 1)[0] + "-py*"))) == 2
    report = doctor(project, fresh, extra=settings)
    doctor_must(report["interpreter"] == str(told / "bin" / "python"), report["interpreter_source"])
