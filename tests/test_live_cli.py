"""End to end: the real command line against the sandbox API, in every scenario.

The sandbox runs in this test process on 127.0.0.1; the doctor runs in a subprocess,
and its sample call in a third process, exactly as a user's run would.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

from doctor.demo import write_sample_code
from doctor.sandbox import Sandbox
from tests.conftest import CANARY_CORE, CANARY_KEY, base_environ, doctor_cli, git, write_project
from tests.conftest import installed_pins
from tests.test_cli import SCHEMA


def sandbox_project(root: Path, base_url: str) -> Path:
    project = write_project(root, env=f"OPENAI_API_KEY={CANARY_KEY}\nOPENAI_BASE_URL={base_url}\n"
                                      "OPENAI_MODEL=gpt-4o-mini\n", requirements=installed_pins(), gitignore=".env\n")
    write_sample_code(project, "gpt-4o-mini")
    git(project, "init", "-q")
    return project


def diagnose(project: Path, *args: str, python: str = sys.executable) -> tuple[subprocess.CompletedProcess, dict]:
    done = doctor_cli("check", "--project", str(project), "--python", python, "--format", "json", *args,
                      env=base_environ(VIRTUAL_ENV=sys.prefix))
    document = json.loads(done.stdout)
    jsonschema.validate(document, SCHEMA)
    return done, document


def codes(document: dict) -> dict[str, str | None]:
    return {c["id"]: c["code"] for c in document["checks"]}


def statuses(document: dict) -> dict[str, str]:
    return {c["id"]: c["status"] for c in document["checks"]}


def test_healthy_run_within_budget(tmp_path):
    with Sandbox("healthy") as sandbox:
        done, document = diagnose(sandbox_project(tmp_path, sandbox.url))
        completions = sandbox.completions()
    assert done.returncode == 0, done.stdout
    assert set(statuses(document).values()) == {"pass"}
    assert len(completions) <= 3 and sum(1 for s in sandbox.seen if s.method == "GET") == 1
    assert sandbox.max_tokens_asked() <= 100
    assert document["summary"]["tokens_used"] == sandbox.tokens_counted > 0
    sample = next(c for c in document["checks"] if c["id"] == "sample-call")
    assert "Hello there" in sample["message"] and "finish_reason stop" in sample["message"]
    assert {s.authorization for s in sandbox.seen} == {f"Bearer {CANARY_KEY}"}


def test_offline_sends_nothing(tmp_path):
    with Sandbox("healthy") as sandbox:
        done, document = diagnose(sandbox_project(tmp_path, sandbox.url), "--offline")
        assert sandbox.seen == []
    live = [c for c in document["checks"] if c["live"]]
    assert live and all(c["status"] == "skip" and "offline" in c["message"] for c in live)
    assert done.returncode == 0


SCENARIOS = [
    ("bad-key", "api-auth", "auth-invalid-key", 1),
    ("quota", "rate-limit-headers", "quota-exhausted", 1),
    ("rate-limited", "rate-limit-headers", "rate-limited", 1),
    ("missing-model", "model-access", "model-not-found", 1),
    ("broken-json", "json-mode", "json-invalid", 1),
    ("html-portal", "api-auth", "unexpected-response", 1),
    ("no-headers", "rate-limit-headers", "rate-limit-headers-missing", 0),
    # A failed completion that is no matter of limits is reported by Streaming, which reads the same reply.
    ("context-exceeded", "streaming", "context-over-limit", 1),
    ("content-filter", "streaming", "content-filtered", 1),
    ("server-error", "api-auth", "server-error", 1),
    ("bad-gateway", "api-auth", "server-error", 1),
    ("empty-reply", "sample-call", "content-filtered", 1),
    ("truncated", "sample-call", "reply-truncated", 0),
    ("param-unsupported", "sample-call", "param-unsupported", 1),
    ("invalid-json", "api-auth", "unexpected-response", 1),
    ("huge-body", "api-auth", "unexpected-response", 1),
    ("redirect", "api-auth", "unexpected-response", 1),
]


@pytest.mark.parametrize("scenario,check_id,code,exit_code", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_scenarios(tmp_path, scenario, check_id, code, exit_code):
    with Sandbox(scenario) as sandbox:
        done, document = diagnose(sandbox_project(tmp_path, sandbox.url))
    assert codes(document)[check_id] == code, json.dumps(document["checks"], indent=1)
    if check_id == "streaming":
        limits = next(c for c in document["checks"] if c["id"] == "rate-limit-headers")
        assert limits["status"] == "skip" and f"({code}, see Streaming)" in limits["message"]
    assert done.returncode == exit_code
    assert CANARY_KEY not in done.stdout + done.stderr


def test_failed_auth_skips_the_checks_that_would_repeat_it(tmp_path):
    with Sandbox("bad-key") as sandbox:
        _, document = diagnose(sandbox_project(tmp_path, sandbox.url))
        assert len(sandbox.seen) == 1  # only GET /models: nothing else was sent
    state = statuses(document)
    for check_id in ("model-access", "timeout", "rate-limit-headers", "streaming", "json-mode", "sample-call"):
        assert state[check_id] == "skip"
    assert state["context-length"] == "skip"  # a server that is not OpenAI, and no /models answer to size it by


def test_quota_is_reported_by_every_check_that_sees_it(tmp_path):
    with Sandbox("quota") as sandbox:
        _, document = diagnose(sandbox_project(tmp_path, sandbox.url))
    assert codes(document)["sample-call"] == "quota-exhausted"
    assert codes(document)["json-mode"] == "quota-exhausted"


def test_slow_server_is_a_tight_timeout(tmp_path):
    with Sandbox("slow") as sandbox:
        _, document = diagnose(sandbox_project(tmp_path, sandbox.url), "--timeout", "5")
    assert codes(document)["timeout"] == "timeout-tight"


@pytest.mark.parametrize("scenario", ["slow", "hang", "trickle"])
def test_the_run_stays_bounded_by_the_timeout(tmp_path, scenario):
    with Sandbox(scenario) as sandbox:
        start = time.perf_counter()
        done, document = diagnose(sandbox_project(tmp_path, sandbox.url), "--timeout", "1")
        took = time.perf_counter() - start
    assert took < 12, f"took {took:.1f} s"
    found = set(codes(document).values())
    assert "timeout-exceeded" in found, document["checks"]
    assert done.returncode == 1


def test_connection_refused(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _, document = diagnose(sandbox_project(tmp_path, f"http://127.0.0.1:{port}/v1"))
    assert codes(document)["api-auth"] == "network-unreachable"


def test_an_echoed_key_never_reaches_any_output(tmp_path):
    with Sandbox("echo-key") as sandbox:
        project = sandbox_project(tmp_path, sandbox.url)
        outputs = []
        for fmt in ("text", "json"):
            outputs.append(doctor_cli("check", "--project", str(project), "--python", sys.executable, "--format", fmt,
                                      "-v", env=base_environ(VIRTUAL_ENV=sys.prefix)))
    for done in outputs:
        text = done.stdout + done.stderr
        assert "auth-invalid-key" in text
        assert CANARY_KEY not in text and CANARY_CORE not in text


def test_sample_call_needs_the_sdk_in_the_project_python(tmp_path):
    bare = tmp_path / "bare-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    with Sandbox("healthy") as sandbox:
        _, document = diagnose(sandbox_project(tmp_path / "p", sandbox.url), python=str(bare / "bin" / "python"))
    sample = next(c for c in document["checks"] if c["id"] == "sample-call")
    assert sample["code"] == "package-missing"
    assert any("pip install" in command for command in sample["fix"]["commands"])


def test_demo_runs_with_no_key_and_no_network():
    done = doctor_cli("demo", env=base_environ(OPENAI_API_KEY="sk-should-not-be-used-" + "x" * 30))
    assert done.returncode in (0, 1), done.stderr
    assert "Sample call with the openai SDK" in done.stdout and "Hello there" in done.stdout
    assert "sk-should-not-be-used" not in done.stdout
    assert "cost" not in done.stdout.lower()  # no prices are known for the sandbox's host: no cost line at all


def test_demo_scenarios_and_bad_input():
    assert "quota" in doctor_cli("demo", "--list").stdout
    bad = doctor_cli("demo", "bad-key", "--format", "json")
    assert bad.returncode == 1 and codes(json.loads(bad.stdout))["api-auth"] == "auth-invalid-key"
    unknown = doctor_cli("demo", "nope")
    assert unknown.returncode == 2 and "demo --list" in unknown.stderr


NEW_SCENARIOS = [
    ("detail-401", "api-auth", "auth-invalid-key"),
    ("gateway", "rate-limit-headers", "rate-limited"),
    ("model-400", "json-mode", "model-not-found"),
    ("unlisted-model", "model-access", "model-not-listed"),
    ("no-usage", "sample-call", "usage-missing"),
    ("stream-unsupported", "streaming", "stream-unsupported"),
    ("stream-malformed", "streaming", "stream-malformed"),
    ("stream-error", "streaming", "stream-malformed"),
    ("stream-nonstandard", "streaming", "stream-nonstandard"),
    ("buffered-stream", "streaming", "stream-buffered"),
]


@pytest.mark.parametrize("scenario,check_id,code", NEW_SCENARIOS, ids=[s[0] for s in NEW_SCENARIOS])
def test_real_world_server_shapes(tmp_path, scenario, check_id, code):
    with Sandbox(scenario) as sandbox:
        _, document = diagnose(sandbox_project(tmp_path, sandbox.url))
        assert len(sandbox.completions()) <= 3 and sandbox.max_tokens_asked() <= 100
    found = {f["code"] for c in document["checks"] if c["id"] == check_id for f in c["findings"]}
    assert code in found, json.dumps([c for c in document["checks"] if c["id"] == check_id], indent=1)


def test_the_gateways_wait_is_read_in_milliseconds(tmp_path):
    with Sandbox("gateway") as sandbox:
        _, document = diagnose(sandbox_project(tmp_path, sandbox.url))
    rate = next(c for c in document["checks"] if c["id"] == "rate-limit-headers")
    assert "wait 1.5 s" in rate["message"]


def test_a_server_that_answers_one_request_at_a_time_is_not_a_timeout(tmp_path):
    with Sandbox("serial", latency=0.6) as sandbox:
        _, document = diagnose(sandbox_project(tmp_path, sandbox.url), "--timeout", "1")
        assert sandbox.most_at_once <= 1
    state = statuses(document)
    assert "timeout-exceeded" not in json.dumps(document), document
    assert state["timeout"] in ("pass", "warn") and state["json-mode"] == "pass"


def test_a_local_server_with_one_model_and_a_small_window(tmp_path):
    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY=sk-local-{'x' * 4}\nOPENAI_BASE_URL=PLACEHOLDER\n",
                            requirements=installed_pins(), gitignore=".env\n")
    git(project, "init", "-q")
    (project / "prompt.txt").write_text("Summarise this report. " * 120)
    with Sandbox("small-context") as sandbox:
        (project / ".env").write_text(f"OPENAI_API_KEY=local-anything\nOPENAI_BASE_URL={sandbox.url}\n")
        _, document = diagnose(project, "--prompt-file", "prompt.txt")
    by_id = {c["id"]: c for c in document["checks"]}
    assert "qwen2.5-0.5b-instruct" in by_id["model-access"]["message"]  # the server's only model, said so
    assert by_id["context-length"]["code"] == "context-over-limit" and "256" in by_id["context-length"]["message"]
    assert by_id["sample-call"]["code"] == "usage-missing"
    assert "0 tokens" not in by_id["sample-call"]["message"]
