"""One cause, one fix that keeps the record and the environment in agreement (issue 18, item 2).

The package fix edits the line in the record and then installs from it; it chooses the smallest
working change, never writes a set the packages check rejects, never pins what the installed SDK
does not use, and declines a hash-pinned file, whose mismatch is still reported afterwards.
"""

from __future__ import annotations

import importlib.metadata as md
import json
import os
import sys
from pathlib import Path

import pytest

from checks.environment import venv_active
from checks.packages import package_findings, pins_incompatible
from checks.packages import sdk_httpx_incompatible as proxies_finding
from doctor.fixes import FixInputs, plan
from doctor.project.record import read_record
from doctor.project.pyproject import read_pyproject
from doctor.project.tools import Tool
from tests.conftest import base_environ, dist, doctor_cli, facts, make_ctx, run_check, write_project

PY = Path("/proj/.venv/bin/python")
BROKEN = {"openai": "1.35.0", "httpx": "0.28.1", "python-dotenv": "1.0.1"}


def _inputs(project: Path, codes: set[str], installed: dict[str, str], http: str = "httpx",
            python: Path | None = PY) -> FixInputs:
    return FixInputs(project, frozenset(codes), Tool("pip", ".venv/bin/python"), installed, http, python)


def _record_findings(project: Path, text: str) -> list:
    """What the packages check's own rule says of a record with this text."""
    (project / "requirements.txt").write_text(text)
    return pins_incompatible(read_record(project, read_pyproject(project)), None, Tool("pip"))


def test_the_proxies_crash_moves_the_pin_in_place_to_the_smallest_working_range_then_installs(tmp_path):
    before = '# the SDK\nopenai[datalib]==1.35.0 ; python_version >= "3.8"  # pinned by Ann\r\nrich==13.0.0\n'
    project = write_project(tmp_path, requirements=before)
    [fix] = plan(_inputs(project, {"sdk-httpx-incompatible"}, BROKEN))
    assert fix.after == ('# the SDK\nopenai[datalib]>=1.55.3,<2 ; python_version >= "3.8"  # pinned by Ann\r\n'
                         "rich==13.0.0\n")
    [command] = fix.then
    assert command.argv == (str(PY), "-m", "pip", "install", "-r", "requirements.txt")
    assert command.shown == ".venv/bin/python -m pip install -r requirements.txt"
    assert "then runs: .venv/bin/python -m pip install -r requirements.txt" in fix.diff()
    assert fix.safety == "safe"


def test_the_old_sdk_gets_the_same_smallest_change_not_the_newest_major(tmp_path):
    project = write_project(tmp_path, requirements="openai==0.28.1\npython-dotenv\n")
    [fix] = plan(_inputs(project, {"openai-pre-v1", "package-unpinned"}, {**BROKEN, "openai": "0.28.1"}))
    assert fix.after == "openai>=1.55.3,<2\npython-dotenv==1.0.1\n"  # httpx is not pinned next to a broken set


@pytest.mark.parametrize("installed", [BROKEN, {**BROKEN, "httpx": "0.29.0"}])
def test_pins_never_write_a_set_the_pins_incompatible_rule_rejects(tmp_path, installed):
    project = write_project(tmp_path, requirements="openai\nhttpx\n")
    for codes in ({"package-unpinned"}, {"package-unpinned", "sdk-httpx-incompatible"}):
        made = plan(_inputs(project, codes, installed))
        written = made[0].after if made else (project / "requirements.txt").read_text()
        assert _record_findings(project, written) == [], written
        (project / "requirements.txt").write_text("openai\nhttpx\n")


def test_pins_never_name_httpx_beside_openai_3_which_uses_httpx2(tmp_path):
    project = write_project(tmp_path, requirements="openai\n")
    installed = {"openai": "3.57.0", "httpx": "0.28.1", "httpx2": "2.0.0", "python-dotenv": "1.2.4"}
    [fix] = plan(_inputs(project, {"package-unpinned"}, installed, http="httpx2"))
    assert fix.after == "openai==3.57.0\npython-dotenv==1.2.4\n"
    assert not fix.then  # the versions are the installed ones: nothing to install


def test_without_the_projects_python_no_upgrade_is_written_that_the_environment_would_not_follow(tmp_path):
    project = write_project(tmp_path, requirements="openai==1.35.0\n")
    assert plan(_inputs(project, {"sdk-httpx-incompatible"}, BROKEN, python=None)) == []
    assert (project / "requirements.txt").read_text() == "openai==1.35.0\n"


def test_a_hash_pinned_file_is_never_edited(tmp_path):
    text = "openai==1.35.0 \\\n    --hash=sha256:" + "a" * 64 + "\n"
    project = write_project(tmp_path, requirements=text)
    assert plan(_inputs(project, {"sdk-httpx-incompatible", "package-version-mismatch"}, BROKEN)) == []
    assert (project / "requirements.txt").read_text() == text


@pytest.mark.parametrize("tool,command", [("uv", "uv add 'openai>=1.55.3,<2'"),
                                          ("poetry", "poetry add 'openai>=1.55.3,<2'"),
                                          ("pdm", "pdm add 'openai>=1.55.3,<2'"),
                                          ("pipenv", "pipenv install 'openai>=1.55.3,<2'")])
def test_a_tool_managed_project_gets_its_tools_own_command_for_the_crash(tool, command):
    installed = {"openai": dist("openai", "1.35.0"), "httpx": dist("httpx", "0.28.1")}
    [finding] = proxies_finding(installed, None, Tool(tool))
    assert finding.fix.commands == (command,)


def test_a_pip_project_without_a_record_installs_the_smallest_change_and_is_told_to_record_it():
    installed = {"openai": dist("openai", "1.35.0"), "httpx": dist("httpx", "0.28.1")}
    [finding] = proxies_finding(installed, None, Tool("pip", ".venv/bin/python"))
    assert finding.fix.commands == (".venv/bin/python -m pip install 'openai>=1.55.3,<2'",)


def test_a_mismatch_whose_recorded_sdk_crashes_with_the_installed_httpx_pins_the_working_one(tmp_path):
    project = write_project(tmp_path, requirements="openai==1.35.0\nhttpx==0.28.1\npython-dotenv==1.0.1\n")
    installed = {"openai": ("1.99.0", "httpx<1,>=0.23.0"), "httpx": "0.28.1", "python-dotenv": "1.0.1"}
    ctx = make_ctx(project, interpreter=facts(project, dists=installed))
    found, _ = package_findings(ctx, ctx.interpreter_facts)
    mismatch = next(f for f in found if f.code == "package-version-mismatch")
    assert "Pin the installed openai 1.99.0" in mismatch.fix.summary and not mismatch.fix.commands
    [fix] = plan(_inputs(project, {f.code for f in found}, {"openai": "1.99.0", "httpx": "0.28.1",
                                                           "python-dotenv": "1.0.1"}))
    assert fix.after == "openai==1.99.0\nhttpx==0.28.1\npython-dotenv==1.0.1\n" and not fix.then


def test_venv_missing_installs_the_projects_record_with_python3_where_there_is_no_python(tmp_path):
    project = write_project(tmp_path / "p", requirements="openai==1.99.0\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    ctx = make_ctx(project, environ=base_environ(PATH=str(bin_dir)), interpreter=facts(project, venv=False))
    result = run_check(venv_active, ctx)
    assert result.code == "venv-missing"
    assert result.fix.commands == ("python3 -m venv .venv", ".venv/bin/python -m pip install -r requirements.txt")
    assert not any("PATH/TO" in command for command in result.fix.commands)


def test_a_hash_pinned_mismatch_is_still_reported_after_fix_yes(tmp_path):
    """Issue 17: the pin fix declines a hash-pinned file, so the mismatch it did not fix stays reported."""
    installed = md.version("openai")
    other = "1.0.0" if installed != "1.0.0" else "1.0.1"
    text = f"openai=={other} \\\n    --hash=sha256:{'b' * 64}\n"
    project = write_project(tmp_path / "p", requirements=text, gitignore=".env\n")
    argv = ("check", "--offline", "--format", "json", "--only", "packages-pinned", "--project", str(project),
            "--python", sys.executable)
    env = base_environ(VIRTUAL_ENV=sys.prefix)

    def mismatch(done) -> bool:
        found = json.loads(done.stdout)["checks"][0]["findings"]
        return any(f["code"] == "package-version-mismatch" and other in f["message"] for f in found)

    assert mismatch(doctor_cli(*argv, env=env))
    fixed = doctor_cli(*argv[:1], "--fix", "--yes", *argv[1:], env=env)
    assert mismatch(fixed), fixed.stdout
    assert (project / "requirements.txt").read_text() == text
    assert set(os.listdir(project)) == {"requirements.txt", ".gitignore"}


def test_without_any_environment_commands_call_python3_where_there_is_no_python(tmp_path):
    from doctor.project.tools import python_command

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    assert python_command(None, tmp_path, str(bin_dir)) == "python3"
    (bin_dir / "python").symlink_to(sys.executable)
    assert python_command(None, tmp_path, str(bin_dir)) == "python"


@pytest.mark.slow
def test_an_install_that_fails_after_the_edit_says_what_changed_and_what_state_is_left(tmp_path):
    """A real venv with the proxies crash, and pip that cannot reach any package: the record was edited,
    the install failed, and the user is told both, with the backup; the report after it stays honest."""
    import shutil

    from tests.conftest import CANARY_KEY, git
    from tests.convergence import template

    before = "openai==1.35.0\npython-dotenv==1.0.1\n"
    project = write_project(tmp_path / "p", requirements=before, env=f"OPENAI_API_KEY={CANARY_KEY}\n",
                            gitignore=".env\n.venv/\n")
    git(project, "init", "-q")
    shutil.copytree(template("proxies"), project / ".venv", symlinks=True)
    (tmp_path / "empty").mkdir()
    env = base_environ(PATH=f"{Path(sys.executable).parent}:/usr/bin:/bin", PIP_NO_INDEX="1",
                       PIP_FIND_LINKS=str(tmp_path / "empty"), PIP_CONFIG_FILE=os.devnull)
    done = doctor_cli("check", "--offline", "--fix", "--yes", "--format", "json", env=env, cwd=project)
    said = done.stderr
    assert "not finished: requirements.txt was changed (the old file is kept as .git/llm-doctor-backups/" in said
    assert "then `.venv/bin/python -m pip install -r requirements.txt` failed (exit 1" in said
    assert "fix the cause and run `.venv/bin/python -m pip install -r requirements.txt` again" in said
    assert (project / "requirements.txt").read_text() == "openai>=1.55.3,<2\npython-dotenv==1.0.1\n"
    [backup] = (project / ".git" / "llm-doctor-backups").glob("requirements.txt.*")
    assert backup.read_text() == before
    pinned = next(c for c in json.loads(done.stdout)["checks"] if c["id"] == "packages-pinned")
    assert "sdk-httpx-incompatible" in {f["code"] for f in pinned["findings"]}  # the venv still has 1.35.0
    assert CANARY_KEY not in done.stdout + done.stderr


def test_an_upgrade_that_cannot_be_written_here_is_not_claimed_or_installed(tmp_path):
    """openai listed twice (by marker) is left to the user; the plan pins what it can and installs nothing."""
    text = "openai==1.35.0; python_version < '3.12'\nopenai==1.35.0; python_version >= '3.12'\npython-dotenv\n"
    project = write_project(tmp_path, requirements=text)
    [fix] = plan(_inputs(project, {"sdk-httpx-incompatible", "package-unpinned"}, BROKEN))
    assert fix.after == text.replace("python-dotenv\n", "python-dotenv==1.0.1\n")
    assert not fix.then and "Require" not in fix.title
