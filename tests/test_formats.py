"""Markdown, JUnit and GitHub Actions annotations, on real runs; the canary key in none of them."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from checks import ALL_CHECKS
from doctor.model import Status
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
    assert len(cases) == len(ALL_CHECKS)
    assert suite.get("failures") == "4"  # rate limits, streaming, JSON mode, sample call
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
    assert "### ❌ Key and base URL format — [`key-placeholder`](docs/codes/key-placeholder.md)" in done.stdout
    assert "Guide: [Troubleshooting](docs/guide.md#troubleshooting)" in done.stdout


def test_markdown_gives_each_cause_once_and_every_place(tmp_path):
    with Sandbox("quota") as sandbox:
        project = sandbox_project(tmp_path / "p", sandbox.url)
        (project / "ask.py").write_text("from openai import OpenAI\nclient = OpenAI()\n", encoding="utf-8")
        done = run(project, "--format", "markdown")
    sections = done.stdout.split("### ")
    quota = [s for s in sections if "`quota-exhausted`" in s.splitlines()[0]]
    assert len(quota) >= 2 and "**Fix:**" in quota[0]
    assert all("Same cause as *Rate limits and quota*, above." in s and "**Fix:**" not in s for s in quota[1:])
    assert "- `ask.py:2:10` [`client-no-timeout`](docs/codes/client-no-timeout.md):" in done.stdout


def test_github_annotations_point_at_the_file_and_line(project):
    (project / ".env").write_text(f"# key\nOPENAI_API_KEY={CANARY_KEY}\n")
    done = run(project, "--offline", GITHUB_ACTIONS="true", GITHUB_WORKSPACE=str(project.parent),
               OPENAI_API_KEY=SHELL_CANARY)
    line = next(x for x in done.stdout.splitlines() if x.startswith("::error"))
    title = "llm-doctor%3A .env file and key (key-shadowed)"
    assert line.startswith(f"::error file={project.name}/.env,line=2,title={title}::")
    json_run = run(project, "--offline", "--format", "json", GITHUB_ACTIONS="true", OPENAI_API_KEY=SHELL_CANARY)
    assert json_run.stdout.lstrip().startswith("{") and "::error" in json_run.stderr


def test_every_finding_is_annotated_on_its_own_file_line_and_column(tmp_path):
    """A check that finds three problems makes three annotations, each where its problem is."""
    from doctor.render import annotations
    from tests.test_text_report import code_usage_result, report_of

    lines = annotations.render(report_of(("code-usage", code_usage_result())), tmp_path / "proj", str(tmp_path))
    assert lines.splitlines() == [
        "::error file=proj/app/llm.py,line=42,col=5,title=llm-doctor%3A Code usage (json-without-mode)"
        "::json.loads() of a reply without JSON mode Fix: fix json-without-mode More: docs/codes/json-without-mode.md",
        "::error file=proj/app/util.py,line=7,title=llm-doctor%3A Code usage (client-no-timeout)"
        "::the client has no timeout Fix: fix client-no-timeout More: docs/codes/client-no-timeout.md",
        "::error title=llm-doctor%3A Code usage (max-tokens-missing)::no max_tokens Fix: fix max-tokens-missing More: docs/codes/max-tokens-missing.md",
    ]


def test_an_annotation_is_never_worse_than_its_checks_result(tmp_path):
    """A failure the project counts as a warning ([tool.llm-doctor] warn) is annotated as a warning."""
    from dataclasses import replace

    from doctor.render import annotations
    from tests.test_text_report import code_usage_result, report_of

    downgraded = replace(code_usage_result(), status=Status.WARN)
    lines = annotations.render(report_of(("code-usage", downgraded)), tmp_path, None).splitlines()
    assert len(lines) == 3 and all(line.startswith("::warning ") for line in lines)


def test_no_annotations_outside_github_actions(project):
    assert "::error" not in run(project, "--offline").stdout


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "junit", "sarif"])
def test_canary_in_no_format(tmp_path, fmt):
    with Sandbox("echo-key") as sandbox:
        done = run(sandbox_project(tmp_path / "p", sandbox.url), "--format", fmt, "-v",
                   GITHUB_ACTIONS="true", OPENAI_API_KEY=SHELL_CANARY)
    out = done.stdout + done.stderr
    for secret in (CANARY_KEY, CANARY_CORE, SHELL_CANARY, SHELL_CANARY[12:-6]):
        assert secret not in out
