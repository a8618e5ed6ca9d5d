"""Which Python is the project's: never the doctor's own install; the tools' locations computed as the tools do.

The names and hashes below are the ones the real tools produced for these paths (recorded
when the algorithms were read from poetry 2.5.1, pipenv 2026.10.3 and hatch 1.18.2);
tests/test_real_projects.py checks them against the running tools.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from checks.environment import packages_pinned, venv_active
from doctor.model import Status
from doctor.project import environment
from doctor.project.environment import _url_hash, pipenv_env_name, poetry_env_name, resolve_target
from doctor.project.pyproject import Pyproject, read_pyproject
from tests.conftest import base_environ, make_ctx, run_check, write_project


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


def test_a_venv_holding_the_doctor_is_the_projects_only_when_its_record_installs_the_doctor(tmp_path):
    project = write_project(tmp_path / "p")
    shared = tmp_path / "shared-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(shared)], check=True)
    site = next(shared.glob("lib/python3*/site-packages"))
    (site / "llm_api_doctor-0.1.0.dist-info").mkdir()
    assert target(project, VIRTUAL_ENV=str(shared)).path is None  # outside the project, not on its record
    assert target(project, VIRTUAL_ENV=str(shared), names_doctor=True).path == shared / "bin" / "python"


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
