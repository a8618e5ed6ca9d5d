"""The GitHub Action (action.yml) as a runner executes it: its `run:` steps really run, in bash
as GitHub starts it, with the `${{ }}` expressions substituted as GitHub would, against temporary
projects, offline. The `uses:` steps (setup-python, the uploads) are recorded, not run, and the
install step is replaced by the llm-doctor already installed here: both need the internet."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tests.conftest import CANARY_KEY, base_environ, git, installed_pins, leaks, write_project

REPO = Path(__file__).parents[1]
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
STEPS = ACTION["runs"]["steps"]
DOCTOR = Path(sys.executable).with_name("llm-doctor")
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
COMPARISON = re.compile(r"([\w.-]+) (==|!=) '([^']*)'")


@dataclass
class Job:
    """What the action did: the doctor step's outputs, the `uses:` steps that ran (with their
    `with:` resolved), the failed step and the code it exited with, and the scripts' output, as the job's log."""
    outputs: dict[str, str] = field(default_factory=dict)
    used: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    failed: str | None = None
    exit_code: int = 0
    log: str = ""


def lookup(reference: str, context: dict) -> str:
    """A property reference such as `inputs.format`; like GitHub, a missing one is ''."""
    assert re.fullmatch(r"[\w-]+(\.[\w-]+)+", reference), f"not a plain property reference: {reference}"
    value = context
    for part in reference.split("."):
        value = value.get(part, "") if isinstance(value, dict) else ""
    return value


def substitute(text: str, context: dict) -> str:
    return EXPRESSION.sub(lambda match: lookup(match.group(1), context), str(text))


def condition(expression: str, context: dict) -> bool:
    """The `if:` forms the action uses: `always()` and comparisons of references with strings, joined by &&."""
    def term(text: str) -> bool:
        if text == "always()":
            return True
        match = COMPARISON.fullmatch(text)
        assert match, f"the test does not understand the condition {text!r}"
        reference, operator, literal = match.groups()
        return (lookup(reference, context) == literal) == (operator == "==")
    return all(term(part.strip()) for part in expression.split("&&"))


def run_action(workspace: Path, **inputs: str) -> Job:
    """Runs the action's steps in order in `workspace`; after a failed step only `always()` steps run, as on GitHub."""
    given = {name.replace("_", "-"): value for name, value in inputs.items()}
    assert set(given) <= set(ACTION["inputs"]), set(given) - set(ACTION["inputs"])
    context = {"inputs": {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()} | given,
               "github": {"action_path": str(REPO)}, "runner": {"temp": str(workspace.parent)},
               "steps": {"install": {"outputs": {"doctor": str(DOCTOR)}}}}
    job = Job()
    for number, step in enumerate(STEPS):
        expression = step.get("if", "")
        if (job.failed and "always()" not in expression) or (expression and not condition(expression, context)):
            continue
        if "uses" in step:
            job.used.append((step["uses"], {key: substitute(value, context) for key, value in step["with"].items()}))
            continue
        if step.get("id") == "install":
            continue
        output_file = workspace.parent / f"github-output-{number}"
        output_file.write_text("")
        script = workspace.parent / f"step-{number}.sh"
        script.write_text(step["run"])
        env = base_environ(GITHUB_ACTIONS="true", GITHUB_OUTPUT=str(output_file), GITHUB_WORKSPACE=str(workspace))
        env.update({name: substitute(value, context) for name, value in step.get("env", {}).items()})
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=workspace,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        job.log += done.stdout
        outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines())
        context["steps"][step.get("id", f"step-{number}")] = {"outputs": outputs}
        if step.get("id") == "doctor":
            job.outputs = outputs
        if done.returncode and not job.failed:
            job.failed, job.exit_code = step.get("name", step.get("id")), done.returncode
    return job


def healthy_project(root: Path, *, dotenv: bool = True) -> Path:
    """A project set up as the guide says; its interpreter, passed as the `python` input, is this one."""
    write_project(root, env=f"OPENAI_API_KEY={CANARY_KEY}\n" if dotenv else None, requirements=installed_pins(),
                  gitignore=".env\n")
    git(root, "init", "-q")
    return root


def test_inputs_and_outputs_with_their_defaults():
    defaults = {name: spec.get("default") for name, spec in ACTION["inputs"].items()}
    assert defaults == {"project": ".", "python": "", "offline": "true", "strict": "false", "format": "sarif",
                        "report": "", "upload": "true", "artifact-name": "llm-doctor", "api-key": "",
                        "python-version": "3.12"}
    assert all(spec.get("description") for spec in ACTION["inputs"].values())
    assert set(ACTION["outputs"]) == {"exit-code", "report"}
    assert ACTION["runs"]["using"] == "composite"


def test_setup_python_installs_the_doctors_python_without_changing_the_jobs():
    setup = next(step for step in STEPS if step.get("id") == "setup")
    assert setup["uses"].startswith("actions/setup-python@")
    assert setup["with"] == {"python-version": "${{ inputs.python-version }}", "update-environment": False}


def test_inputs_reach_the_scripts_only_through_the_environment():
    """An expression spliced into a script's text would let an input inject shell code."""
    for step in STEPS:
        if "run" in step:
            assert "${{" not in step["run"], step.get("name")
            assert step["shell"] == "bash"


def test_a_healthy_project_passes_and_its_report_is_uploaded_as_an_artifact(tmp_path):
    project = healthy_project(tmp_path / "workspace")
    job = run_action(project, python=sys.executable, format="json")
    assert job.failed is None, job.log
    assert job.outputs == {"exit-code": "0", "report": "llm-doctor.json", "upload": "artifact"}
    report = json.loads((project / "llm-doctor.json").read_text())
    assert report["summary"]["exit_code"] == 0
    assert {c["id"]: c["status"] for c in report["checks"]}["api-auth"] == "skip"  # offline by default
    assert job.used[-1] == ("actions/upload-artifact@v4", {"name": "llm-doctor", "path": "llm-doctor.json"})


def test_a_failed_check_fails_the_job_after_the_report_is_uploaded(tmp_path):
    project = healthy_project(tmp_path / "workspace")
    (project / ".gitignore").unlink()  # .env would be committed: dotenv-not-ignored fails
    job = run_action(project, python=sys.executable, format="junit", report="out/doctor.xml",
                     artifact_name="doctor-3.12")
    assert (job.failed, job.exit_code) == ("Exit as llm-doctor did", 1)
    assert job.outputs["exit-code"] == "1"
    assert job.used[-1] == ("actions/upload-artifact@v4", {"name": "doctor-3.12", "path": "out/doctor.xml"})
    failures = [case.find("failure") for case in ET.parse(project / "out/doctor.xml").iter("testcase")]
    assert [f.get("type") for f in failures if f is not None] == ["dotenv-not-ignored"]


def test_strict_fails_the_job_on_a_warning(tmp_path):
    project = healthy_project(tmp_path / "workspace")
    pins = (project / "requirements.txt").read_text()
    (project / "requirements.txt").write_text(pins.replace("openai==", "openai>="))  # package-unpinned warns
    assert run_action(project, python=sys.executable, format="json").exit_code == 0
    job = run_action(project, python=sys.executable, format="json", strict="true")
    assert job.exit_code == 1 and job.outputs["exit-code"] == "1"


def test_the_api_key_is_the_doctors_only_when_given_and_never_shown(tmp_path):
    project = healthy_project(tmp_path / "workspace", dotenv=False)
    without = run_action(project, python=sys.executable, format="json")
    codes = {c["id"]: c["code"] for c in json.loads((project / "llm-doctor.json").read_text())["checks"]}
    assert codes["dotenv-present"] == "dotenv-missing" and without.exit_code == 1  # set but empty: key-missing

    given = run_action(project, python=sys.executable, format="json", api_key=CANARY_KEY)
    report = (project / "llm-doctor.json").read_text()
    checks = {c["id"]: c for c in json.loads(report)["checks"]}
    assert checks["key-format"]["status"] == "pass" and "shell environment" in checks["key-format"]["message"]
    assert given.outputs["exit-code"] == "0"
    assert leaks(report + given.log + str(given.outputs), CANARY_KEY) == []


def test_no_upload_when_asked_for_none(tmp_path):
    project = healthy_project(tmp_path / "workspace")
    job = run_action(project, python=sys.executable, format="json", upload="false")
    assert job.outputs["upload"] == "none"
    assert [uses for uses, _ in job.used] == ["actions/setup-python@v5"]


def test_a_usage_error_of_the_doctor_fails_the_job_with_2_and_uploads_no_empty_report(tmp_path):
    project = healthy_project(tmp_path / "workspace")
    job = run_action(project, project="no-such-folder", format="junit")
    assert (job.failed, job.exit_code) == ("Exit as llm-doctor did", 2)
    assert job.outputs == {"exit-code": "2", "report": "llm-doctor.xml", "upload": "none"}
    assert [uses for uses, _ in job.used] == ["actions/setup-python@v5"]


@pytest.mark.parametrize("inputs, message", [
    ({"offline": "yes"}, "input offline must be true or false, not 'yes'"),
    ({"format": "html"}, "format must be sarif, junit, json, markdown or text, not 'html'"),
])
def test_a_bad_input_fails_with_one_clear_line_and_uploads_nothing(tmp_path, inputs, message):
    project = healthy_project(tmp_path / "workspace")
    job = run_action(project, python=sys.executable, **inputs)
    assert (job.failed, job.exit_code) == ("llm-doctor check", 2)
    assert f"::error::llm-doctor action: {message}" in job.log.splitlines()
    assert [uses for uses, _ in job.used] == ["actions/setup-python@v5"]


def test_sarif_by_default_goes_to_code_scanning(tmp_path):
    project = healthy_project(tmp_path / "workspace")
    (project / ".gitignore").unlink()
    job = run_action(project, python=sys.executable)
    assert job.outputs == {"exit-code": "1", "report": "llm-doctor.sarif", "upload": "sarif"}
    sarif = json.loads((project / "llm-doctor.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"]
    assert job.used[-1] == ("github/codeql-action/upload-sarif@v3",
                            {"sarif_file": "llm-doctor.sarif", "category": "llm-doctor"})
    assert job.exit_code == 1
