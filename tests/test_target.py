"""Which Python is the project's: never the doctor's own install; the tools' locations computed as the tools do.

The names and hashes below are the ones the real tools produced for these paths (recorded
when the algorithms were read from poetry 2.5.1, pipenv 2026.10.3 and hatch 1.18.2);
tests/test_real_projects.py checks them against the running tools.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checks.environment import packages_pinned, python_version, venv_active
from doctor.model import Status
from doctor.project import environment
from doctor.project.environment import _url_hash, pipenv_env_name, poetry_env_name, resolve_target
from doctor.project.pyproject import Pyproject, read_pyproject
from doctor.project.record import read_record
from tests import realprojects, realtargets
from tests.conftest import CANARY_KEY, base_environ, leaks, make_ctx, run_check, write_project


def target(project: Path, python: str | None = None, tool: str = "pip", names_doctor: bool = False, **env: str):
    return resolve_target(project, python, base_environ(**env), read_pyproject(project), tool, names_doctor)


def test_the_tools_own_names_and_hashes():
    weird = Pyproject(Path("/tmp/poetry scratch/pyproject.toml"), True, {"tool": {"poetry": {
        "name": "My App$Weird*Name_With.A-Very-Long-Name-Exceeding-Forty-Two-Chars"}}})
    assert poetry_env_name(Path("/tmp/poetry scratch"), weird) == "my_app_weird_name-with-a-very-long-name-ex-8BEPNhMQ"
    assert pipenv_env_name(Path("/work/research/tools/projects/pipenv")) == "pipenv-VmUHsarJ"
    assert _url_hash("/work/research/tools/projects/hatch") == "-EjRljOZ"


def test_the_doctors_own_activated_venv_is_never_the_projects(tmp_path):
    project = write_project(tmp_path / "p")
    found = target(project, VIRTUAL_ENV=sys.prefix)
    assert found.path is None, found  # the running doctor is its own install too
    assert any("llm-doctor's own install" in note for note in found.notes)
    result = run_check(venv_active, make_ctx(project, environ=base_environ(VIRTUAL_ENV=sys.prefix)))
    assert result.code == "venv-missing" and "--python" in " ".join(result.fix.steps)
    assert sys.prefix not in result.message


def test_the_doctors_checkout_diagnosed_as_a_project_keeps_its_activated_venv(tmp_path, monkeypatch):
    """Inside the project is always the project's, even when the project is llm-doctor's own clone."""
    checkout = write_project(tmp_path / "llm-doctor")
    monkeypatch.setattr(environment, "doctor_source", lambda: checkout)
    venv = _venv_with_doctor(checkout / ".venv")
    found = target(checkout, VIRTUAL_ENV=str(venv))
    assert found.origin == "activated" and found.path == venv / "bin" / "python"
    assert target(tmp_path / "other", VIRTUAL_ENV=str(venv)).path is None  # for any other project: its own


def _venv_with_doctor(folder: Path) -> Path:
    """A real venv (no pip) whose metadata says llm-api-doctor is installed in it, as in a shared venv."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    site = next(folder.glob("lib/python3*/site-packages"))
    (site / "llm_api_doctor-0.1.0.dist-info").mkdir()
    return folder


def test_an_activated_venv_outside_the_project_is_the_projects_even_with_the_doctor_in_it(tmp_path):
    """workon, pyenv-virtualenv, a shared venv: `python app.py` runs in it, so it is the project's."""
    project = write_project(tmp_path / "p")
    shared = _venv_with_doctor(tmp_path / "virtualenvs" / "bot")
    for names_doctor in (False, True):
        found = target(project, VIRTUAL_ENV=str(shared), names_doctor=names_doctor)
        assert found.path == shared / "bin" / "python" and found.origin == "activated", found
    result = run_check(venv_active, make_ctx(project, environ=base_environ(VIRTUAL_ENV=str(shared))))
    assert result.status is Status.PASS and result.message == f"active: {shared}"


@pytest.mark.parametrize("layout", ["pipx_metadata.json", "uv-receipt.toml", "pipx/venvs/llm-api-doctor",
                                    "uv/tools/llm-api-doctor", "PIPX_HOME", "UV_TOOL_DIR", "uvx-cache"])
def test_a_tool_venv_activated_is_the_doctors_own_never_the_projects(tmp_path, layout):
    project = write_project(tmp_path / "p")
    env: dict[str, str] = {}
    if layout.endswith((".json", ".toml")):
        prefix = _venv_with_doctor(tmp_path / "apps" / "llm-api-doctor")
        (prefix / layout).write_text("{}")
    elif layout in ("PIPX_HOME", "UV_TOOL_DIR"):
        home = tmp_path / "home-of-tools"
        prefix = _venv_with_doctor(home / ("venvs" if layout == "PIPX_HOME" else "") / "llm-api-doctor")
        env[layout] = str(home)
    elif layout == "uvx-cache":
        (tmp_path / "cache").mkdir()
        (tmp_path / "cache" / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n")
        prefix = _venv_with_doctor(tmp_path / "cache" / "archive-v0" / "Zx1Yw2Vu3")
    else:
        prefix = _venv_with_doctor(tmp_path / layout)
    found = target(project, VIRTUAL_ENV=str(prefix), **env)
    assert found.path is None, found  # and the running doctor (its source checkout's venv) is its own too
    assert any("llm-doctor's own install" in note for note in found.notes)
    result = run_check(venv_active, make_ctx(project, environ=base_environ(VIRTUAL_ENV=str(prefix), **env)))
    assert result.code == "venv-missing" and "pipx" not in " ".join(result.fix.commands)


def test_a_plain_folder_named_like_a_tool_home_but_without_it_is_not_a_tool(tmp_path):
    project = write_project(tmp_path / "p")
    prefix = _venv_with_doctor(tmp_path / "archive-v0" / "x")  # no CACHEDIR.TAG: not uv's cache
    assert target(project, VIRTUAL_ENV=str(prefix)).path == prefix / "bin" / "python"


@pytest.mark.parametrize("case", ["relative", "project folder", "file", "missing", "not a venv", "too long"])
def test_a_bad_virtual_env_is_named_and_passed_over(tmp_path, case):
    project = write_project(tmp_path / "p", requirements="openai==1.99.0\n")
    value = {"relative": "envs/bot", "project folder": str(project), "file": str(project / "requirements.txt"),
             "missing": str(tmp_path / "deleted-venv"), "not a venv": str(tmp_path),
             "too long": "/" + "v" * 5000}[case]
    found = target(project, VIRTUAL_ENV=value)
    assert found.path is None, found  # nothing else here, and the doctor's own Python is never taken instead
    said = {"relative": "relative path", "project folder": "project folder itself", "file": "names a file",
            "missing": "does not exist", "not a venv": "is not an environment", "too long": "cannot be read"}[case]
    assert any(said in note for note in found.notes), found.notes
    ctx = make_ctx(project, environ=base_environ(VIRTUAL_ENV=value))
    result = run_check(venv_active, ctx)
    assert result.code == "venv-missing" and any(said in line for line in result.details)
    assert (project / "requirements.txt").read_text() == "openai==1.99.0\n"  # nothing changed
    assert run_check(packages_pinned, ctx).status is Status.SKIP  # no doctor's packages reported as the project's


def test_a_bad_virtual_env_falls_through_to_the_projects_own_venv(tmp_path):
    project = write_project(tmp_path / "p")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(project / ".venv")], check=True)
    found = target(project, VIRTUAL_ENV="relative/env")
    assert found.path == project / ".venv" / "bin" / "python" and found.notes


def test_an_unreadable_virtual_env_beside_the_projects_venv_is_a_finding_not_a_crash(tmp_path):
    project = write_project(tmp_path / "p")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(project / ".venv")], check=True)
    ctx = make_ctx(project, environ=base_environ(VIRTUAL_ENV="/" + "v" * 5000))
    assert ctx.target.path == project / ".venv" / "bin" / "python"
    result = run_check(venv_active, ctx)
    assert result.code == "venv-not-active" and "deactivate" in result.fix.commands
    assert any("cannot be read" in line for line in result.details)


def test_an_activated_venv_whose_python_is_gone_is_a_clear_finding(tmp_path):
    project = write_project(tmp_path / "p")
    prefix = tmp_path / "envs" / "bot"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(prefix)], check=True)
    for python in (prefix / "bin").glob("python*"):
        python.unlink()
    (prefix / "bin" / "python").symlink_to(tmp_path / "removed-python3.9")  # its base Python was uninstalled
    found = target(project, VIRTUAL_ENV=str(prefix))
    assert found.path == prefix / "bin" / "python" and any("is gone" in note for note in found.notes)
    ctx = make_ctx(project, environ=base_environ(VIRTUAL_ENV=str(prefix)))
    result = run_check(python_version, ctx)
    assert (result.status, result.code) == (Status.FAIL, "interpreter-broken")
    assert "broken symbolic link" in result.message
    assert run_check(venv_active, ctx).status is Status.SKIP


def test_the_running_doctor_outside_the_project_is_its_own_unless_the_record_installs_it(tmp_path, monkeypatch):
    project = write_project(tmp_path / "p")
    shared = _venv_with_doctor(tmp_path / "shared")
    monkeypatch.setattr(environment.sys, "prefix", str(shared))
    monkeypatch.setattr(environment, "doctor_source", lambda: None)  # installed from the index, not a clone
    assert target(project).path is None
    found = target(project, names_doctor=True)
    assert found.origin == "running" and found.path == Path(sys.executable)


# -- an editable line names the doctor by its folder's pyproject ------------------------------------

def _editable_record(project: Path, line: str) -> bool:
    (project / "requirements.txt").write_text(f"openai==1.99.0\n{line}\n")
    return read_record(project, read_pyproject(project)).names_doctor


def test_an_editable_line_names_the_doctor_by_its_pyproject_not_its_folder_name(tmp_path):
    project = write_project(tmp_path / "p")
    clone = tmp_path / "src" / "my-clone"
    clone.mkdir(parents=True)
    (clone / "pyproject.toml").write_text('[project]\nname = "LLM_API.Doctor"\nversion = "0.1"\n')
    assert _editable_record(project, f"-e {clone}")
    assert _editable_record(project, "-e ../src/my-clone[dev]")  # relative to the project, extras dropped
    assert _editable_record(project, f"--editable=file://{clone}")
    assert _editable_record(project, "-e git+https://example.invalid/x.git@abc#egg=llm_api_doctor")
    named_like = tmp_path / "llm-doctor-notes"
    named_like.mkdir()
    (named_like / "pyproject.toml").write_text('[project]\nname = "notes"\n')
    assert not _editable_record(project, f"-e {named_like}")


@pytest.mark.parametrize("case", ["missing", "file", "unparseable", "no name", "url"])
def test_an_editable_line_that_cannot_be_read_names_nothing(tmp_path, case):
    project = write_project(tmp_path / "p")
    folder = tmp_path / "llm-doctor"
    if case == "file":
        folder.write_text("not a folder")
    elif case in ("unparseable", "no name"):
        folder.mkdir()
        (folder / "pyproject.toml").write_text('[project\nname = "llm-api-doctor"\n' if case == "unparseable"
                                               else "[tool.x]\nname = 1\n")
    line = "-e git+https://example.invalid/llm-doctor.git" if case == "url" else f"-e {folder}"
    assert not _editable_record(project, line)
    record = read_record(project, read_pyproject(project))
    assert record.declared and record.declared[0].name == "openai"  # the rest of the record is still read


# -- CI names the target ------------------------------------------------------------------------------

@pytest.mark.parametrize(("env", "ci"), [({"CI": "true"}, True), ({"CI": "1"}, True), ({"CI": "woodpecker"}, True),
                                         ({"GITHUB_ACTIONS": "true"}, True), ({"CI": "false"}, False),
                                         ({"CI": "0"}, False), ({"CI": ""}, False), ({"CI": " False "}, False),
                                         ({}, False)])
def test_ci_is_a_true_value_of_ci_or_github_actions(env, ci):
    assert environment.in_ci(env) is ci


def test_a_venv_inside_the_project_is_always_the_projects(tmp_path):
    project = write_project(tmp_path / "p")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(project / ".venv")], check=True)
    found = target(project)
    assert found.path == project / ".venv" / "bin" / "python" and found.source == "the project's .venv"


def test_uv_project_environment_and_pdm_python(tmp_path):
    project = write_project(tmp_path / "p")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(project / "envs" / "dev")], check=True)
    found = target(project, tool="uv", UV_PROJECT_ENVIRONMENT="envs/dev")
    assert found.path == project / "envs" / "dev" / "bin" / "python" and "UV_PROJECT_ENVIRONMENT" in found.source
    (project / ".pdm-python").write_text(str(project / "envs" / "dev" / "bin" / "python"))
    assert "pdm" in target(project, tool="pdm").source


def test_a_tool_without_its_environment_is_project_env_not_found(tmp_path):
    project = write_project(tmp_path / "p")
    (project / "pyproject.toml").write_text('[project]\nname = "bot"\ndependencies = ["openai"]\n')
    (project / "poetry.lock").write_text("")
    empty = tmp_path / "virtualenvs"
    found = target(project, tool="poetry", POETRY_VIRTUALENVS_PATH=str(empty))
    assert found.path is None and found.expected and str(empty) in found.expected
    ctx = make_ctx(project, environ=base_environ(POETRY_VIRTUALENVS_PATH=str(empty)))
    result = run_check(venv_active, ctx)
    assert result.code == "project-env-not-found"
    assert "poetry install" in result.fix.commands and "poetry run llm-doctor" in " ".join(result.fix.steps)
    assert run_check(packages_pinned, ctx).status is not Status.PASS  # nothing installed to compare


def test_poetrys_cache_environment_is_found_for_any_python_minor(tmp_path):
    project = write_project(tmp_path / "p")
    (project / "pyproject.toml").write_text('[project]\nname = "Chat_Bot"\ndependencies = ["openai"]\n')
    folder = tmp_path / "virtualenvs" / f"{poetry_env_name(project, read_pyproject(project))}-py3.13"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    found = target(project, tool="poetry", POETRY_VIRTUALENVS_PATH=str(tmp_path / "virtualenvs"))
    assert found.path == folder / "bin" / "python" and found.source.startswith("poetry's environment")


def test_a_conda_environment_passes_as_isolated(tmp_path):
    prefix = tmp_path / "conda" / "envs" / "bot"
    (prefix / "conda-meta").mkdir(parents=True)
    (prefix / "conda-meta" / "history").write_text("")
    (prefix / "bin").mkdir()
    (prefix / "bin" / "python").symlink_to(sys.executable)
    project = write_project(tmp_path / "p")
    found = target(project, CONDA_PREFIX=str(prefix))
    assert found.kind == "conda" and "conda" in found.source
    result = run_check(venv_active, make_ctx(project, environ=base_environ(CONDA_PREFIX=str(prefix))))
    assert result.status is Status.PASS and "conda" in result.message


def test_the_system_python_of_a_container_passes_as_isolated(tmp_path, monkeypatch):
    monkeypatch.setattr(environment, "in_container", lambda: True)
    project = write_project(tmp_path / "p")
    base = Path(sys.base_prefix) / "bin" / "python3"
    found = target(project, python=str(base))
    assert found.kind == "container"
    result = run_check(venv_active, _with_target(project, found))
    assert result.status is Status.PASS and "container" in result.message


def _with_target(project: Path, found):
    ctx = make_ctx(project)
    ctx.target = found
    return ctx


# -- a uv workspace member uses the root's .venv ---------------------------------------------------------

def _workspace(root: Path, members: str, *, exclude: str = "[]", member: str = "packages/alpha") -> Path:
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(f'[project]\nname = "ws"\n\n[tool.uv.workspace]\nmembers = {members}\n'
                                         f'exclude = {exclude}\n')
    folder = root / member
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(f'[project]\nname = "{folder.name}"\ndependencies = ["openai"]\n')
    return folder


@pytest.mark.parametrize("members", ['["packages/*"]', '["./packages/alpha/"]', '["**/alpha"]', '["packages/**"]'])
def test_a_uv_workspace_member_uses_the_roots_venv_and_syncs_from_the_root(tmp_path, members):
    member = _workspace(tmp_path / "ws", members)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "ws" / ".venv")], check=True)
    ctx = make_ctx(member)
    assert ctx.record.tool == "uv" and ctx.target.path == tmp_path / "ws" / ".venv" / "bin" / "python"
    assert ctx.target.workspace == tmp_path / "ws" and "workspace" in ctx.target.source
    assert ctx.tool.sync() == "uv sync --all-packages --directory ../.."
    assert ctx.tool.reinstall("httpx") == "uv sync --all-packages --directory ../.. --reinstall-package httpx"


def test_a_uv_workspace_without_its_venv_says_where_and_how(tmp_path):
    member = _workspace(tmp_path / "ws", '["packages/*"]')
    result = run_check(venv_active, make_ctx(member))
    assert result.code == "project-env-not-found"
    assert str(tmp_path / "ws" / ".venv") in " ".join(result.details)
    assert result.fix.commands == ("uv sync --all-packages --directory ../..",)


@pytest.mark.parametrize(("members", "exclude", "said"), [
    ('["libs/*"]', "[]", "do not include packages/alpha"),  # the member globs match nothing here
    ('["packages/*"]', '["packages/alpha"]', "do not include packages/alpha"),
    ('"packages/*"', "[]", "do not include packages/alpha"),  # not a list: uv refuses it too
])
def test_a_folder_the_workspace_does_not_take_is_not_a_member(tmp_path, members, exclude, said):
    member = _workspace(tmp_path / "ws", members, exclude=exclude)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "ws" / ".venv")], check=True)
    ctx = make_ctx(member)
    assert ctx.record.tool == "pip" and ctx.target.workspace is None
    assert ctx.target.path != tmp_path / "ws" / ".venv" / "bin" / "python"
    assert any(said in note for note in ctx.target.notes), ctx.target.notes


def test_a_malformed_workspace_root_is_an_honest_note_not_a_crash(tmp_path):
    member = _workspace(tmp_path / "ws", '["packages/*"]')
    (tmp_path / "ws" / "pyproject.toml").write_text('[tool.uv.workspace\nmembers = ["packages/*"]\n')
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "ws" / ".venv")], check=True)
    ctx = make_ctx(member)
    assert ctx.target.workspace is None and ctx.target.path is None
    assert any("is not valid TOML" in note and "unknown" in note for note in ctx.target.notes)
    result = run_check(venv_active, ctx)
    assert result.code == "venv-missing" and any("not valid TOML" in line for line in result.details)


def test_a_project_nested_in_an_ordinary_project_is_not_a_member_of_a_workspace_above_it(tmp_path):
    member = _workspace(tmp_path / "ws", '["**"]', member="apps/site/tool")
    (tmp_path / "ws" / "apps" / "site" / "pyproject.toml").write_text('[project]\nname = "site"\n')
    assert make_ctx(member).target.workspace is None  # uv stops at the nearest project without a workspace


# -- real environments: virtualenvwrapper, pipx, uv tool, a uv workspace ----------------------------------

def _installed_pins(python: Path) -> str:
    code = ("import importlib.metadata as m\n"
            "print(''.join(f'{n}=={m.version(n)}\\n' for n in ('httpx', 'openai', 'python-dotenv')), end='')")
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout


def _checks(done: subprocess.CompletedProcess) -> dict[str, dict]:
    assert done.stdout.strip(), done.stderr
    return {c["id"]: c for c in json.loads(done.stdout)["checks"]}


def _activated(venv: Path, **extra: str) -> dict[str, str]:
    """The variables `source bin/activate` sets."""
    return base_environ(VIRTUAL_ENV=str(venv), PATH=f"{venv / 'bin'}:{base_environ()['PATH']}", **extra)


@pytest.mark.slow
def test_a_real_workon_venv_outside_the_project_with_the_doctor_in_it_is_the_projects(tmp_path):
    home = realtargets.workon_home()
    venv = home / "bot"
    project = write_project(tmp_path / "bot", env=f"OPENAI_API_KEY={CANARY_KEY}\n",
                            requirements=_installed_pins(venv / "bin" / "python"), gitignore=".env\n")
    run = [str(venv / "bin" / "llm-doctor"), "check", "--offline", "--format", "json"]
    done = subprocess.run(run, capture_output=True, text=True, cwd=project, timeout=120,
                          env=_activated(venv, WORKON_HOME=str(home)))
    checks = _checks(done)
    assert checks["venv-active"]["status"] == "pass", checks["venv-active"]
    assert checks["venv-active"]["message"] == f"active: {venv}"
    assert checks["packages-pinned"]["status"] == "pass", checks["packages-pinned"]  # run, not skipped
    assert f"{venv / 'bin' / 'python'}" in json.dumps(checks["python-version"])
    assert leaks(done.stdout + done.stderr, CANARY_KEY) == []
    # The same venv that nobody activated, outside the project whose record does not install the doctor: its own.
    quiet = subprocess.run(run, capture_output=True, text=True, cwd=project, timeout=120, env=base_environ())
    assert _checks(quiet)["venv-active"]["code"] == "venv-missing"
    assert _checks(quiet)["packages-pinned"]["status"] == "skip"


@pytest.mark.slow
@pytest.mark.parametrize("tool", ["pipx", "uv tool"])
def test_a_real_tool_install_of_the_doctor_is_never_the_projects(tmp_path, tool):
    sandbox = realtargets.pipx_sandbox() if tool == "pipx" else realtargets.uv_tool_sandbox()
    venv = realtargets.pipx_venv(sandbox) if tool == "pipx" else realtargets.uv_tool_venv(sandbox)
    assert (venv / ("pipx_metadata.json" if tool == "pipx" else "uv-receipt.toml")).is_file()
    project = write_project(tmp_path / "bot", requirements="openai==1.99.0\n")
    run = [str(venv / "bin" / "llm-doctor"), "check", "--offline", "--format", "json"]
    home = base_environ(HOME=str(sandbox / "home"))
    for env in (home, _activated(venv, HOME=str(sandbox / "home"))):  # as installed, and even if activated
        checks = _checks(subprocess.run(run, capture_output=True, text=True, cwd=project, timeout=120, env=env))
        assert checks["venv-active"]["code"] == "venv-missing", checks["venv-active"]
        assert checks["packages-pinned"]["status"] == "skip"  # the doctor's own packages are never the project's
        assert str(venv) not in checks["python-version"]["message"]


@pytest.mark.slow
def test_the_environment_real_uvx_ran_the_doctor_in_is_never_the_projects(tmp_path):
    prefix = realtargets.uvx_environment()
    assert (prefix / "pyvenv.cfg").is_file() and "archive-v" in prefix.parent.name  # uv's own layout
    project = write_project(tmp_path / "bot")
    found = target(project, VIRTUAL_ENV=str(prefix))
    assert found.path is None and any("llm-doctor's own install" in note for note in found.notes)


@pytest.mark.slow
def test_the_demo_after_a_real_pipx_install_does_not_ask_to_activate_pipxs_venv(tmp_path):
    sandbox = realtargets.pipx_sandbox()
    script = sandbox / "home" / ".local" / "bin" / "llm-doctor"
    done = subprocess.run([str(script), "demo", "--format", "json"], capture_output=True, text=True, timeout=180,
                          cwd=tmp_path, env=base_environ(HOME=str(sandbox / "home")))
    checks = _checks(done)
    assert checks["venv-active"]["status"] == "pass", checks["venv-active"]
    assert "venv-not-active" not in done.stdout and "activate" not in json.dumps(checks["venv-active"]["fix"])
    assert done.returncode == 0, done.stdout[-2000:]


@pytest.mark.slow
def test_a_real_uv_workspace_member_uses_the_roots_venv_as_uv_does(tmp_path):
    root = realtargets.uv_workspace()
    tools = realprojects.tools_venv()
    env = realprojects._tool_environ(root.parent, tools / "bin")
    for member in realtargets.WORKSPACE_MEMBERS:
        folder = root / "packages" / member
        said = subprocess.run([str(tools / "bin" / "uv"), "run", "--frozen", "--no-sync", "python", "-c",
                               "import sys; print(sys.prefix)"], cwd=folder, env=env, capture_output=True, text=True)
        assert Path(said.stdout.strip()) == root / ".venv", said.stderr  # uv's own answer
        ctx = make_ctx(folder, environ=realprojects._doctor_environ(root.parent, tools / "bin"))
        assert ctx.record.tool == "uv" and ctx.target.path == root / ".venv" / "bin" / "python"
        assert run_check(venv_active, ctx).status is Status.PASS
        assert run_check(packages_pinned, ctx).status is not Status.SKIP
        fix = ctx.tool.sync()
        assert fix == "uv sync --all-packages --directory ../.."
        argv = [str(tools / "bin" / fix.split()[0]), *fix.split()[1:], "--locked", "--offline"]
        assert subprocess.run(argv, cwd=folder, env=env, capture_output=True).returncode == 0  # it runs as written
    installed = {p.name.split("-")[0] for p in root.glob(".venv/lib/python3*/site-packages/*.dist-info")}
    assert {"openai", "httpx", "python_dotenv"} <= installed  # every member's packages are still there
