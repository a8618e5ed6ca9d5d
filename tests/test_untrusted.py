"""Nothing of a project runs unless asked: not its files, not its git config, not (with --untrusted) its Python."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from doctor.sandbox import Sandbox
from tests.conftest import CANARY_KEY, SHELL_CANARY, base_environ, doctor_cli, git, installed_pins, write_project

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX scripts and git hooks")


def booby_trap(project: Path, marker: Path) -> None:
    """Every way a repository could get code run: project modules, a fake venv python, git config and hooks."""
    touch = f"import pathlib; pathlib.Path({str(marker)!r}).joinpath(__name__ + '-' + __file__.replace('/', '_')).touch()\n"
    for module in ("json", "openai", "dotenv", "httpx", "sitecustomize", "usercustomize", "os", "re", "typing"):
        (project / f"{module}.py").write_text(touch)
    git(project, "init", "-q")
    shell = f"touch {marker}/"
    git(project, "config", "core.fsmonitor", f"{shell}fsmonitor; false")
    git(project, "config", "core.pager", f"{shell}pager; cat")
    git(project, "config", "diff.external", f"{shell}extdiff")
    git(project, "config", "log.showSignature", "true")
    git(project, "config", "gpg.program", f"{shell}gpg")
    git(project, "config", "diff.evil.textconv", f"{shell}textconv; cat")
    (project / ".gitattributes").write_text("* diff=evil\n")
    hooks = project / ".git" / "hooks"
    for hook in ("post-index-change", "pre-commit", "post-checkout", "reference-transaction"):
        (hooks / hook).write_text(f"#!/bin/sh\n{shell}hook-{hook}\n")
        (hooks / hook).chmod(0o755)
    git(project, "add", ".gitattributes", "requirements.txt")
    git(project, "-c", "core.hooksPath=/dev/null", "commit", "-qm", "start")
    for name in os.listdir(marker):
        (marker / name).unlink()  # the test's own git calls above may have set some off


@posix_only
def test_a_normal_live_run_executes_no_project_file_and_no_git_config(tmp_path):
    marker = tmp_path / "marker"
    marker.mkdir()
    with Sandbox("healthy") as sandbox:
        project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\nOPENAI_BASE_URL={sandbox.url}\n"
                                "OPENAI_MODEL=gpt-4o-mini\n", requirements=installed_pins(), gitignore=".env\n")
        booby_trap(project, marker)
        done = doctor_cli("check", "--project", str(project), "--python", sys.executable, "--format", "json",
                          env=base_environ(VIRTUAL_ENV=sys.prefix), cwd=project)
        sent = len(sandbox.completions())
    assert sorted(os.listdir(marker)) == []
    by_id = {c["id"]: c for c in json.loads(done.stdout)["checks"]}
    assert by_id["sample-call"]["status"] == "pass", by_id["sample-call"]
    assert sent >= 1


@posix_only
def test_untrusted_runs_nothing_of_the_project_and_reads_its_venv_from_files(tmp_path):
    marker = tmp_path / "marker"
    marker.mkdir()
    with Sandbox("healthy") as sandbox:
        project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\nOPENAI_BASE_URL={sandbox.url}\n",
                                requirements="openai==1.99.0\nhttpx==0.28.1\npython-dotenv==1.2.4\n",
                                gitignore=".env\n")
        venv = project / ".venv"
        (venv / "bin").mkdir(parents=True)
        (venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion_info = 3.12.4.final.0\n")
        python = venv / "bin" / "python"
        python.write_text(f"#!/bin/sh\ntouch {marker}/venv-python\nexec {sys.executable} \"$@\"\n")
        python.chmod(python.stat().st_mode | stat.S_IEXEC)
        site = venv / "lib" / "python3.12" / "site-packages"
        for name, version in (("openai", "1.99.0"), ("httpx", "0.28.1"), ("python_dotenv", "1.2.4")):
            info = site / f"{name}-{version}.dist-info"
            info.mkdir(parents=True)
            (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name.replace('_', '-')}\nVersion: {version}\n")
        booby_trap(project, marker)
        done = doctor_cli("check", "--untrusted", "--project", str(project), "--format", "json",
                          env=base_environ(), cwd=project)
        seen = list(sandbox.seen)
    assert sorted(os.listdir(marker)) == []
    by_id = {c["id"]: c for c in json.loads(done.stdout)["checks"]}
    assert by_id["python-version"]["message"].startswith("Python 3.12.4"), by_id["python-version"]
    pinned = by_id["packages-pinned"]
    assert pinned["code"] == "module-shadowed", pinned  # the trap's openai.py and json.py are found, not run
    assert {f["file"] for f in pinned["findings"]} >= {"openai.py", "json.py", "dotenv.py"}
    assert "openai 1.99.0" in json.dumps(by_id)  # read from METADATA
    assert by_id["sample-call"]["status"] == "skip" and "--untrusted" in by_id["sample-call"]["message"]
    assert by_id["api-auth"]["status"] == "skip" and ".env line 2" in by_id["api-auth"]["message"]
    assert seen == []  # the project's base URL never got the key


def test_a_shell_key_sent_to_a_base_url_from_dotenv_is_named(tmp_path):
    project = write_project(tmp_path / "p", env="OPENAI_BASE_URL=https://collector.example/v1\n")
    done = doctor_cli("check", "--offline", "--only", "key-format", "--format", "json", "--project", str(project),
                      env=base_environ(OPENAI_API_KEY=SHELL_CANARY))
    [result] = json.loads(done.stdout)["checks"]
    assert result["code"] == "base-url-from-project" and "collector.example" in result["message"]
    assert result["status"] == "warn" and done.returncode == 0
