"""The first-day guide's code is real: every Python block parses, its first call and its small
client run against the sandbox API with the SDK, and llm-doctor's own code check finds nothing to
say about the client the guide tells readers to keep."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from checks import guide
from doctor.sandbox import Sandbox
from tests import markdown_check
from tests.conftest import CANARY_KEY, base_environ, doctor_cli, git, installed_pins, write_project

GUIDE = Path(__file__).parents[1] / guide.GUIDE_PAGE


def python_blocks() -> dict[str, str]:
    """Each Python block of the guide, by the section it is in."""
    blocks, section = {}, None
    for token in markdown_check.tokens(GUIDE.read_text(encoding="utf-8")):
        if token.type == "inline" and token.map and token.content in guide.SECTIONS:
            section = token.content
        if token.type == "fence" and token.info == "python":
            blocks.setdefault(section, token.content)
    return blocks


def test_every_python_block_of_the_guide_parses():
    blocks = python_blocks()
    assert set(blocks) == {guide.FIRST_REQUEST, guide.USAGE, guide.RAW_HTTP, guide.WORKED_EXAMPLE}
    for code in blocks.values():
        ast.parse(code)


def _run(script: Path, base_url: str) -> subprocess.CompletedProcess:
    environ = base_environ(OPENAI_API_KEY=CANARY_KEY, OPENAI_BASE_URL=base_url)
    return subprocess.run([sys.executable, script.name], cwd=script.parent, env=environ, capture_output=True,
                          text=True, timeout=60)


def test_the_first_call_and_the_small_client_work_against_the_sandbox(tmp_path):
    blocks = python_blocks()
    (tmp_path / "first.py").write_text(blocks[guide.FIRST_REQUEST] + blocks[guide.USAGE], encoding="utf-8")
    (tmp_path / "client.py").write_text(blocks[guide.WORKED_EXAMPLE], encoding="utf-8")
    with Sandbox("healthy") as sandbox:
        first, client = _run(tmp_path / "first.py", sandbox.url), _run(tmp_path / "client.py", sandbox.url)
    assert first.returncode == 0, first.stderr
    assert "stopped because: stop" in first.stdout and "tokens:" in first.stdout
    assert client.returncode == 0, client.stderr
    assert "tokens, finish_reason=stop]" in client.stdout


def test_the_small_client_stops_at_once_on_an_empty_account(tmp_path):
    (tmp_path / "client.py").write_text(python_blocks()[guide.WORKED_EXAMPLE], encoding="utf-8")
    with Sandbox("quota") as sandbox:
        done = _run(tmp_path / "client.py", sandbox.url)
    assert done.returncode == 1 and "no credit left" in done.stderr


def test_the_code_check_passes_the_guides_client(tmp_path):
    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\n", requirements=installed_pins(),
                            gitignore=".env\n")
    (project / "client.py").write_text(python_blocks()[guide.WORKED_EXAMPLE], encoding="utf-8")
    git(project, "init", "-q")
    git(project, "add", "client.py")
    done = doctor_cli("check", "--project", str(project), "--python", sys.executable, "--offline",
                      "--only", "code-usage", "--format", "json")
    result = json.loads(done.stdout)["checks"][0]
    assert result["status"] == "pass", result
