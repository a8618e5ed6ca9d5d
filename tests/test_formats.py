"""Markdown, JUnit and GitHub Actions annotations, on real runs; the canary key in none of them."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from doctor.sandbox import Sandbox
from tests.conftest import CANARY_CORE, CANARY_KEY, SHELL_CANARY, base_environ, doctor_cli
from tests.test_live_cli import sandbox_project

JUNIT = xmlschema.XMLSchema(str(Path(__file__).with_name("junit.xsd")))


def run(project_dir: Path, *args: str, **env: str):
    return doctor_cli("check", "--project", str(project_dir), "--python", sys.executable, *args,
                      env=base_environ(VIRTUAL_ENV=sys.prefix, **env))


def test_junit_validates_and_counts(tmp_path):
    with Sandbox("quota") as sandbox:
        done = run(sandbox_project(tmp_path / "p", sandbox.url), "--format", "junit")
    JUNIT.validate(done.stdout)
    suite = ET.fromstring(done.stdout).find("testsuite")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert len(cases) == 14 and suite.get("failures") == "4"  # rate limits, streaming, JSON mode, sample call
    assert cases["rate-limit-headers"].find("failure").get("type") == "quota-exhausted"
    assert cases["python-version"].find("failure") is None
    assert done.returncode == 1


def test_junit_skips_and_strict_warnings(project):
    (project / "requirements.txt").unlink()
    done = run(project, "--offline", "--format", "junit", "--strict")
    JUNIT.validate(done.stdout)
    cases = {c.get("name"): c for c in ET.fromstring(done.stdout).iter("testcase")}
    assert cases["api-auth"].find("skipped") is not None
    assert cases["packages-pinned"].find("failure").get("type") == "requirements-missing"


def test_markdown_has_a_table_and_a_section_per_problem(project):
    (project / ".env").write_text("OPENAI_API_KEY=sk-your-real-key-goes-here\n")
    done = run(project, "--offline", "--format", "markdown")
    assert "| | check | result | code | time |" in done.stdout
    assert "### ❌ Key and base URL format — `key-placeholder`" in done.stdout
    assert "Guide: *Troubleshooting common errors*" in done.stdout


def test_github_annotations_point_at_the_file_and_line(project):
    (project / ".env").write_text(f"# key\nOPENAI_API_KEY={CANARY_KEY}\n")
    done = run(project, "--offline", GITHUB_ACTIONS="true", GITHUB_WORKSPACE=str(project.parent),
               OPENAI_API_KEY=SHELL_CANARY)
    line = next(x for x in done.stdout.splitlines() if x.startswith("::error"))
    assert line.startswith(f"::error file={project.name}/.env,line=2,title=llm-doctor dotenv-present%3A key-shadowed::")
    json_run = run(project, "--offline", "--format", "json", GITHUB_ACTIONS="true", OPENAI_API_KEY=SHELL_CANARY)
    assert json_run.stdout.lstrip().startswith("{") and "::error" in json_run.stderr


def test_no_annotations_outside_github_actions(project):
    assert "::error" not in run(project, "--offline").stdout


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "junit"])
def test_canary_in_no_format(tmp_path, fmt):
    with Sandbox("echo-key") as sandbox:
        done = run(sandbox_project(tmp_path / "p", sandbox.url), "--format", fmt, "-v",
                   GITHUB_ACTIONS="true", OPENAI_API_KEY=SHELL_CANARY)
    out = done.stdout + done.stderr
    for secret in (CANARY_KEY, CANARY_CORE, SHELL_CANARY, SHELL_CANARY[12:-6]):
        assert secret not in out
