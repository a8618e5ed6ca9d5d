"""What a hostile or broken server sends cannot make the doctor follow it, fill the memory, wait
forever, or crash: for the httpx probes and for the sample call in the project's own Python."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time

import pytest

from tests.conftest import CANARY_KEY, base_environ, git, write_project
from tests.hostile import Hostile, completion, endless, models, response, trickle

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="ulimit")
MEMORY_LIMIT_KB = 3_000_000  # the doctor and its children must fit; the attacks below need far more


def diagnose(tmp_path, server: Hostile, *args: str, timeout: float = 3) -> tuple[subprocess.CompletedProcess, dict]:
    """The doctor under a memory limit, against the hostile server."""
    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\nOPENAI_BASE_URL={server.url}\n",
                            gitignore=".env\n", requirements="openai\n")
    git(project, "init", "-q")
    command = [sys.executable, "-m", "doctor", "check", "--project", str(project), "--python", sys.executable,
               "--format", "json", "--timeout", f"{timeout:g}", *args]
    shell = f"ulimit -v {MEMORY_LIMIT_KB}; exec " + " ".join(f"'{part}'" for part in command)
    done = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, env=base_environ(), timeout=120)
    assert "Traceback" not in done.stderr and done.returncode in (0, 1), done.stderr[-3000:]
    return done, {c["id"]: c for c in json.loads(done.stdout)["checks"]}


@posix_only
def test_a_redirect_is_never_followed_by_probes_or_the_sdk(tmp_path):
    with Hostile() as collector, Hostile() as server:
        redirect = response(307, b"", headers={"location": f"{collector.url}/chat/completions"})
        server.route("POST", "/chat/completions", redirect)
        _, results = diagnose(tmp_path, server)
        seen = list(collector.seen)
    assert seen == []  # neither the prompt nor the key went to the other server
    assert results["sample-call"]["code"] == "unexpected-response", results["sample-call"]
    assert results["json-mode"]["code"] == "unexpected-response"


@posix_only
@pytest.mark.parametrize("attack", ["endless", "gzip-bomb"])
def test_a_body_without_end_or_a_gzip_bomb_stops_at_the_cap(tmp_path, attack):
    bomb = gzip.compress(b"[" + b" " * (400 * 1024 * 1024) + b"]", compresslevel=9)
    with Hostile() as server:
        if attack == "endless":
            server.route("POST", "/chat/completions", endless)
        else:
            server.route("POST", "/chat/completions", response(200, bomb, headers={"content-encoding": "gzip"}))
        start = time.monotonic()
        _, results = diagnose(tmp_path, server)
    assert time.monotonic() - start < 30
    sample = results["sample-call"]
    assert sample["status"] == "fail" and sample["code"] == "unexpected-response", sample
    assert "larger than the doctor reads" in sample["message"] or "not JSON" in json.dumps(sample)


@posix_only
def test_a_trickling_server_cannot_hold_the_sdk_past_the_timeout(tmp_path):
    with Hostile() as server:
        server.route("POST", "/chat/completions", lambda request: trickle(request, 60))
        start = time.monotonic()
        _, results = diagnose(tmp_path, server, timeout=2)
        took = time.monotonic() - start
    assert took < 15, took
    assert results["sample-call"]["code"] in ("timeout-exceeded", "probe-inconclusive"), results["sample-call"]


@posix_only
@pytest.mark.parametrize("usage", ["lots", -5, {"prompt_tokens": 1e400}, None])
def test_usage_that_is_not_a_count_is_usage_missing_never_zero(tmp_path, usage):
    body = completion("Hello there!", usage=usage if isinstance(usage, dict) else
                      {"prompt_tokens": usage, "completion_tokens": 3, "total_tokens": usage})
    if usage is None:
        del body["usage"]  # a server that sends no usage at all
    with Hostile() as server:
        server.route("POST", "/chat/completions", response(200, json.dumps(body).encode()))
        _, results = diagnose(tmp_path, server)
    sample = results["sample-call"]
    assert "usage-missing" in {f["code"] for f in sample["findings"]}, sample
    assert "0 tokens" not in sample["message"] and "$0.000000" not in sample["message"]


@posix_only
def test_a_reply_far_over_64_kib_is_shown_shortened(tmp_path):
    with Hostile() as server:
        server.route("POST", "/chat/completions", response(200, completion("word " * 60_000)))
        _, results = diagnose(tmp_path, server)
    assert results["sample-call"]["status"] == "pass", results["sample-call"]
    assert len(results["sample-call"]["message"]) < 400


@posix_only
@pytest.mark.parametrize("body", [b"[" * 200_000 + b"]" * 200_000, json.dumps(models(*[f"m{i}" for i in range(60_000)])).encode()])
def test_a_models_list_nested_too_deep_or_over_the_cap_is_a_finding(tmp_path, body):
    with Hostile() as server:
        server.route("GET", "/models", response(200, body))
        done, results = diagnose(tmp_path, server)
    assert results["api-auth"]["status"] in ("pass", "warn", "fail") and results["api-auth"]["status"] != "error"
    assert json.loads(done.stdout)["summary"]["error"] == 0
