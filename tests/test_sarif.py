"""--format sarif: valid SARIF 2.1.0 (the OASIS schema, tests/sarif-schema-2.1.0.json), one rule per
code with its explanation and guide section, one result per finding where code scanning can show it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema

from doctor.sandbox import Sandbox
from tests.conftest import base_environ, doctor_cli, git
from tests.test_live_cli import sandbox_project

SCHEMA = json.loads(Path(__file__).with_name("sarif-schema-2.1.0.json").read_text())
MISTAKES = 'import os\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask():\n' \
           '    r = client.chat.completions.create(model="gpt-4o-mini", messages=[], temperature=5)\n' \
           '    return r["choices"]\n'


def sarif(project: Path, *args: str) -> tuple[dict, int]:
    done = doctor_cli("check", "--project", str(project), "--python", sys.executable, "--format", "sarif", *args,
                      env=base_environ(VIRTUAL_ENV=sys.prefix))
    log = json.loads(done.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    return log, done.returncode


def test_each_finding_is_a_result_on_its_line_under_its_rule(tmp_path):
    repo = tmp_path / "repo"
    project = repo / "service"
    project.mkdir(parents=True)
    (project / "app.py").write_text(MISTAKES, encoding="utf-8")
    (project / "requirements.txt").write_text("openai==1.99.0\n", encoding="utf-8")
    git(repo, "init", "-q")
    log, code = sarif(project, "--offline")
    assert code == 1
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    by_id = {rule["id"]: rule for rule in rules}
    assert len(by_id) == len(rules)
    results = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"]): r for r in run["results"]}
    assert ("param-out-of-range", "service/app.py", 8) in results  # from the repository's root
    assert ("sdk-dict-access", "service/app.py", 9) in results
    assert results[("sdk-dict-access", "service/app.py", 9)]["level"] == "error"
    assert results[("client-no-timeout", "service/app.py", 4)]["level"] == "warning"
    rule = by_id["sdk-dict-access"]
    assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
    assert rule["properties"]["guide"] in rule["help"]["text"]
    assert all(r["ruleIndex"] == rules.index(by_id[r["ruleId"]]) for r in run["results"])


def test_a_project_wide_finding_is_shown_at_the_projects_setup_file(tmp_path):
    with Sandbox("bad-key") as sandbox:
        log, code = sarif(sandbox_project(tmp_path / "p", sandbox.url))
    assert code == 1
    auth = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "auth-invalid-key")
    assert auth["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "requirements.txt"
    assert "about the whole project" in auth["message"]["text"]


def test_with_no_file_to_show_it_at_a_finding_is_a_notification_not_lost(tmp_path):
    project = tmp_path / "empty"
    project.mkdir()
    log, _ = sarif(project, "--offline")
    run = log["runs"][0]
    assert run["results"] == []
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any("dotenv-missing" in n["message"]["text"] for n in notes)


def test_a_schema_violation_would_be_caught():
    """The schema really constrains: a made-up level does not validate."""
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [
        {"ruleId": "a", "level": "fatal", "message": {"text": "m"}}]}]}
    assert not jsonschema.Draft4Validator(SCHEMA).is_valid(bad)
