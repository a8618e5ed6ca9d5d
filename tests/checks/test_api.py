"""The httpx probes and their classification, with respx answering for the API."""

from __future__ import annotations

import asyncio
import ssl
import time

import httpx
import pytest
import respx

from checks import guide
from checks.api import api_auth, json_mode, model_access, rate_limit_headers, streaming, timeout
from checks.ratelimit import parse_duration, parse_limits
from doctor.http import classify_exception
from doctor.model import Check, Result, Status
from doctor.settings import Flags
from tests.conftest import CANARY_KEY, base_environ, facts, make_ctx, write_project

API = "https://api.openai.com/v1"
MODELS = {"object": "list", "data": [{"id": m, "object": "model"} for m in ("gpt-4o-mini", "gpt-4o", "gpt-4.1-mini")]}
HEADERS = {"x-ratelimit-limit-requests": "500", "x-ratelimit-remaining-requests": "499",
           "x-ratelimit-reset-requests": "120ms", "x-ratelimit-limit-tokens": "200000",
           "x-ratelimit-remaining-tokens": "199990", "x-ratelimit-reset-tokens": "6m0s"}


def streamed(text: str = "1 2 3 4 5", usage: bool = True, done: bool = True) -> bytes:
    """A stream as the real API sends it: one word a chunk, a usage chunk, [DONE]."""
    from doctor.sandbox_replies import stream_events

    counted = {"prompt_tokens": 9, "completion_tokens": 1, "total_tokens": 10} if usage else None
    return b"".join(stream_events("gpt-4o-mini", text.split(), "stop", counted, done=done))


def completions(stream=None, json_reply=None, headers=None):
    """A respx side effect answering the stream probe and the JSON probe each in their own way."""
    import json as jsonlib

    def answer(request):
        body = jsonlib.loads(request.content)
        if body.get("stream"):
            return stream if isinstance(stream, httpx.Response) else \
                httpx.Response(200, content=stream or streamed(), headers={"content-type": "text/event-stream",
                                                                          **(headers or {})})
        return json_reply if isinstance(json_reply, httpx.Response) else \
            httpx.Response(200, json=json_reply or reply('{"ok": true}'), headers=headers or {})

    return answer


def reply(content: str = "OK", finish: str = "stop") -> dict:
    return {"choices": [{"message": {"role": "assistant", "content": content}, "finish_reason": finish}],
            "usage": {"prompt_tokens": 9, "completion_tokens": 1, "total_tokens": 10}}


def error(message: str, type_: str = "invalid_request_error", code: str | None = None) -> dict:
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


def live(tmp_path, *checks: Check, key: str = CANARY_KEY, base_url: str = API, user_timeout: float = 30.0,
         model: str | None = None, **extra_env: str) -> list[Result]:
    """Runs live checks in one loop, as the runner would, and closes the client."""
    project = write_project(tmp_path, env=f"OPENAI_API_KEY={key}\n")
    environ = {k: v for k, v in base_environ().items() if "PROXY" not in k}
    environ.update(extra_env)
    ctx = make_ctx(project, environ=environ, interpreter=facts(project),
                   flags=Flags(base_url=base_url, timeout=user_timeout, model=model))

    async def go():
        try:
            return [ctx.redactor.redact_result(await c(ctx)) for c in checks]
        finally:
            await ctx.aclose()

    return asyncio.run(go())


@pytest.fixture
def api():
    with respx.mock(base_url=API, assert_all_called=False) as mock:
        yield mock


# --- api-auth ----------------------------------------------------------------------------

def test_auth_passes(api, tmp_path):
    api.get("/models").respond(200, json=MODELS)
    [result] = live(tmp_path, api_auth)
    assert result.status is Status.PASS and "3 models" in result.message
    assert api.calls.last.request.headers["authorization"] == f"Bearer {CANARY_KEY}"


def test_revoked_key(api, tmp_path):
    api.get("/models").respond(401, json=error(f"Incorrect API key provided: {CANARY_KEY}.", code="invalid_api_key"))
    [result] = live(tmp_path, api_auth)
    assert (result.status, result.code) == (Status.FAIL, "auth-invalid-key")
    assert "revoked" in result.message
    assert CANARY_KEY not in " ".join(result.details)


def test_other_providers_key_gets_its_own_explanation(api, tmp_path):
    api.get("/models").respond(401, json=error("Incorrect API key provided", code="invalid_api_key"))
    [result] = live(tmp_path, api_auth, key="gsk_" + "Ab3De6Gh9Jk2Mn5Pq8St1Vw4Yz7Bc0Ef3Hi6Kl9No2Qr5Tu8Wx1Za4")
    assert result.code == "auth-invalid-key" and "Groq key" in result.message


def test_region_unsupported(api, tmp_path):
    api.get("/models").respond(403, json=error("Country, region, or territory not supported",
                                               "request_forbidden", "unsupported_country_region_territory"))
    assert live(tmp_path, api_auth)[0].code == "region-unsupported"


def test_forbidden(api, tmp_path):
    api.get("/models").respond(403, json=error("You are not allowed to do this", "invalid_request_error"))
    assert live(tmp_path, api_auth)[0].code == "auth-forbidden"


@pytest.mark.parametrize("status,body", [(500, {"error": {"message": "boom", "type": "server_error"}}),
                                         (502, b"<html><title>502 Bad Gateway</title></html>"),
                                         (503, b"upstream connect error")])
def test_server_errors(api, tmp_path, status, body):
    if isinstance(body, bytes):
        api.get("/models").respond(status, content=body, headers={"content-type": "text/html"})
    else:
        api.get("/models").respond(status, json=body)
    assert live(tmp_path, api_auth)[0].code == "server-error"


def test_captive_portal_html(api, tmp_path):
    api.get("/models").respond(200, content=b"<html><head><title>Hotel WiFi</title></head></html>",
                               headers={"content-type": "text/html"})
    result = live(tmp_path, api_auth)[0]
    assert result.code == "unexpected-response" and "Hotel WiFi" in result.message


def test_invalid_json_body(api, tmp_path):
    api.get("/models").respond(200, content=b'{"data": [', headers={"content-type": "application/json"})
    assert live(tmp_path, api_auth)[0].code == "unexpected-response"


def test_redirect_is_not_followed(api, tmp_path):
    api.get("/models").respond(302, headers={"location": "https://elsewhere.example/v1/models"})
    result = live(tmp_path, api_auth)[0]
    assert result.code == "unexpected-response" and "elsewhere.example" in result.message
    assert len(api.calls) == 1


@pytest.mark.parametrize("exc,code", [
    (httpx.ConnectError("[Errno -2] Name or service not known"), "network-unreachable"),
    (httpx.ConnectError("[Errno 111] Connection refused"), "network-unreachable"),
    (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in "
                        "certificate chain"), "tls-error"),
    (httpx.ProxyError("407 Proxy Authentication Required"), "proxy-error"),
    (httpx.ReadTimeout("timed out"), "timeout-exceeded"),
    (httpx.ConnectTimeout("timed out"), "network-unreachable"),
    (httpx.RemoteProtocolError("Server disconnected without sending a response."), "unexpected-response"),
])
def test_transport_failures(api, tmp_path, exc, code):
    api.get("/models").mock(side_effect=exc)
    result = live(tmp_path, api_auth)[0]
    assert (result.status, result.code) == (Status.FAIL, code)


def test_tls_error_found_in_the_cause_chain():
    """httpx wraps the ssl error twice; the classifier walks the causes (respx would drop them)."""
    try:
        try:
            raise ssl.SSLCertVerificationError("unable to get local issuer certificate")
        except ssl.SSLError as cause:
            raise httpx.ConnectError("handshake failed") from cause
    except httpx.ConnectError as error:
        assert classify_exception(error, proxy=None)[0] == "tls"


def test_missing_v1_gives_a_404(api, tmp_path):
    api.get("/models").respond(404, json=error("Invalid URL (GET /v1/v1/models)"))
    assert live(tmp_path, api_auth)[0].code == "base-url-invalid"


def test_a_server_without_models_endpoint_warns():
    with respx.mock(base_url="https://llm.example.com/v1") as mock:
        mock.get("/models").respond(404, text="404 page not found")
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as tmp:
            result = live(Path(tmp), api_auth, base_url="https://llm.example.com/v1")[0]
    assert (result.status, result.code) == (Status.WARN, "models-list-unavailable")


# --- model-access ------------------------------------------------------------------------

def test_model_available(api, tmp_path):
    api.get("/models").respond(200, json=MODELS)
    assert live(tmp_path, model_access)[0].status is Status.PASS


def test_model_not_found_suggests_the_closest(api, tmp_path):
    api.get("/models").respond(200, json=MODELS)
    api.post("/chat/completions").respond(404, json=error("The model `gpt-4o-mni` does not exist or you do not have "
                                                          "access to it.", code="model_not_found"))
    result = live(tmp_path, model_access, model="gpt-4o-mni")[0]
    assert (result.status, result.code) == (Status.FAIL, "model-not-found")
    assert "closest: gpt-4o-mini" in result.message


def test_models_are_listed_once_for_both_checks(api, tmp_path):
    route = api.get("/models").respond(200, json=MODELS)
    live(tmp_path, api_auth, model_access)
    assert route.call_count == 1


# --- rate-limit-headers and timeout share one tiny completion ------------------------------

def test_headers_parsed_and_tokens_counted_once(api, tmp_path):
    route = api.post("/chat/completions").mock(side_effect=completions(headers=HEADERS))
    rate, latency, stream = live(tmp_path, rate_limit_headers, timeout, streaming)
    assert rate.status is Status.PASS and "tokens: 199990/200000 left, resets in 6m0s" in rate.message
    assert rate.tokens_used + stream.tokens_used == 10 and latency.status is Status.PASS
    assert route.call_count == 1  # one streamed completion answers all three
    assert b'"stream":true' in route.calls.last.request.content.replace(b" ", b"")


def test_missing_headers_warn(api, tmp_path):
    api.post("/chat/completions").respond(200, json=reply())
    assert live(tmp_path, rate_limit_headers)[0].code == "rate-limit-headers-missing"


def test_low_headroom_warns(api, tmp_path):
    api.post("/chat/completions").respond(200, json=reply(),
                                          headers={**HEADERS, "x-ratelimit-remaining-requests": "3"})
    assert live(tmp_path, rate_limit_headers)[0].code == "rate-limit-low-headroom"


@pytest.mark.parametrize("body", [error("You exceeded your current quota", "insufficient_quota", "insufficient_quota"),
                                  error("You have no credits remaining", "invalid_request_error",
                                        "credit_balance_exhausted")])
def test_quota_exhausted(api, tmp_path, body):
    api.post("/chat/completions").respond(429, json=body)
    result = live(tmp_path, rate_limit_headers)[0]
    assert result.code == "quota-exhausted" and "waiting will not help" in result.message


def test_402_is_quota_too(api, tmp_path):
    api.post("/chat/completions").respond(402, json={"error": {"message": "Insufficient Balance"}})
    assert live(tmp_path, rate_limit_headers)[0].code == "quota-exhausted"


def test_rate_limited_shows_retry_after(api, tmp_path):
    api.post("/chat/completions").respond(429, json=error("Rate limit reached", "requests", "rate_limit_exceeded"),
                                          headers={"retry-after": "20", **HEADERS})
    result = live(tmp_path, rate_limit_headers)[0]
    assert result.code == "rate-limited" and "20 s" in result.message
    assert result.fix.guide == guide.WORKED_EXAMPLE


def test_tight_timeout(api, tmp_path):
    def slow(request):
        time.sleep(0.3)
        return httpx.Response(200, json=reply(), headers=HEADERS)

    api.post("/chat/completions").mock(side_effect=slow)
    result = live(tmp_path, timeout, user_timeout=0.5)[0]
    assert (result.status, result.code) == (Status.WARN, "timeout-tight")


def test_timeout_exceeded(api, tmp_path):
    api.post("/chat/completions").mock(side_effect=httpx.ReadTimeout("timed out"))
    result = live(tmp_path, timeout, user_timeout=2)[0]
    assert (result.status, result.code) == (Status.FAIL, "timeout-exceeded")


# --- json-mode ---------------------------------------------------------------------------

def test_json_mode_passes(api, tmp_path):
    route = api.post("/chat/completions").respond(200, json=reply('{"ok": true}'))
    assert live(tmp_path, json_mode)[0].status is Status.PASS
    assert b'"json_object"' in route.calls.last.request.content


def test_fenced_json_is_invalid(api, tmp_path):
    api.post("/chat/completions").respond(200, json=reply('Sure! ```json\n{"ok": true}\n```'))
    result = live(tmp_path, json_mode)[0]
    assert (result.status, result.code) == (Status.FAIL, "json-invalid")
    assert "reply: Sure!" in result.details[0]


def test_json_word_missing(api, tmp_path):
    api.post("/chat/completions").respond(400, json=error(
        "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'."))
    assert live(tmp_path, json_mode)[0].code == "json-word-missing"


def test_json_mode_unsupported(api, tmp_path):
    api.post("/chat/completions").respond(400, json=error("response_format is not supported by this model"))
    assert live(tmp_path, json_mode)[0].code == "json-mode-unsupported"


def test_a_401_seen_by_json_mode_is_still_auth(api, tmp_path):
    api.post("/chat/completions").respond(401, json=error("Incorrect API key provided", code="invalid_api_key"))
    assert live(tmp_path, json_mode)[0].code == "auth-invalid-key"


# --- header parsing ----------------------------------------------------------------------

@pytest.mark.parametrize("text,seconds", [("6m0s", 360), ("1s", 1), ("20ms", 0.02), ("9.816s", 9.816),
                                          ("1h2m3.5s", 3723.5), ("17", 17), ("soon", None), ("", None)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == (pytest.approx(seconds) if seconds is not None else None)


def test_parse_limits_without_headers():
    assert parse_limits({}) == []


@pytest.mark.parametrize("proxy,says", [
    ("http://bob:p@ss#w0rd-Secret1@127.0.0.1:3128", "must be percent-encoded"),
    ("http://bob:p/ss-Secret1@127.0.0.1:3128", "must be percent-encoded"),
    ("127.0.0.1:3128", "has no scheme"),
    ("ftp://127.0.0.1:3128", "does not support"),
])
def test_a_proxy_the_sdk_cannot_use_is_named_and_nothing_is_sent(tmp_path, api, proxy, says):
    route = api.get("/models").respond(200, json=MODELS)
    [result] = live(tmp_path, api_auth, HTTPS_PROXY=proxy)
    assert result.code == "proxy-error" and says in result.message and "HTTPS_PROXY" in result.message
    assert "w0rd" not in repr(result) and "Secret1" not in repr(result) and "key-missing" not in repr(result)
    assert not route.called


def test_a_ca_file_that_does_not_exist_is_a_tls_finding(tmp_path, api):
    api.get("/models").respond(200, json=MODELS)
    [result] = live(tmp_path, api_auth, SSL_CERT_FILE=str(tmp_path / "missing.pem"))
    assert result.code == "tls-error" and "SSL_CERT_FILE" in result.message


# --- replies from servers other than OpenAI are classified by what they say ---------------------------

@pytest.mark.parametrize("status,body,code", [
    (401, {"detail": "Invalid API key"}, "auth-invalid-key"),  # a FastAPI gateway
    (401, {"error": "Unauthorized"}, "auth-invalid-key"),  # vLLM with --api-key
    (401, error("Authentication Error, Invalid proxy server token passed.", "auth_error", "401"), "auth-invalid-key"),
    (400, error("/chat/completions: Invalid model name passed in model=gpt-4o-mini. Call `/v1/models` to view "
                "available models for your key.\nReceived Model Group=gpt-4o-mini", "None", "400"), "model-not-found"),
    (400, error("The model `gpt-4o-mini` does not exist.", "NotFoundError", "model_not_found"), "model-not-found"),
    (404, {"error": {"message": "The model `gpt-4o-mini` does not exist.", "type": "NotFoundError", "code": 404}},
     "model-not-found"),
    (429, error("litellm.RateLimitError: Rate limit reached", "None", "429"), "rate-limited"),
    (400, {"error": {"code": 400, "message": "request (300 tokens) exceeds the available context size (256 tokens), "
                     "try increasing it", "type": "exceed_context_size_error"}}, "context-over-limit"),
    (503, {"error": {"message": "Loading model", "type": "unavailable_error", "code": 503}}, "server-error"),
])
def test_error_shapes_from_real_servers(api, tmp_path, status, body, code):
    api.post("/chat/completions").respond(status, json=body)
    assert live(tmp_path, json_mode)[0].code == code


def test_the_wait_is_read_from_retry_after_ms_in_milliseconds(api, tmp_path):
    api.post("/chat/completions").respond(429, json=error("slow down", "requests", "rate_limit_exceeded"),
                                          headers={"retry-after-ms": "1500", "retry-after": "2"})
    assert "wait 1.5 s" in live(tmp_path, rate_limit_headers)[0].message


# --- a check that did not get a good reply does not pass ---------------------------------------------

@pytest.mark.parametrize("status", [429, 500, 400, 404])
def test_latency_is_never_judged_on_a_failed_reply(api, tmp_path, status):
    api.post("/chat/completions").respond(status, content=b"")
    result = live(tmp_path, timeout, user_timeout=1)[0]
    assert result.status is Status.SKIP and "no latency measured" in result.message


def test_a_json_reply_cut_at_the_doctors_cap_is_inconclusive_not_invalid(api, tmp_path):
    api.post("/chat/completions").respond(200, json=reply('{"ok": tr', finish="length"))
    result = live(tmp_path, json_mode)[0]
    assert (result.status, result.code) == (Status.WARN, "probe-inconclusive")


# --- models ---------------------------------------------------------------------------------------

def test_a_model_answered_but_not_listed_is_a_warning(api, tmp_path):
    api.get("/models").respond(200, json={"data": [{"id": "other-model"}]})
    api.post("/chat/completions").mock(side_effect=completions())
    result = live(tmp_path, model_access)[0]
    assert (result.status, result.code) == (Status.WARN, "model-not-listed")


def test_no_model_configured_on_another_host_is_said_not_guessed(api, tmp_path):
    with respx.mock(base_url="http://127.0.0.1:8080/v1", assert_all_called=False) as local:
        local.get("/models").respond(200, json={"data": [{"id": "llama-3.1-8b"}, {"id": "qwen2.5-7b"}]})
        route = local.post("/chat/completions").mock(side_effect=completions())
        access, stream = live(tmp_path, model_access, streaming, base_url="http://127.0.0.1:8080/v1")
    assert access.code == "model-not-chosen" and "llama-3.1-8b" in access.message
    assert stream.status is Status.SKIP and not route.called


def test_the_fix_for_a_missing_model_says_where_the_model_is_chosen(api, tmp_path):
    api.get("/models").respond(200, json=MODELS)
    api.post("/chat/completions").respond(404, json=error("The model `x` does not exist", code="model_not_found"))
    fix = live(tmp_path, model_access, model="gpt-4o-mni")[0].fix
    assert "chat.completions.create" in fix.summary and any("never reads OPENAI_MODEL" in s for s in fix.steps)


# --- streaming ------------------------------------------------------------------------------------

@pytest.mark.parametrize("body,content_type,code", [
    (streamed(), "text/event-stream", None),
    (streamed(usage=False), "text/event-stream", "stream-nonstandard"),
    (streamed(done=False), "text/event-stream", "stream-nonstandard"),
    (streamed(), "text/plain", "stream-nonstandard"),
    (b'data: {"choices": [{"delta": {"content": "1"\n\n', "text/event-stream", "stream-malformed"),
    (b'data: {"error": {"message": "boom", "type": "server_error"}}\n\n', "text/event-stream", "stream-malformed"),
    (b'{"choices": [{"message": {"content": "1 2 3"}}]}', "application/json", "stream-malformed"),
], ids=["whole", "no-usage", "no-done", "text-plain", "cut-json", "error-event", "json-not-a-stream"])
def test_streams_are_read_as_the_sdk_reads_them(api, tmp_path, body, content_type, code):
    api.post("/chat/completions").respond(200, content=body, headers={"content-type": content_type})
    result = live(tmp_path, streaming)[0]
    assert result.code == code, result


def test_a_refused_stream_option_is_stream_unsupported(api, tmp_path):
    api.post("/chat/completions").respond(400, json=error("stream_options is not supported"))
    assert live(tmp_path, streaming)[0].code == "stream-unsupported"


def test_network_failures_read_as_network_failures(tmp_path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = live(tmp_path, api_auth, base_url=f"http://127.0.0.1:{port}/v1")[0]
    assert result.code == "network-unreachable"
    assert f"nothing is listening on 127.0.0.1:{port}" in result.message
    assert any(f"http://127.0.0.1:{port}/v1/models" in step for step in result.fix.steps)
    assert not any(d.count("Connection refused") > 1 for d in result.details)
