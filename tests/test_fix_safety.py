"""Fix safety, as ruff has it: each fix says whether the doctor can apply it, `--fix` applies the
safe ones, `--fix --unsafe-fixes` the unsafe ones too, and the fix's command is the way to get there."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from doctor import cli, fixes
from doctor.fixes import registry
from doctor.fixes.plan import UNSAFE, Command, FilePlan
from doctor.model import Fix
from tests.conftest import CANARY_KEY, SHELL_CANARY, base_environ, doctor_cli, git, write_project

SCHEMA = Path(cli.__file__).parent / "render" / "report.schema.json"


def _project(tmp_path: Path) -> Path:
    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\n", gitignore="build/\n")
    git(project, "init", "-q")
    return project


def test_a_fix_says_whether_the_doctor_can_apply_it_in_its_json():
    assert Fix("x").to_dict()["applicability"] is None
    assert Fix("x", applicability="unsafe").to_dict()["applicability"] == "unsafe"
    schema = json.loads(SCHEMA.read_text())["$defs"]["fix"]
    assert "applicability" in schema["required"] and schema["properties"]["applicability"]["enum"] == [
        "safe", "unsafe", None]


def test_a_fix_the_doctor_can_apply_names_its_command_and_that_command_works_from_anywhere(tmp_path):
    project = _project(tmp_path)
    done = doctor_cli("check", "--offline", "--format", "json", "--project", str(project), "--python", sys.executable,
                      env=base_environ(VIRTUAL_ENV=sys.prefix))
    report = json.loads(done.stdout)
    import jsonschema

    jsonschema.validate(report, json.loads(SCHEMA.read_text()))
    fix = next(c for c in report["checks"] if c["id"] == "dotenv-gitignored")["fix"]
    assert fix["applicability"] == "safe"
    [command] = fix["commands"]
    assert command.startswith("llm-doctor check --fix --yes") and f"--python {sys.executable}" in command
    assert f"--project {project}" in command  # the run was not started in the project folder
    assert "--offline" in command  # copied from an offline run, it never goes online
    assert any(step.startswith("Or by hand: ") and ".gitignore" in step for step in fix["steps"])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    bin_dir = str(Path(sys.executable).parent)
    ran = subprocess.run(["/bin/sh", "-c", command], cwd=elsewhere, capture_output=True, text=True, timeout=120,
                         env=base_environ(VIRTUAL_ENV=sys.prefix, PATH=f"{bin_dir}:/usr/bin:/bin"))
    assert (project / ".gitignore").read_text() == "build/\n.env\n", ran.stderr
    assert CANARY_KEY not in ran.stdout + ran.stderr


def test_a_fix_nobody_can_apply_keeps_its_commands_and_no_applicability(tmp_path):
    project = _project(tmp_path)
    done = doctor_cli("check", "--offline", "--format", "json", "--project", str(project), "--python", sys.executable,
                      env=base_environ(VIRTUAL_ENV=sys.prefix, OPENAI_API_KEY=SHELL_CANARY))
    by_id = {c["id"]: c for c in json.loads(done.stdout)["checks"]}
    fix = by_id["dotenv-present"]["fix"]
    assert by_id["dotenv-present"]["code"] == "key-shadowed" and fix["commands"] == ["unset OPENAI_API_KEY"]
    assert fix["applicability"] is None
    assert not any(c.startswith("llm-doctor check --fix") for c in fix["commands"])


def _marker_plan(inputs: registry.FixInputs) -> FilePlan:
    """An unsafe fix for the test: it creates MARKER.txt."""
    return FilePlan("Write a marker", inputs.project / "MARKER.txt", None, "unsafe change\n", ("dotenv-gitignored",))


@pytest.fixture
def an_unsafe_planner(monkeypatch):
    extra = registry.Planner(frozenset({"dotenv-not-ignored"}), UNSAFE, f"{__name__}:_marker_plan")
    monkeypatch.setattr(registry, "PLANNERS", (*registry.PLANNERS, extra))
    monkeypatch.setattr(registry, "PLANNED_CODES", registry.PLANNED_CODES | extra.codes)


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return cli.main(list(argv), stdout=out, stderr=io.StringIO()), out.getvalue()


def test_fix_applies_only_the_safe_fixes_and_unsafe_fixes_adds_the_others(tmp_path, an_unsafe_planner, monkeypatch):
    project = _project(tmp_path)
    monkeypatch.setenv("VIRTUAL_ENV", sys.prefix)
    _run("check", "--offline", "--fix", "--yes", "--project", str(project), "--python", sys.executable)
    assert (project / ".gitignore").read_text() == "build/\n.env\n"
    assert not (project / "MARKER.txt").exists()
    (project / ".gitignore").write_text("build/\n")
    _run("check", "--offline", "--fix", "--yes", "--unsafe-fixes", "--project", str(project),
         "--python", sys.executable)
    assert (project / "MARKER.txt").read_text() == "unsafe change\n"
    assert (project / ".gitignore").read_text() == "build/\n.env\n"


def test_an_unsafe_fix_is_marked_unsafe_and_named_with_unsafe_fixes(tmp_path, an_unsafe_planner, monkeypatch):
    project = _project(tmp_path)
    monkeypatch.setattr(registry, "PLANNERS", registry.PLANNERS[-1:])  # only the unsafe one answers the code
    monkeypatch.setenv("VIRTUAL_ENV", sys.prefix)
    _, out = _run("check", "--offline", "--format", "json", "--project", str(project), "--python", sys.executable)
    fix = next(c for c in json.loads(out)["checks"] if c["id"] == "dotenv-gitignored")["fix"]
    assert fix["applicability"] == "unsafe"
    assert fix["commands"][0].startswith("llm-doctor check --fix --unsafe-fixes --yes")


def test_unsafe_fixes_without_fix_is_a_usage_error(tmp_path):
    done = doctor_cli("check", "--unsafe-fixes", "--project", str(tmp_path))
    assert done.returncode == 2 and "--unsafe-fixes goes with --fix" in done.stderr


def test_a_command_that_fails_after_the_edit_says_what_changed_and_how_to_finish(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    project = write_project(tmp_path / "p", requirements="openai==1.35.0\n")
    plan = FilePlan("Require openai", project / "requirements.txt", "openai==1.35.0\n", "openai>=1.55.3,<2\n",
                    ("packages-pinned",),
                    then=(Command(("/bin/sh", "-c", "echo 'No matching distribution' >&2; exit 1"), "pip install -r "
                                  "requirements.txt"), Command(("/bin/true",), "second step")))
    with pytest.raises(fixes.CommandFailed) as failed:
        fixes.apply(plan, project)
    message = str(failed.value)
    assert "requirements.txt was changed (the old file is kept as" in message
    assert "`pip install -r requirements.txt` failed (exit 1: No matching distribution)" in message
    assert "not run: second step" in message and "put the old file back" in message
    assert (project / "requirements.txt").read_text() == "openai>=1.55.3,<2\n"
    [backup] = (tmp_path / "home").rglob("requirements.txt.*")
    assert backup.read_text() == "openai==1.35.0\n"
