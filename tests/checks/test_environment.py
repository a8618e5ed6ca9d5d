"""python-version, venv-active and packages-pinned, each passing and failing."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from checks import guide
from checks.environment import packages_pinned, python_version, venv_active
from doctor.project.pyproject import read_pyproject
from doctor.project.record import read_record
from doctor.model import Status
from tests.conftest import HEALTHY_REQUIREMENTS, base_environ, facts, make_ctx, run_check, write_project


def test_python_version_passes_on_a_current_python(tmp_path):
    ctx = make_ctx(tmp_path, interpreter=facts(tmp_path, version=(3, 12, 4)))
    result = run_check(python_version, ctx)
    assert result.status is Status.PASS and "3.12.4" in result.message


def test_python_version_fails_below_3_10(tmp_path):
    result = run_check(python_version, make_ctx(tmp_path, interpreter=facts(tmp_path, version=(3, 9, 18))))
    assert (result.status, result.code) == (Status.FAIL, "python-too-old")
    assert result.fix and result.fix.guide == guide.SETUP


def test_python_version_warns_past_or_near_end_of_life(tmp_path):
    result = run_check(python_version, make_ctx(tmp_path, interpreter=facts(tmp_path, version=(3, 10, 14))))
    assert (result.status, result.code) == (Status.WARN, "python-eol-soon")
    assert "2026-10-31" in result.message


@pytest.mark.parametrize("today,words", [("2026-12-07", "reached its end of life on 2026-10-31; it gets no"),
                                         ("2026-08-01", "reaches its end of life on 2026-10-31; security fixes stop")])
def test_an_end_of_life_past_is_said_in_the_past_with_the_commands_to_move_on(tmp_path, today, words):
    from datetime import date

    (tmp_path / "requirements.txt").write_text("openai==1.99.0\n")
    ctx = make_ctx(tmp_path, interpreter=facts(tmp_path, version=(3, 10, 14)))
    ctx.today = date.fromisoformat(today)
    result = run_check(python_version, ctx)
    assert words in result.message, result.message
    assert result.fix.commands == ("python3.12 -m venv --clear .venv",
                                   ".venv/bin/python -m pip install -r requirements.txt"), result.fix.commands


def test_python_version_reports_a_broken_interpreter(tmp_path):
    ctx = make_ctx(tmp_path, interpreter=facts(tmp_path, error="/x/python is not a working Python (boom)"))
    result = run_check(python_version, ctx)
    assert (result.status, result.code) == (Status.FAIL, "interpreter-broken")
    assert run_check(venv_active, ctx).status is Status.SKIP


def test_venv_active_passes_when_the_shell_activated_the_project_venv(tmp_path):
    env = base_environ(VIRTUAL_ENV=str(tmp_path / ".venv"))
    assert run_check(venv_active, make_ctx(tmp_path, environ=env, interpreter=facts(tmp_path))).status is Status.PASS


def test_venv_missing_fails_with_create_and_activate_commands(tmp_path):
    result = run_check(venv_active, make_ctx(tmp_path, interpreter=facts(tmp_path, venv=False)))
    assert (result.status, result.code) == (Status.FAIL, "venv-missing")
    assert "python -m venv .venv" in result.fix.commands


def test_project_venv_not_active_names_the_users_shell(tmp_path):
    system_python = facts(tmp_path, venv=False, project_venv=True)
    ctx = make_ctx(tmp_path, interpreter=system_python)
    result = run_check(venv_active, ctx)
    assert (result.status, result.code) == (Status.FAIL, "venv-not-active")
    assert result.fix.commands == (". .venv/bin/activate",)
    powershell = make_ctx(tmp_path, environ=base_environ(PSModulePath="x"), platform="win32",
                          interpreter=system_python)
    assert run_check(venv_active, powershell).fix.commands == (".venv\\Scripts\\Activate.ps1",)


def test_another_activated_venv_fails(tmp_path):
    env = base_environ(VIRTUAL_ENV="/elsewhere/venv")
    result = run_check(venv_active, make_ctx(tmp_path, environ=env, interpreter=facts(tmp_path)))
    assert (result.status, result.code) == (Status.FAIL, "venv-not-active")


def test_venv_not_activated_in_this_shell_is_a_warning(tmp_path):
    result = run_check(venv_active, make_ctx(tmp_path, interpreter=facts(tmp_path)))
    assert (result.status, result.code) == (Status.WARN, "venv-not-active")


@pytest.mark.slow
def test_a_real_venv_is_probed_in_a_subprocess(tmp_path):
    """A real venv without pip: the probe runs it, and the packages are reported missing."""
    project = write_project(tmp_path / "p", requirements=HEALTHY_REQUIREMENTS)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(project / ".venv")], check=True)
    env = base_environ(VIRTUAL_ENV=str(project / ".venv"))
    ctx = make_ctx(project, environ=env)
    assert run_check(venv_active, ctx).status is Status.PASS
    # the version it ran, whatever note follows (3.10 is near its end of life)
    assert run_check(python_version, ctx).message.startswith(f"Python {'.'.join(map(str, sys.version_info[:3]))}")
    result = run_check(packages_pinned, ctx)
    assert (result.status, result.code) == (Status.FAIL, "package-missing")


def _pinned(tmp_path: Path, requirements: str | None, **dists):
    project = write_project(tmp_path, requirements=requirements)
    installed = {"openai": ("1.99.0", "httpx>=0.23"), "httpx": "0.28.1", "python-dotenv": "1.2.4"}
    installed.update({k.replace("_", "-"): v for k, v in dists.items()})
    installed = {k: v for k, v in installed.items() if v}
    return run_check(packages_pinned, make_ctx(project, interpreter=facts(project, dists=installed)))


def test_packages_pinned_passes_when_pins_match(tmp_path):
    assert _pinned(tmp_path, HEALTHY_REQUIREMENTS).status is Status.PASS


def test_requirements_missing_is_a_warning(tmp_path):
    result = _pinned(tmp_path, None)
    assert (result.status, result.code) == (Status.WARN, "requirements-missing")
    assert result.fix.commands == (".venv/bin/python -m pip freeze > requirements.txt",)  # never a bare pip


def test_unpinned_package(tmp_path):
    result = _pinned(tmp_path, "openai>=1.40\nhttpx==0.28.1\npython-dotenv==1.2.4\n")
    assert (result.status, result.code) == (Status.WARN, "package-unpinned")
    assert "requirements.txt:1" in result.message


def test_version_mismatch(tmp_path):
    result = _pinned(tmp_path, HEALTHY_REQUIREMENTS.replace("openai==1.99.0", "openai==1.98.0"))
    assert (result.status, result.code) == (Status.FAIL, "package-version-mismatch")



def test_an_arbitrary_equality_pin_that_is_not_a_version_is_a_mismatch_not_a_crash(tmp_path):
    result = _pinned(tmp_path, HEALTHY_REQUIREMENTS.replace("openai==1.99.0", "openai===custom-build"))
    assert (result.status, result.code) == (Status.FAIL, "package-version-mismatch")
    assert "custom-build" in result.message

def test_package_missing(tmp_path):
    result = _pinned(tmp_path, HEALTHY_REQUIREMENTS, httpx=None)
    assert (result.status, result.code) == (Status.FAIL, "package-missing")


def test_below_floor(tmp_path):
    result = _pinned(tmp_path, HEALTHY_REQUIREMENTS.replace("1.2.4", "0.21.0"), python_dotenv="0.21.0")
    assert (result.status, result.code) == (Status.FAIL, "package-below-floor")


def test_openai_pre_v1(tmp_path):
    result = _pinned(tmp_path, HEALTHY_REQUIREMENTS.replace("1.99.0", "0.28.1"), openai="0.28.1")
    assert result.code == "openai-pre-v1"
    assert "package-below-floor" not in result.facts["codes"]


def test_sdk_httpx_incompatible_and_the_record_pins_the_broken_set(tmp_path):
    result = _pinned(tmp_path, HEALTHY_REQUIREMENTS.replace("1.99.0", "1.50.0"), openai=("1.50.0", "httpx>=0.23"))
    assert result.status is Status.FAIL
    assert {"sdk-httpx-incompatible", "pins-incompatible"} <= set(result.facts["codes"])


def test_garbage_requirements_lines_are_named_not_fatal(tmp_path):
    text = HEALTHY_REQUIREMENTS + "this is not ( a requirement\n<<<<<<< HEAD\n"
    result = _pinned(tmp_path, text)
    assert (result.status, result.code) == (Status.FAIL, "requirements-invalid")
    assert "line 4, 5" in result.message


def test_binary_requirements_file(tmp_path):
    project = write_project(tmp_path)
    (project / "requirements.txt").write_bytes(b"\x00\x01\x02openai")
    result = run_check(packages_pinned, make_ctx(project, interpreter=facts(project)))
    assert result.code == "requirements-invalid"


REAL_FREEZE = """\
# Editable install with no version control (mytool==0.1.0)
-e /home/me/src/mytool
-e git+https://github.com/example/lib.git@abc123#egg=somelib
annotated-types==0.7.0
anyio==4.4.0 \\
    --hash=sha256:5aadc6a1bbb7cdb0bede386cac5e2940f5e2ff3aa20277e991cf028e0585ce94
certifi @ file:///home/conda/feedstock_root/build_artifacts/certifi_1720457958366/work/certifi
httpx==0.28.1
openai==1.99.0
Python-Dotenv==1.2.4  # comment
--index-url https://pypi.example.invalid/simple
-r other.txt
"""


def test_real_pip_freeze_output_parses(tmp_path):
    project = write_project(tmp_path, requirements=REAL_FREEZE)
    (project / "other.txt").write_text("sniffio==1.3.1\n")
    record = read_record(project, read_pyproject(project))
    assert record.problems == ()
    assert record.pinned_version("python_dotenv", None)[0] == "1.2.4"
    assert record.pinned_version("anyio", None)[0] == "4.4.0" and record.hashed
    assert record.pinned_version("certifi", None) is None
    assert record.pinned_version("sniffio", None)[1].file == "other.txt"


def test_real_freeze_passes_the_check(tmp_path):
    (tmp_path / "other.txt").write_text("")
    assert _pinned(tmp_path, REAL_FREEZE).status is Status.PASS


# -- no "activate it" advice where activation means nothing ---------------------------------------------

def _named(tmp_path: Path, *, venv: bool = True, project_venv: bool | None = None, **env: str):
    """A context whose target was named with --python (the demo names llm-doctor's own Python so)."""
    found = facts(tmp_path, venv=venv, project_venv=project_venv)
    found = found._replace(target=replace(found.target, source="--python", origin="option"))
    return make_ctx(tmp_path, environ=base_environ(**env), interpreter=found)


def test_venv_not_active_never_warns_with_python(tmp_path):
    result = run_check(venv_active, _named(tmp_path))
    assert result.status is Status.PASS and "--python" in " ".join(result.details)
    another = run_check(venv_active, _named(tmp_path, VIRTUAL_ENV="/elsewhere/venv"))
    assert another.status is Status.PASS and another.code is None


def test_python_naming_the_system_python_points_at_the_projects_venv_without_activation(tmp_path):
    result = run_check(venv_active, _named(tmp_path, venv=False, project_venv=True))
    assert (result.status, result.code) == (Status.FAIL, "venv-missing")
    assert result.fix.commands == ("llm-doctor check --python .venv/bin/python",)
    assert "activate" not in " ".join(result.fix.commands + result.fix.steps)


@pytest.mark.parametrize("env", [{"CI": "true"}, {"CI": "1"}, {"GITHUB_ACTIONS": "true"}])
def test_venv_not_active_never_warns_under_ci(tmp_path, env):
    result = run_check(venv_active, make_ctx(tmp_path, environ=base_environ(**env), interpreter=facts(tmp_path)))
    assert result.status is Status.PASS and "CI" in " ".join(result.details)
    system = make_ctx(tmp_path, environ=base_environ(**env), interpreter=facts(tmp_path, venv=False))
    assert run_check(venv_active, system).status is Status.PASS  # a CI job's machine is its own


def test_under_ci_a_missing_environment_is_pointed_at_with_python_not_activation(tmp_path):
    ctx = make_ctx(tmp_path, environ=base_environ(CI="true"))
    ctx.target = replace(ctx.target, path=None, origin="none")
    result = run_check(venv_active, ctx)
    assert result.code == "venv-missing" and "--python" in " ".join(result.fix.steps)
    assert not any("activate it" in step for step in result.fix.steps)
    local = make_ctx(tmp_path)
    local.target = replace(local.target, path=None, origin="none")
    assert any("activate it" in step for step in run_check(venv_active, local).fix.steps)


@pytest.mark.parametrize("value", ["false", "0", ""])
def test_ci_false_or_zero_is_not_ci(tmp_path, value):
    ctx = make_ctx(tmp_path, environ=base_environ(CI=value), interpreter=facts(tmp_path))
    result = run_check(venv_active, ctx)
    assert (result.status, result.code) == (Status.WARN, "venv-not-active")


def test_venv_not_active_never_warns_when_the_doctor_runs_from_a_pipx_venv(tmp_path, monkeypatch):
    pipx = tmp_path / "pipx" / "venvs" / "llm-api-doctor"
    pipx.mkdir(parents=True)
    (pipx / "pipx_metadata.json").write_text("{}")
    monkeypatch.setattr(sys, "prefix", str(pipx))
    result = run_check(venv_active, make_ctx(tmp_path, interpreter=facts(tmp_path)))
    assert result.status is Status.PASS and "pipx" in " ".join(result.details)
    assert result.fix is None
