"""What users really paste: colours, log prefixes, wrapped lines, several errors, HTML pages, Python
reprs, escaped JSON, megabytes, binary junk and mixed encodings. explain stays fast (time grows with
the input, never faster), never crashes, and never echoes a key."""

from __future__ import annotations

import time

import pytest

from checks.explain import explain
from tests.conftest import CANARY_CORE, CANARY_KEY, doctor_cli
from tests.test_explain import doctor_cli_stdin

QUOTA = ("openai.RateLimitError: Error code: 429 - {'error': {'message': 'You exceeded your current quota, please check "
         "your plan and billing details.', 'type': 'insufficient_quota', 'param': None, 'code': 'insufficient_quota'}}")


@pytest.mark.parametrize("text,code", [
    (f"\x1b[31m2026-12-07 10:00:01,123 ERROR:root:\x1b[0m {QUOTA}", "quota-exhausted"),
    ("[2026-12-07T10:00:01Z] ERROR app.llm - openai.BadRequestError: Error code: 4\n00 - {'error': {'message': "
     "\"This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.\", "
     "'code': 'context_length_exceeded'}}", "context-over-limit"),
    ("{\"detail\": \"{\\\"error\\\":{\\\"message\\\":\\\"An assistant message with 'tool_calls' must be followed by "
     "tool messages\\\\nresponding to each 'tool_call_id'.\\\"}}\"}", "messages-invalid"),
    ("<!DOCTYPE html><html><head><title>Guest Wi-Fi: please log in</title></head><body><form>...</form></body></html>",
     "unexpected-response"),
    ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
     "<hr><center>cloudflare</center>", "server-error"),
])
def test_noisy_pastes_are_read_through(text, code):
    assert explain(text).diagnosis.code == code


def test_a_status_wrapped_by_the_terminal_is_still_a_status():
    found = explain("openai.APIStatusError: Error code: 4\n02 - {'error': {'message': 'Payment needed'}}")
    assert "HTTP status 402" in found.evidence and found.diagnosis.code == "quota-exhausted"


def _seconds(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        explain(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("unit", [
    "INFO:httpx:HTTP Request: POST https://api.openai.com/v1/chat/completions \"HTTP/1.1 200 OK\"\n",
    "Incorrect API key provided: " + "a," * 40 + "\n",  # the masked-key reader's worst case
    "Limit 1 " + "x " * 30 + "\n",  # the 429 figures' reader
    '  File "' + "p/" * 60 + '", line 1, in f\n',  # the frame reader
    "E" * 70 + "Error" + " " * 30 + "\n",  # the error-line splitter
    "\\\\\\\"" * 20 + "\n",  # escaped JSON
])
def test_time_grows_with_the_input_not_faster(unit):
    """10 KB and 100 KB of the same shape: about ten times the time, never a backtracking blow-up."""
    small = (unit * (10_000 // len(unit) + 1))[:10_000] + "\n" + QUOTA
    large = (unit * (100_000 // len(unit) + 1))[:100_000] + "\n" + QUOTA
    ratio = _seconds(large) / max(_seconds(small), 1e-4)
    assert ratio < 25, ratio
    assert explain(large).diagnosis.code == "quota-exhausted"


@pytest.mark.parametrize("text", [
    "\x00" * 10 + QUOTA, "\ud800\udfff" + QUOTA, "Incorrect API key provided: ", "Error code: ", "Limit 5, Requested",
    'File "', "Traceback (most recent call last):\n" * 3, "{'error': " * 500, "\\" * 1001, "│" * 1000, "é" * 5000,
    "Error code: 999 - {'error': {'code': 12345}}", "Error\n" * 5000,
])
def test_odd_input_never_crashes(text):
    found = explain(text)
    assert found.confidence in ("exact", "high", "medium", "low", "none")


def test_mixed_encodings_and_binary_junk_around_an_error():
    data = "caf\xe9 na\xefve ".encode("latin-1") + bytes(range(128, 256)) + b"\n" + QUOTA.encode() + b"\n"
    done = doctor_cli_stdin(data)
    assert done.returncode == 0 and done.stdout.startswith("quota-exhausted")


@pytest.mark.parametrize("template", [
    "openai.AuthenticationError: Error code: 401 - Incorrect API key provided: {key}.",
    "Error: 400 Your organization must be verified to stream this model. Key: {key}",
    "429 Request too large for gpt-4o (key {key}) on tokens per min (TPM): Limit 30000, Requested 42000.",
    "Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>\n    client = OpenAI(api_key=\"{key}\")"
    "\n    reply = client.chat.completions.create().choices[0].message.content.strip()\nAttributeError: 'NoneType' "
    "object has no attribute 'strip'",
])
def test_a_pasted_key_is_never_echoed_whatever_the_reading(template):
    text = template.format(key=CANARY_KEY)
    for fmt in ("text", "json"):
        done = doctor_cli("explain", "--format", fmt, text)
        assert CANARY_CORE not in done.stdout + done.stderr and CANARY_KEY[:20] not in done.stdout
