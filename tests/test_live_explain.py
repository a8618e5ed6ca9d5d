"""The live checks read servers with explain's rules (one classifier for a pasted error and a live
reply), including the newer causes; a check that got no good reply never passes, and a model the
server answers but does not list still gets its sample call. Against doctor/sandbox.py on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

from checks.classify import diagnose
from doctor.http import Reply
from doctor.sandbox import Sandbox
from tests.conftest import make_ctx, write_project
from tests.test_live_cli import codes, diagnose as run_doctor, sandbox_project, statuses


def reply(status: int, body: dict | str, **headers: str) -> Reply:
    data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    return Reply(status, {"content-type": "application/json", **headers}, data, 0.1)


@pytest.mark.parametrize("status,body,code", [
    (429, {"error": {"message": "Request too large for gpt-4o in organization org-x on tokens per min (TPM): Limit "
                                "30000, Requested 42000.", "type": "tokens", "code": "rate_limit_exceeded"}},
     "request-too-large"),
    (413, {"error": {"message": "Request Entity Too Large", "type": "invalid_request_error"}}, "request-too-large"),
    (400, {"error": {"message": "The response was filtered due to the prompt triggering Azure OpenAI's content "
                                "management policy.", "type": None, "code": "content_filter", "status": 400}},
     "content-filtered"),
    (404, {"error": {"message": "Your organization must be verified to use the model `o3`. Please go to: "
                                "https://platform.openai.com/settings/organization/general and click on Verify "
                                "Organization.", "type": "invalid_request_error", "code": "model_not_found"}},
     "org-verification-required"),
    (400, {"error": {"message": "An assistant message with 'tool_calls' must be followed by tool messages responding "
                                "to each 'tool_call_id'.", "type": "invalid_request_error"}}, "messages-invalid"),
    (404, {"error": {"message": "Invalid URL (POST /v1/chat/completions/chat/completions)"}}, "base-url-invalid"),
    (429, {"error": {"message": "Rate limit reached for gpt-4o on requests per min (RPM): Limit 3, Used 3, "
                                "Requested 1.", "code": "rate_limit_exceeded"}}, "rate-limited"),
])
def test_a_live_reply_is_read_like_a_pasted_error(tmp_path, status, body, code):
    ctx = make_ctx(write_project(tmp_path / "p", env="OPENAI_API_KEY=sk-test-abcdefghijklmnop\n"))
    assert diagnose(ctx, reply(status, body)).code == code


@pytest.mark.parametrize("scenario,code", [("too-large", "request-too-large"), ("content-filter", "content-filtered"),
                                           ("unverified-org", "org-verification-required")])
def test_the_newer_causes_from_a_real_server_shape(tmp_path, scenario, code):
    with Sandbox(scenario) as sandbox:
        _, document = run_doctor(sandbox_project(tmp_path, sandbox.url))
    found = {f["code"] for c in document["checks"] for f in c["findings"]}
    assert code in found, json.dumps(document["checks"], indent=1)
    assert "stream-unsupported" not in found and "rate-limited" not in found


@pytest.mark.parametrize("scenario", ["rate-limited", "quota", "too-large", "overloaded", "content-filter"])
def test_the_latency_check_never_passes_without_a_good_reply(tmp_path, scenario):
    """A 429 or a 5xx answers fast: timing it would pass 'a short reply took 0.05 s'."""
    with Sandbox(scenario) as sandbox:
        _, document = run_doctor(sandbox_project(tmp_path, sandbox.url))
    timing = next(c for c in document["checks"] if c["id"] == "timeout")
    assert timing["status"] != "pass" and "short reply took" not in timing["message"], timing


def test_a_model_the_server_answers_but_does_not_list_still_gets_its_sample_call(tmp_path):
    with Sandbox("unlisted-model") as sandbox:
        _, document = run_doctor(sandbox_project(tmp_path, sandbox.url))
        asked = [s.body.get("model") for s in sandbox.completions() if isinstance(s.body, dict)]
    assert codes(document)["model-access"] == "model-not-listed"
    sample = next(c for c in document["checks"] if c["id"] == "sample-call")
    assert statuses(document)["sample-call"] == "pass" and "Hello there" in sample["message"], sample
    assert asked.count("gpt-4o-mini") >= 2  # the probe, and the user's own script in the sample call


def test_a_reply_withheld_by_the_filter_is_content_filtered_not_just_empty(tmp_path):
    with Sandbox("empty-reply") as sandbox:
        _, document = run_doctor(sandbox_project(tmp_path, sandbox.url))
    assert codes(document)["sample-call"] == "content-filtered"
