"""`llm-doctor report`: a bundle that is useful to support and safe to paste anywhere."""

from __future__ import annotations

import json
import sys

import pytest

from doctor import support
from doctor.sandbox import Sandbox
from tests.conftest import CANARY_CORE, CANARY_KEY, SHELL_CANARY, base_environ, doctor_cli, make_ctx, write_project

ORG = "org-AbCdEf1234567890xyz"


def report(project, *args, home=None, **env):
    environ = base_environ(VIRTUAL_ENV=sys.prefix, OPENAI_ORG_ID=ORG, **env)
    if home:
        environ["HOME"] = str(home)
    return doctor_cli("report", "--project", str(project), "--python", sys.executable, *args, env=environ)


@pytest.fixture
def project(tmp_path):
    return write_project(tmp_path / "home" / "me" / "chatbot",
                         env=f"OPENAI_API_KEY={CANARY_KEY}\nDB_PASSWORD=hunter2-very-secret\n")


@pytest.mark.parametrize("fmt", ["markdown", "json"])
def test_the_bundle_holds_what_support_needs_and_no_secret(project, tmp_path, fmt):
    with Sandbox("echo-key") as sandbox:
        (project / ".env").write_text(f"OPENAI_API_KEY={CANARY_KEY}\nOPENAI_BASE_URL={sandbox.url}\n"
                                      "DB_PASSWORD=hunter2-very-secret\n")
        done = report(project, "--format", fmt, home=tmp_path / "home", OPENAI_API_KEY=SHELL_CANARY)
    out = done.stdout
    for secret in (CANARY_KEY, CANARY_CORE, SHELL_CANARY, SHELL_CANARY[12:-6], ORG, "hunter2-very-secret",
                   str(tmp_path / "home")):
        assert secret not in out + done.stderr
    assert "OPENAI_API_KEY" in out and "OPENAI_ORG_ID" in out and "key-shadowed" in out
    assert "auth-invalid-key" in out and "python-dotenv" in out
    if fmt == "json":
        bundle = json.loads(out)
        names = {row["name"]: row for row in bundle["variables"]}
        assert names["OPENAI_API_KEY"]["sources"] == ["shell", ".env line 1"]
        assert names["OPENAI_API_KEY"]["key"].startswith("sk-proj-…" + SHELL_CANARY[-4:])
        assert bundle["report"]["summary"]["fail"] >= 1
    else:
        assert out.startswith("# llm-doctor support report") and "| `OPENAI_API_KEY` | shell, .env line 1 |" in out


def test_output_file_is_written_whole(project, tmp_path):
    target = tmp_path / "ticket.md"
    done = report(project, "--offline", "-o", str(target))
    assert "safe to attach" in done.stderr and done.stdout == ""
    assert target.read_text().startswith("# llm-doctor support report")


def test_unwritable_path_is_a_clear_error_and_leaves_nothing(project, tmp_path):
    """A target that cannot be replaced (here a folder, which even root cannot overwrite with a file)."""
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    done = report(project, "--offline", "-o", str(folder))
    assert done.returncode == 2 and "cannot write the report" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("home")) == ["out"]
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]


def test_missing_folder_is_a_clear_error(project, tmp_path):
    done = report(project, "--offline", "-o", str(tmp_path / "no" / "such" / "r.md"))
    assert done.returncode == 2 and "cannot write the report" in done.stderr and "Traceback" not in done.stderr


def test_a_key_that_slipped_through_stops_the_report(tmp_path):
    ctx = make_ctx(write_project(tmp_path, env=f"OPENAI_API_KEY={CANARY_KEY}\n"))
    support.assert_clean("all clear: sk-proj-…abcd (fp 1234abcd)", ctx)
    for leaked in (f"oops {CANARY_KEY}", "gsk_" + "a1B2c3D4" * 6, "zzzzzzzzzzT3BlbkFJzzzzzzzzzz"):
        with pytest.raises(support.LeakError, match="line 1"):
            support.assert_clean(leaked, ctx)


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and symlinks")
@pytest.mark.parametrize("kind", ["symlink", "fifo", "directory"])
def test_report_never_replaces_a_link_a_pipe_or_a_folder(project, tmp_path, kind):
    import os

    target = tmp_path / "precious.txt"
    target.write_text("keep\n")
    out = tmp_path / "report.md"
    if kind == "symlink":
        out.symlink_to(target)
    elif kind == "fifo":
        os.mkfifo(out)
    else:
        out.mkdir()
    done = report(project, "--offline", "-o", str(out))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "cannot write the report" in done.stderr
    assert target.read_text() == "keep\n"
    assert out.is_symlink() if kind == "symlink" else (out.is_fifo() if kind == "fifo" else out.is_dir())
