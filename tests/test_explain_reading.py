"""explain reads more than an error's last line: the key OpenAI echoes, a 429's figures, the
traceback's failing line and frames, other clients' shapes, and several errors in one paste."""

from __future__ import annotations

import pytest

from checks.explain import explain
from tests.conftest import doctor_cli


@pytest.mark.parametrize("masked,code", [
    ("gsk_ab12***wxyz", "key-wrong-provider"),
    ("sk-ant-api03-***wxyz", "key-wrong-provider"),
    ("sk-or-v1*****de5d", "key-wrong-provider"),
    ("https://****lETQ", "key-bad-prefix"),
    ('"sk-proj-****abcd"', "key-bad-prefix"),
    ("{OPENAI_***KEY}", "key-bad-prefix"),
    ("${OPENA***KEY}", "key-bad-prefix"),
    ("your-ope*******-key", "key-placeholder"),
    ("<your_a**********here>", "key-placeholder"),
    ("<sk-JW3R*****************************************Caq>", "key-bad-prefix"),
    ("undefined", "key-missing"),
])
def test_the_masked_key_in_a_401_tells_the_sub_cause(masked, code):
    text = (f"openai.AuthenticationError: Error code: 401 - {{'error': {{'message': 'Incorrect API key provided: "
            f"{masked}. You can find your API key at https://platform.openai.com/account/api-keys.', 'type': "
            f"'invalid_request_error', 'param': None, 'code': 'invalid_api_key'}}}}")
    assert explain(text).diagnosis.code == code


def test_a_401_that_shows_no_key_is_no_sub_cause():
    """Without a colon no key is shown, and the quote that follows is the text's own: never "not shaped like a key"."""
    found = explain("Error code: 401 - {'error': {'message': 'Incorrect API key provided', 'type': "
                    "'invalid_request_error', 'code': 'invalid_api_key'}}")
    assert found.diagnosis.code == "auth-invalid-key" and found.confidence != "high"


def test_an_ordinary_masked_key_is_a_rejected_key_with_its_other_possible_causes():
    """The text cannot tell a revoked key from a shadowed one or another service's key: not high."""
    found = explain("openai.AuthenticationError: Error code: 401 - {'error': {'message': 'Incorrect API key "
                    "provided: sk-proj-********abcd.', 'code': 'invalid_api_key'}}")
    assert found.diagnosis.code == "auth-invalid-key" and found.confidence == "medium"
    assert {"key-shadowed", "key-wrong-provider"} <= {d.code for d in found.alternatives}


@pytest.mark.parametrize("figures,code", [
    ("Limit 30000, Requested 42000", "request-too-large"),
    ("Limit 30000, Used 29000, Requested 1200", "rate-limited"),
])
def test_a_429s_figures_tell_a_full_minute_from_a_request_too_large(figures, code):
    text = (f"openai.RateLimitError: Error code: 429 - {{'error': {{'message': 'Rate limit reached for gpt-4o on "
            f"tokens per min (TPM): {figures}.', 'type': 'tokens', 'code': 'rate_limit_exceeded'}}}}")
    assert explain(text).diagnosis.code == code


STREAM_TRACEBACK = '''Traceback (most recent call last):
  File "/app/chat.py", line 12, in <module>
    for chunk in stream:
  File "/app/.venv/lib/python3.12/site-packages/openai/_streaming.py", line 46, in __iter__
    for item in self._iterator:
  File "/app/.venv/lib/python3.12/site-packages/openai/_streaming.py", line 72, in __stream__
    data = sse.json()
  File "/usr/lib/python3.12/json/decoder.py", line 355, in raw_decode
    raise JSONDecodeError("Expecting value", s, err.value) from None
json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)
'''
REPLY_TRACEBACK = '''Traceback (most recent call last):
  File "/app/extract.py", line 30, in <module>
    data = json.loads(response.choices[0].message.content)
  File "/usr/lib/python3.12/json/__init__.py", line 346, in loads
    return _default_decoder.decode(s)
json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)
'''
UNGUARDED_TRACEBACK = '''Traceback (most recent call last):
  File "/app/bot.py", line 41, in answer
    return response.choices[0].message.content.strip()
AttributeError: 'NoneType' object has no attribute 'strip'
'''


@pytest.mark.parametrize("text,code", [(STREAM_TRACEBACK, "stream-malformed"), (REPLY_TRACEBACK, "json-invalid"),
                                       (UNGUARDED_TRACEBACK, "reply-unguarded")])
def test_the_failing_line_and_frames_tell_the_cause_the_last_line_hides(text, code):
    """The same JSONDecodeError is the server's broken stream in the SDK's reader, the model's text in
    the user's json.loads; the last line alone cannot tell them apart."""
    found = explain(text)
    assert found.diagnosis.code == code
    assert any("failing line" in e or "stream" in e for e in found.evidence)


@pytest.mark.parametrize("text,code", [
    # a status before the message (openai-node), a Go client, a status with no body, a C# client
    ("Error: 400 Your organization must be verified to stream this model. Please go to: "
     "https://platform.openai.com/settings/organization/general and click on Verify Organization.",
     "org-verification-required"),
    ("error, status code: 429, status: 429 Too Many Requests, message: Request too large for gpt-4o in organization "
     "org-AbCdEfGhIjKlMnOpQrStUvWx on tokens per min (TPM): Limit 30000, Requested 30872.", "request-too-large"),
    ("413 Request Entity Too Large", "request-too-large"),
    ("Azure.RequestFailedException: Status: 400 (model_error)\nErrorCode: content_filter", "content-filtered"),
    # a 404 whose text shows a path problem is not a missing model
    ("openai.NotFoundError: 404 <html>\n<head><title>404 Not Found</title></head>\n<body>\n<center><h1>404 Not "
     "Found</h1></center>\n<hr><center>nginx</center>", "base-url-invalid"),
    ("GET /v1/models -> 404 page not found", "models-list-unavailable"),
])
def test_other_clients_and_servers_wording(text, code):
    assert explain(text).diagnosis.code == code


def test_several_errors_name_the_first_and_list_the_others():
    paste = ("Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>\n    client = OpenAI()\n"
             "TypeError: Client.__init__() got an unexpected keyword argument 'proxies'\n\n(later, on another machine)\n"
             "openai.RateLimitError: Error code: 429 - {'error': {'message': 'You exceeded your current quota, please "
             "check your plan and billing details.', 'type': 'insufficient_quota', 'code': 'insufficient_quota'}}\n")
    found = explain(paste)
    assert found.diagnosis.code == "sdk-httpx-incompatible"
    assert [d.code for d in found.others] == ["quota-exhausted"]
    done = doctor_cli("explain", paste)
    assert done.stdout.startswith("sdk-httpx-incompatible") and "The others: quota-exhausted" in done.stdout


def test_a_chained_traceback_is_one_error_not_several():
    from tests.explain_corpus import TRACEBACK_TLS

    found = explain(TRACEBACK_TLS)
    assert found.diagnosis.code == "tls-error" and found.others == []


@pytest.mark.parametrize("text,also", [
    ("openai.RateLimitError: Error code: 429 - Too Many Requests", {"quota-exhausted", "request-too-large"}),
    ("openai.NotFoundError: Error code: 404", {"base-url-invalid"}),
    ("Error: 401 status code (no body)", {"key-shadowed", "key-wrong-provider"}),
    ("HTTP 403 Forbidden from gateway", {"region-unsupported", "org-verification-required"}),
])
def test_a_status_and_the_sdks_name_for_it_are_never_high(text, also):
    """A status and its exception class are one clue; it stands for several causes, all listed."""
    found = explain(text)
    assert found.confidence in ("medium", "low")
    assert also <= {d.code for d in found.alternatives}
