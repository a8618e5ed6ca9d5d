"""Turns what a probe got back into a diagnosis, on structure first: the HTTP status, the
error's `code` and `type` (in whatever shape the server sends them), headers, and the kind of
transport failure. Message wording comes last, through the same rules `explain` uses
(checks/explain.py), because it differs between servers, gateways and SDK versions.

Every live check and the sample call call `diagnose`, so a 401 seen by json-mode is still
auth-invalid-key, wherever the reply came from: OpenAI, vLLM, llama.cpp, Ollama, LiteLLM,
OpenRouter or a FastAPI gateway (`{"detail": "..."}`).
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any, Mapping
from urllib.parse import urlsplit

from checks import guide
from checks.providers import OPENAI_HOST, is_loopback, provider_of_host, provider_of_key
from doctor.http import PROXY_VARIABLES, Failure, Outcome, Reply
from doctor.model import Finding, Fix, Status
from doctor.namedtuples import named_tuple

if TYPE_CHECKING:
    from doctor.context import Context

QUOTA_CODES = {"insufficient_quota", "credit_balance_exhausted", "budget_exceeded"}
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)
# The default ports of local servers, to say which one is not running.
LOCAL_SERVERS = {11434: "Ollama", 1234: "LM Studio", 8000: "vLLM", 8080: "llama.cpp, LocalAI or TGI", 4000: "LiteLLM"}


@named_tuple
class ErrorInfo:
    """An error reply's message, type and code, from any of the shapes servers use."""

    message: str
    type: str
    code: str


def error_info(reply: Reply) -> ErrorInfo:
    """`{"error": {...}}` (code a slug, a number or a numeric string), `{"error": "text"}`, a flat
    `{"object": "error", ...}`, FastAPI's `{"detail": ...}`, `{"message": ...}`, or plain text."""
    data = reply.json()
    if isinstance(data, dict):
        inner: Any = data.get("error")
        if isinstance(inner, dict):
            return ErrorInfo(str(inner.get("message") or ""), _text(inner.get("type")), _text(inner.get("code")))
        if isinstance(inner, str):
            return ErrorInfo(inner, _text(data.get("error_type") or data.get("type")), _text(data.get("code")))
        detail = data.get("detail")
        if detail is not None:
            message = detail if isinstance(detail, str) else str(detail.get("message") or detail) \
                if isinstance(detail, dict) else str(detail)
            return ErrorInfo(message, "", "")
        if "message" in data:
            return ErrorInfo(str(data.get("message") or ""), _text(data.get("type")), _text(data.get("code")))
    return ErrorInfo("", "", "")


def _text(value: Any) -> str:
    return "" if value is None or str(value) in ("None", "null") else str(value)


def retry_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait, from `retry-after-ms` (milliseconds) or `retry-after` (seconds or an HTTP date)."""
    milliseconds = headers.get("retry-after-ms") or headers.get("x-ms-retry-after-ms")
    try:
        if milliseconds is not None:
            return max(float(milliseconds) / 1000, 0.0)
    except ValueError:
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        import email.utils  # an HTTP date is rare, and its module slow to import

        moment = email.utils.parsedate_to_datetime(value) if email.utils.parsedate_tz(value) else None
        return max(moment.timestamp() - time.time(), 0.0) if moment else None


def _fix(summary: str, *steps: str, commands: tuple[str, ...] = (), guide_section: str = guide.TROUBLESHOOTING,
         links: tuple[str, ...] = ()) -> Fix:
    return Fix(summary, steps=steps, commands=commands, links=links, guide=guide_section)


def _fail(code: str, message: str, fix: Fix | None, *details: str, status: Status = Status.FAIL) -> Finding:
    """A finding that carries its own "why this matters", since any live check may see it."""
    from checks.catalogue import CATALOGUE

    cause = CATALOGUE[code].cause if code in CATALOGUE else None
    return Finding(status, code, message, fix, tuple(details), cause=cause)


def diagnose(ctx: Context, outcome: Outcome) -> Finding | None:
    """The problem this outcome shows, or None for a usable 2xx JSON answer."""
    if isinstance(outcome, Failure):
        return _transport(ctx, outcome)
    if 300 <= outcome.status < 400:
        target = urlsplit(outcome.headers.get("location", "")).hostname or "another address"
        return _fail("unexpected-response", f"the server redirects to {ctx.redactor.excerpt(target, 80)}; the "
                     "doctor does not follow redirects with your key",
                     _fix("Use the final URL as OPENAI_BASE_URL, if you trust it.", guide_section=guide.RAW_HTTP))
    if 200 <= outcome.status < 300:
        return _not_the_api(ctx, outcome)
    return _status(ctx, outcome)


def _not_the_api(ctx: Context, reply: Reply) -> Finding | None:
    if reply.content_type == "text/event-stream" or reply.body.lstrip()[:5] in (b"data:", b"event") or \
            reply.body.lstrip()[:1] == b":":
        return None  # a stream: the streaming check reads it as the SDK would
    data = reply.json()
    if data is not None and "html" not in reply.content_type:
        info = error_info(reply)
        if isinstance(data, dict) and (info.message or info.code) and "choices" not in data and "data" not in data:
            status = int(info.code) if info.code.isdigit() and 400 <= int(info.code) < 600 else 500
            return _status(ctx, Reply(status, reply.headers, reply.body, reply.elapsed))  # an error sent with a 200
        return None
    excerpt = ctx.redactor.excerpt
    if reply.truncated:
        what = f"a body larger than the doctor reads ({len(reply.body) // 1024} KB)"
    elif "json" in reply.content_type or reply.body.lstrip()[:1] in (b"{", b"["):
        what = "a JSON body the doctor cannot read (broken, or nested too deeply)"
    else:
        title = _TITLE.search(reply.body)
        what = f"an HTML page titled {excerpt(title.group(1).decode('utf-8', 'replace'), 80)!r}" if title else \
            f"{excerpt(reply.content_type, 60) or 'a body'} that is not JSON"
    return _fail("unexpected-response", f"the server answered with {what}, not the API",
                 _fix("Something between you and the API answered instead: a captive portal, a proxy login "
                      "page or a wrong base URL.",
                      "Open any web page in a browser to pass a hotel or office login page.",
                      "Check OPENAI_BASE_URL and your proxy settings.", guide_section=guide.RAW_HTTP),
                 f"first bytes: {excerpt(reply.text()[:2000], 120)}")


def _curl(ctx: Context) -> str:
    url = ctx.redactor.clean(ctx.base_url.value.strip().rstrip("/"))
    return f'curl -sS "{url}/models" -H "Authorization: Bearer $OPENAI_API_KEY"'


def _transport(ctx: Context, failure: Failure) -> Finding:
    parts = urlsplit(ctx.base_url.value.strip())
    host, port = parts.hostname or "the server", parts.port or (443 if parts.scheme == "https" else 80)
    detail = ctx.redactor.excerpt(failure.detail)
    if failure.setting:
        return _fail(f"{failure.kind}-error" if failure.kind in ("proxy", "tls") else "base-url-invalid",
                     ctx.redactor.excerpt(failure.detail, 300),
                     _fix("Correct the setting named above; the openai SDK cannot use it either, so nothing was sent.",
                          "Percent-encode special characters in a proxy's user name and password.",
                          guide_section=guide.RAW_HTTP))
    if failure.kind == "tls":
        return _fail("tls-error", f"the TLS certificate of {host} could not be verified",
                     _fix("Trust your network's certificate authority, or leave the intercepting network.",
                          "A company proxy that inspects HTTPS presents its own certificate.",
                          "Point SSL_CERT_FILE at the company's CA bundle (a .pem file): export SSL_CERT_FILE= "
                          "followed by its path; httpx and the openai SDK read SSL_CERT_FILE and SSL_CERT_DIR, not "
                          "REQUESTS_CA_BUNDLE.", guide_section=guide.RAW_HTTP),
                     detail)
    if failure.kind == "proxy":
        names = [n for n in PROXY_VARIABLES + ("NO_PROXY", "no_proxy") if ctx.shell.get(n)]
        return _fail("proxy-error", f"the proxy failed ({', '.join(names) or 'a proxy'} is set)",
                     _fix("Correct or unset the proxy variables, or ask IT for the right proxy.",
                          "Check the spelling of the variable names and the proxy's host and port.",
                          guide_section=guide.RAW_HTTP), detail)
    if failure.kind == "timeout":
        if failure.answered:
            what = f"{host} started answering but did not finish within your {ctx.timeout:g} s timeout"
            steps = ("A server or proxy that trickles its answer keeps the SDK waiting: its timeout counts each read, "
                     "not the whole call.",)
        else:
            what = f"{host} accepted the request but sent no answer within your {ctx.timeout:g} s timeout"
            steps = ("Check that the server is up and not stuck (a local server may still be loading the model).",
                     f"Try it yourself: {_curl(ctx)}")
        return _fail("timeout-exceeded", what, _fix("Find out why the server does not answer before raising the "
                                                    "timeout.", *steps, guide_section=guide.TROUBLESHOOTING))
    if failure.kind == "url":
        return _fail("base-url-invalid", f"the base URL cannot be requested: {detail}",
                     _fix("Set OPENAI_BASE_URL to a full https:// URL, or unset it."))
    if failure.kind == "header":
        return _fail("key-whitespace", failure.detail,
                     _fix("Paste the key again, with no spaces, newlines or curly quotes.", guide_section=guide.SETUP))
    return _unreachable(ctx, failure, host, port, detail)


def _unreachable(ctx: Context, failure: Failure, host: str, port: int, detail: str) -> Finding:
    curl = _curl(ctx)
    if failure.kind == "refused" and is_loopback(host):
        server = LOCAL_SERVERS.get(port, "your local server")
        return _fail("network-unreachable", f"nothing is listening on {host}:{port} (is {server} running?)",
                     _fix(f"Start {server}, or correct the port in OPENAI_BASE_URL.",
                          "A local server listens only while it runs; some (Ollama, llama.cpp) listen on 127.0.0.1, "
                          "not on ::1, so try 127.0.0.1 instead of localhost.", f"Try it yourself: {curl}",
                          guide_section=guide.RAW_HTTP), detail)
    what = {"dns": f"the name {host} cannot be resolved (DNS)", "refused": f"{host}:{port} refused the connection",
            "connect": f"cannot connect to {host}:{port}"}.get(failure.kind, f"the connection to {host} broke")
    code = "network-unreachable" if failure.kind in ("dns", "refused", "connect") else "unexpected-response"
    return _fail(code, what, _fix("Check the base URL, your internet connection and any firewall.",
                                  f"Try the same URL yourself: {curl}", guide_section=guide.RAW_HTTP),
                 detail)


def _status(ctx: Context, reply: Reply) -> Finding:
    info = error_info(reply)
    code, kind = info.code, info.type
    said = ctx.redactor.excerpt(info.message or reply.text()[:4000])
    status = reply.status
    from checks.explain import BY_ERROR_CODE, message_code  # explain's rules, loaded once a reply needs them

    structured = (BY_ERROR_CODE.get(code) or BY_ERROR_CODE.get(kind) or (None,))[0]
    worded = message_code(info.message or reply.text()[:4000])
    precise = _precise(ctx, reply, said)
    if precise is not None:
        return precise
    if status == 401 or code == "401" or "auth-invalid-key" in (structured, worded) and status in (400, 403):
        return _unauthorized(ctx, code, said)
    if status == 402 or code in QUOTA_CODES or kind in QUOTA_CODES or worded == "quota-exhausted":
        return _fail("quota-exhausted", "the account has no credit left; waiting will not help",
                     _fix("Add credit (or raise the spending limit) in the provider's billing page.",
                          "New accounts need prepaid credit before the first call works.",
                          "A new key will not help: the quota belongs to the account.",
                          links=("https://platform.openai.com/settings/organization/billing",)), said)
    if status == 429 or code == "429":
        return _rate_limited(reply, said)
    if structured == "model-not-found" or worded == "model-not-found" and status in (400, 403, 404, 500):
        return _model_missing(ctx, said)
    if structured == "context-over-limit" or worded == "context-over-limit":
        return _fail("context-over-limit", "the request is longer than the model's context window",
                     _fix("Shorten the prompt, summarise long documents, or lower max_tokens."), said)
    if status == 403:
        if code == "unsupported_country_region_territory" or worded == "region-unsupported":
            return _fail("region-unsupported", "the API is not available in your country or region",
                         _fix("This cannot be fixed in code; see the provider's list of supported countries."), said)
        return _fail("auth-forbidden", f"the key may not do this (403): {said}",
                     _fix("Check the key's permissions and the project's allowed models in the dashboard."))
    if status == 404:
        return _fail("base-url-invalid", f"404 from {ctx.redactor.clean(ctx.base_url.value.strip())}: the base URL "
                     "looks wrong", _fix("Use the provider's base URL, ending in its API version (e.g. "
                                         "https://api.openai.com/v1)."), said)
    if status in (400, 422):
        return _bad_request(code, said, worded)
    if status >= 500 or status in (408, 409):
        loading = "loading" in said.lower()
        why = "the server is still loading the model" if loading else \
            f"the server failed ({status}); this is on the provider's side"
        return _fail("server-error", why, _fix("Retry in a minute and check the provider's status page; keep retries "
                                               "with backoff in your code.", guide_section=guide.WORKED_EXAMPLE), said)
    return _fail("unexpected-response", f"unexpected HTTP {status}: {said}",
                 _fix("Check the base URL and the provider's documentation.", guide_section=guide.RAW_HTTP))


# Causes a reply shows only in its words or figures, read by explain's rules (one reader for a pasted
# error and a live reply); each with what the live check says.
PRECISE = {
    "request-too-large": "one request asks for more tokens than the whole per-minute limit allows; waiting will "
                         "not help",
    "content-filtered": "the provider's content filter blocked the request",
    "org-verification-required": "the organization must be verified before it may use or stream this model",
    "messages-invalid": "the server rejects the conversation as malformed",
}


def _precise(ctx: Context, reply: Reply, said: str) -> Finding | None:
    from checks.catalogue import CATALOGUE
    from checks.explain import read_reply

    read = read_reply(reply.status, reply.text()[:4000])
    code = read.diagnosis.code if read.diagnosis and read.confidence in ("high", "medium") else None
    if code not in PRECISE:
        return None
    wait = retry_wait(reply.headers)
    futile = (f"the server asks to wait {wait:g} s, which cannot help",) if wait and code == "request-too-large" \
        else ()
    return _fail(code, PRECISE[code], CATALOGUE[code].fix, said, *futile,
                 *(ctx.redactor.excerpt(e, 120) for e in read.evidence[:3]))


def _rate_limited(reply: Reply, said: str) -> Finding:
    from checks.ratelimit import parse_limits

    wait = retry_wait(reply.headers)
    when = f"; the server asks to wait {wait:g} s" if wait is not None else ""
    figures = tuple(limit.describe() for limit in parse_limits(reply.headers))
    return _fail("rate-limited", f"rate limited: too many requests or tokens per minute{when}",
                 _fix("Slow down and retry with exponential backoff, as the guide's worked example does.",
                      "Wait a little longer after each 429 (1.5 s, 2.5 s, 4.5 s...).",
                      "Never retry in a tight loop; batch or queue the work instead.",
                      guide_section=guide.WORKED_EXAMPLE), said, *figures)


def _unauthorized(ctx: Context, code: str, said: str) -> Finding:
    key = ctx.api_key
    value = key.value.strip() if key else ""
    own, host = provider_of_key(value), urlsplit(ctx.base_url.value.strip()).hostname
    target = provider_of_host(host)
    if not value:
        why = "no key was sent"
    elif code == "mismatched_organization":
        why = "OPENAI_ORG_ID or OPENAI_PROJECT_ID does not match the key"
    elif own is not None and target is not None and own is not target:
        why = f"this is {own.article} key, but requests go to {target.name}"
    else:
        why = "the key was rejected: it is revoked, mistyped, or from another account"
    steps = ("Create a new key in the dashboard and paste it into .env as OPENAI_API_KEY=<key>.",
             "Check that no old key in the shell shadows .env (see .env file and key).")
    if host == OPENAI_HOST:
        steps += ("Keys are at https://platform.openai.com/api-keys.",)
    return _fail("auth-invalid-key", f"401 Unauthorized: {why}", _fix("Use a valid key for this provider.", *steps),
                 said)


def _model_missing(ctx: Context, said: str) -> Finding:
    from checks.probes import probe_model

    return _fail("model-not-found", f"the server does not serve the model {probe_model(ctx)!r} to this key",
                 model_fix(ctx), said)


def model_fix(ctx: Context, *suggestions: str) -> Fix:
    """Where the model is chosen: in the code (the SDK never reads OPENAI_MODEL), and for the doctor."""
    return _fix("Use a model the server serves: change model=... where your code calls chat.completions.create.",
                *(f"Try {name}" for name in suggestions),
                "The openai SDK never reads OPENAI_MODEL: the model is whatever your code passes. OPENAI_MODEL "
                "and --model only tell llm-doctor which model to test.", guide_section=guide.PARAMETER_REFERENCE)


def _bad_request(code: str, said: str, worded: str | None) -> Finding:
    if worded == "json-word-missing":
        return _fail("json-word-missing", "JSON mode needs the word JSON in the messages",
                     _fix('Add an instruction such as "Reply in JSON." to the system or user message.'), said)
    if code in ("unsupported_parameter", "unsupported_value") or worded == "param-unsupported":
        return _fail("param-unsupported", f"the model rejects a parameter: {said}",
                     _fix("Use max_completion_tokens instead of max_tokens, and leave temperature at its default, "
                          "for reasoning models (o-series, gpt-5).", guide_section=guide.PARAMETER_REFERENCE))
    if worded == "json-mode-unsupported":
        return _fail("json-mode-unsupported", "the model or server does not accept response_format json_object",
                     _fix("Ask for JSON in the prompt and validate it yourself, or use a model that supports "
                          "JSON mode.", guide_section=guide.PARAMETER_REFERENCE), said)
    return _fail("unexpected-response", f"the API rejected the request (400): {said}",
                 _fix("Read the message; check the model name and the parameters.",
                      guide_section=guide.PARAMETER_REFERENCE))
