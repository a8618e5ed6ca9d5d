"""Bad input is a finding, or a clear usage error: never a crash (exit 3), never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import CANARY_KEY, base_environ, doctor_cli, write_project


def offline(project, *args, **env):
    return doctor_cli("check", "--offline", "--project", str(project), *args, env=base_environ(**env))


def assert_no_crash(done, *codes: int):
    assert done.returncode in (codes or (0, 1)), done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_a_broken_venv_python_symlink_is_a_finding(tmp_path):
    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\n")
    (project / ".venv" / "bin").mkdir(parents=True)
    (project / ".venv" / "pyvenv.cfg").write_text("home = /nowhere\n")
    (project / ".venv" / "bin" / "python").symlink_to("/nowhere/python3.99")
    done = offline(project, "--format", "json")
    assert_no_crash(done, 1)
    by_id = {c["id"]: c for c in json.loads(done.stdout)["checks"]}
    assert by_id["python-version"]["code"] == "interpreter-broken"
    assert "broken symbolic link" in by_id["python-version"]["message"]


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX pipeline")
def test_a_closed_pipe_ends_quietly(tmp_path):
    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\n")
    pipeline = f"{sys.executable} -m doctor check --offline --project {project} | head -2; echo \"rc=${{PIPESTATUS[0]}}\""
    done = subprocess.run(["bash", "-c", pipeline], capture_output=True, text=True, env=base_environ(), timeout=60)
    assert done.stderr == "" and "rc=141" in done.stdout


@pytest.mark.parametrize("encoding", ["ascii", "cp1252", "latin-1"])
@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_an_output_that_cannot_encode_unicode(tmp_path, encoding, fmt):
    project = write_project(tmp_path / "p", env="OPENAI_API_KEY=sk-your-real-key-goes-here…\n")
    done = subprocess.run([sys.executable, "-m", "doctor", "check", "--offline", "--project", str(project),
                           "--format", fmt], capture_output=True, encoding=encoding, timeout=60,
                          env=base_environ(PYTHONIOENCODING=encoding))
    assert_no_crash(done, 1)
    if fmt == "json":
        json.loads(done.stdout)


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX terminal")
@pytest.mark.parametrize("term,size", [("dumb", (24, 80)), ("xterm-256color", (10, 40))])
def test_a_terminal_that_cannot_draw_the_app_gets_the_text_report(tmp_path, term, size):
    import fcntl
    import pty
    import struct
    import termios

    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\n")
    pid, fd = pty.fork()
    if pid == 0:  # the child: the doctor on a terminal
        os.execve(sys.executable, [sys.executable, "-m", "doctor", "--offline", "--project", str(project)],
                  base_environ(TERM=term))
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
    output = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    text = output.decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) in (0, 1), text
    assert "Found" in text or "No problems" in text
    assert "\x1b[?1049h" not in text  # no switch to the full-screen buffer


def test_missing_and_odd_prompt_files_in_the_config_are_findings(tmp_path):
    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\n")
    (project / "prompts").mkdir()
    for target in ("missing.txt", "prompts", "/dev/zero"):
        (project / "pyproject.toml").write_text(f'[tool.llm-doctor]\nprompt-file = "{target}"\n')
        done = offline(project, "--format", "json", "--only", "context-length")
        assert_no_crash(done, 1)
        [result] = json.loads(done.stdout)["checks"]
        assert result["code"] == "prompt-file-unreadable", result


def test_the_doctor_survives_headers_and_bodies_that_are_not_what_they_claim():
    from checks.ratelimit import parse_limits
    from doctor.http import Reply

    limits = parse_limits({"x-ratelimit-limit-requests": "1e400", "x-ratelimit-remaining-requests": "-3",
                           "x-ratelimit-limit-tokens": "nan", "x-ratelimit-remaining-tokens": "lots"})
    assert all(limit.limit is None and limit.remaining is None for limit in limits)
    deep = Reply(200, {}, b"[" * 200_000 + b"]" * 200_000, 0.0)
    assert deep.json() is None


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, devices and ulimit")
@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "dev-stdin", "dangling", "directory"])
def test_a_special_dotenv_is_named_in_bounded_time_and_memory(tmp_path, kind):
    import time

    project = write_project(tmp_path / "p")
    dotenv = project / ".env"
    if kind == "dev-zero":
        dotenv.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(dotenv)
    elif kind == "dev-stdin":
        dotenv.symlink_to("/dev/stdin")
    elif kind == "dangling":
        dotenv.symlink_to(tmp_path / "nowhere")
    else:
        dotenv.mkdir()
    command = f"ulimit -v 1500000; exec {sys.executable} -m doctor check --offline --format json --project {project}"
    start = time.monotonic()
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=base_environ(), timeout=60,
                          stdin=subprocess.PIPE)
    assert time.monotonic() - start < 20
    assert_no_crash(done, 1)
    result = next(c for c in json.loads(done.stdout)["checks"] if c["id"] == "dotenv-present")
    assert result["code"] == "dotenv-unreadable", result
    said = {"dev-zero": "device", "fifo": "named pipe", "dev-stdin": "not a regular file", "dangling": "does not exist",
            "directory": "directory"}[kind]
    assert said in result["message"] or (kind == "dev-stdin" and "pipe" in result["message"]), result["message"]
