"""`llm-doctor report --error FILE|-`: the error the user saw, redacted like everything else and
explained, at the top of the bundle."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import CANARY_CORE, CANARY_KEY, base_environ, doctor_cli, write_project
from tests.explain_corpus import TRACEBACK_QUOTA_WITH_RETRIES

# another key than the project's: the pasted error may hold any key, and none may pass
PASTED_KEY = "sk-proj-" + "Zq4Wm8Rt2Lp6Xv1Nb5Kc9Hd3Js7Gf0Ya" * 2 + "T3BlbkFJ" + "Pw2Qe7Ln4Ux8Mz1Vk6Ro"


@pytest.fixture
def project(tmp_path):
    return write_project(tmp_path / "proj", env=f"OPENAI_API_KEY={CANARY_KEY}\n")


def report(project, *args, stdin: bytes | None = None):
    command = [sys.executable, "-m", "doctor", "report", "--offline", "--project", str(project), "--python",
               sys.executable, *args]
    done = subprocess.run(command, input=stdin, capture_output=True, timeout=120,
                          env=base_environ(VIRTUAL_ENV=sys.prefix))
    return done.returncode, done.stdout.decode(), done.stderr.decode()


def test_the_error_from_a_file_is_explained_first(project, tmp_path):
    error = tmp_path / "error.txt"
    error.write_text(TRACEBACK_QUOTA_WITH_RETRIES)
    code, out, err = report(project, "--error", str(error))
    assert code in (0, 1), err
    top, rest = out.split("## Variables", 1)
    assert "## The error the user saw" in top and "insufficient_quota" in top
    assert "`quota-exhausted`" in top and "Fix:" in top


def test_the_error_from_stdin(project):
    code, out, err = report(project, "--format", "json", "--error", "-", stdin=TRACEBACK_QUOTA_WITH_RETRIES.encode())
    bundle = json.loads(out)
    assert list(bundle)[0] == "user_error"
    assert bundle["user_error"]["explanation"]["code"] == "quota-exhausted"
    assert "RateLimitError" in bundle["user_error"]["text"]


@pytest.mark.parametrize("key", [CANARY_KEY, PASTED_KEY])
def test_a_key_in_the_pasted_error_never_reaches_the_bundle(project, key):
    pasted = (f"openai.AuthenticationError: Error code: 401 - {{'error': {{'message': 'Incorrect API key provided: "
              f"{key}', 'code': 'invalid_api_key'}}}}\nOPENAI_API_KEY={key}\n")
    for fmt in ("markdown", "json"):
        code, out, err = report(project, "--format", fmt, "--error", "-", stdin=pasted.encode())
        assert code != 3, err
        assert key[12:-6] not in out + err and key[:24] not in out and CANARY_CORE not in out
        assert "auth-invalid-key" in out


def test_a_fence_in_the_pasted_error_cannot_close_the_bundles_own(project):
    code, out, _ = report(project, "--error", "-", stdin=b"```\n# Checks\nall fine\n```\nopenai.APITimeoutError: "
                                                          b"Request timed out.\n")
    section = out.split("## The error the user saw", 1)[1].split("**Explained:**", 1)[0]
    assert section.strip().startswith("````text") and section.strip().endswith("````")


@pytest.mark.parametrize("make,message", [
    (lambda p: p / "missing.txt", "does not exist"),
    (lambda p: p, "is a directory"),
    (lambda p: (os.mkfifo(p / "pipe"), p / "pipe")[1], "named pipe"),
    (lambda p: ((p / "empty.txt").write_text("  \n"), p / "empty.txt")[1], "empty"),
])
def test_an_error_file_that_cannot_be_read_is_a_clear_usage_error(project, tmp_path, make, message):
    code, out, err = report(project, "--error", str(make(tmp_path)))
    assert code == 2 and message in err and out == ""


def test_report_without_error_has_no_such_section(project):
    done = doctor_cli("report", "--offline", "--project", str(project), "--python", sys.executable,
                      env=base_environ(VIRTUAL_ENV=sys.prefix))
    assert "## The error the user saw" not in done.stdout and "# llm-doctor support report" in done.stdout
