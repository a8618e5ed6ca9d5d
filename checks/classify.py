"""Turns what a probe got back into a diagnosis, on structure first: the HTTP status, the
error's `type` and `code`, headers, and the kind of transport failure. Message text is
only a last resort, because it differs between servers and SDK versions.

Every live check calls `diagnose`, so a 401 seen by json-mode is still auth-invalid-key.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from checks import guide
from checks.providers import OPENAI_HOST, provider_of_host, provider_of_key
from doctor.http import PROXY_VARIABLES, Failure, Outcome, Reply
from doctor.model import Finding, Fix, Status

if TYPE_CHECKING:
    from doctor.context import Context

QUOTA_CODES = {"insufficient_quota", "credit_balance_exhausted"}
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)


def _fix(summary: str, *steps: str, commands: tuple[str, ...] = (), guide_section: str = guide.TROUBLESHOOTING,
         links: tuple[str, ...] = ()) -> Fix:
    return Fix(summary, steps=steps, commands=commands, links=links, guide=guide_section)


def _fail(code: str, message: str, fix: Fix, status: Status = Status.FAIL, *details: str) -> Finding:
    return Finding(status, code, message, fix, tuple(details))


def diagnose(ctx: Context, outcome: Outcome) -> Finding | None:
    """The problem this outcome shows, or None for a usable 2xx JSON answer."""
    if isinstance(outcome, Failure):
        return _transport(ctx, outcome)
    if 300 <= outcome.status < 400:
        target = urlsplit(outcome.headers.get("location", "")).hostname or "another address"
        return _fail("unexpected-response", f"the server redirects to {target}; the doctor does not follow "
                                            "redirects with your key",
                     _fix("Use the final URL as OPENAI_BASE_URL, if you trust it.", guide_section=guide.RAW_HTTP))
    if 200 <= outcome.status < 300:
        return _not_the_api(ctx, outcome)
    return _status(ctx, outcome)


def _not_the_api(ctx: Context, reply: Reply) -> Finding | None:
    if reply.json() is not None and "html" not in reply.content_type:
        return None
    excerpt = ctx.redactor.excerpt
    title = _TITLE.search(reply.body)
    what = f"an HTML page titled {excerpt(title.group(1).decode('utf-8', 'replace'), 80)!r}" if title else \
        f"{excerpt(reply.content_type, 60) or 'a body'} that is not JSON"
    return _fail("unexpected-response", f"the server answered with {what}, not the API",
                 _fix("Something between you and the API answered instead: a captive portal, a proxy login "
                      "page or a wrong base URL.",
                      "Open any web page in a browser to pass a hotel or office login page.",
                      "Check OPENAI_BASE_URL and your proxy settings.", guide_section=guide.RAW_HTTP),
                 Status.FAIL, f"first bytes: {excerpt(reply.text(), 120)}")


def _transport(ctx: Context, failure: Failure) -> Finding:
    host = urlsplit(ctx.base_url.value.strip()).hostname
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
                          "Point SSL_CERT_FILE at the company's CA bundle (a .pem file); httpx and the openai SDK "
                          "read SSL_CERT_FILE and SSL_CERT_DIR, not REQUESTS_CA_BUNDLE.",
                          commands=("export SSL_CERT_FILE=/path/to/company-ca.pem",), guide_section=guide.RAW_HTTP),
                     Status.FAIL, ctx.redactor.excerpt(failure.detail))
    if failure.kind == "proxy":
        names = [n for n in PROXY_VARIABLES + ("NO_PROXY", "no_proxy") if ctx.shell.get(n)]
        return _fail("proxy-error", f"the proxy failed ({', '.join(names) or 'a proxy'} is set)",
                     _fix("Correct or unset the proxy variables, or ask IT for the right proxy.",
                          "Check the spelling of the variable names and the proxy's host and port.",
                          guide_section=guide.RAW_HTTP), Status.FAIL, ctx.redactor.excerpt(failure.detail))
    if failure.kind == "timeout":
        return _fail("timeout-exceeded", f"no answer from {host} within your {ctx.timeout:g} s timeout",
                     _fix(f"Raise the timeout (for example timeout={max(60, int(ctx.timeout * 2))}) or use a "
                          "faster model; stream long replies.", guide_section=guide.TROUBLESHOOTING))
    if failure.kind == "url":
        return _fail("base-url-invalid", f"the base URL cannot be requested: {ctx.redactor.excerpt(failure.detail)}",
                     _fix("Set OPENAI_BASE_URL to a full https:// URL, or unset it."))
    if failure.kind == "header":
        return _fail("key-whitespace", failure.detail,
                     _fix("Paste the key again, with no spaces, newlines or curly quotes.", guide_section=guide.SETUP))
    what = {"dns": f"the name {host} cannot be resolved (DNS)", "refused": f"{host} refused the connection",
            "connect": f"cannot connect to {host}"}.get(failure.kind, f"the connection to {host} broke")
    code = "network-unreachable" if failure.kind in ("dns", "refused", "connect") else "unexpected-response"
    return _fail(code, what, _fix("Check your internet connection, the base URL and any firewall.",
                                  "Try the same URL in a browser or with curl.", guide_section=guide.RAW_HTTP),
                 Status.FAIL, ctx.redactor.excerpt(failure.detail))


def _status(ctx: Context, reply: Reply) -> Finding:
    error = reply.error()
    code, kind = str(error.get("code") or ""), str(error.get("type") or "")
    said = ctx.redactor.excerpt(error.get("message") or reply.text())
    status = reply.status
    if status == 401:
        return _unauthorized(ctx, code, said)
    if status == 402 or (status == 429 and (code in QUOTA_CODES or kind in QUOTA_CODES)):
        return _fail("quota-exhausted", "the account has no credit left; waiting will not help",
                     _fix("Add credit (or raise the spending limit) in the provider's billing page.",
                          "New accounts need prepaid credit before the first call works.",
                          "A new key will not help: the quota belongs to the account.",
                          links=("https://platform.openai.com/settings/organization/billing",)),
                     Status.FAIL, said)
    if status == 429:
        wait = reply.headers.get("retry-after") or reply.headers.get("retry-after-ms", "")
        when = f"; the server asks to retry after {wait} s" if reply.headers.get("retry-after") else ""
        return _fail("rate-limited", f"rate limited: too many requests or tokens per minute{when}",
                     _fix("Slow down and retry with exponential backoff, as the guide's worked example does.",
                          "Wait a little longer after each 429 (1.5 s, 2.5 s, 4.5 s...).",
                          "Never retry in a tight loop; batch or queue the work instead.",
                          guide_section=guide.WORKED_EXAMPLE), Status.FAIL, said)
    if status == 403:
        if code == "unsupported_country_region_territory":
            return _fail("region-unsupported", "the API is not available in your country or region",
                         _fix("This cannot be fixed in code; see the provider's list of supported countries."),
                         Status.FAIL, said)
        if code == "model_not_found":
            return _model_missing(ctx, said)
        return _fail("auth-forbidden", f"the key may not do this (403): {said}",
                     _fix("Check the key's permissions and the project's allowed models in the dashboard."))
    if status == 404:
        if code == "model_not_found":
            return _model_missing(ctx, said)
        return _fail("base-url-invalid", f"404 from {ctx.base_url.value.strip()}: the base URL looks wrong",
                     _fix("Use the provider's base URL, ending in its API version (e.g. https://api.openai.com/v1)."),
                     Status.FAIL, said)
    if status == 400 or status == 422:
        return _bad_request(code, said)
    if status >= 500 or status in (408, 409):
        return _fail("server-error", f"the server failed ({status}); this is on the provider's side",
                     _fix("Retry in a minute and check the provider's status page; keep retries with backoff in "
                          "your code.", guide_section=guide.WORKED_EXAMPLE), Status.FAIL, said)
    return _fail("unexpected-response", f"unexpected HTTP {status}: {said}",
                 _fix("Check the base URL and the provider's documentation.", guide_section=guide.RAW_HTTP))


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
        why = f"this is a {own.name} key, but requests go to {target.name}"
    else:
        why = "the key was rejected: it is revoked, mistyped, or from another account"
    steps = ("Create a new key in the dashboard and paste it into .env as OPENAI_API_KEY=<key>.",
             "Check that no old key in the shell shadows .env (see dotenv-present).")
    if host == OPENAI_HOST:
        steps += ("Keys are at https://platform.openai.com/api-keys.",)
    return _fail("auth-invalid-key", f"401 Unauthorized: {why}", _fix("Use a valid key for this provider.", *steps),
                 Status.FAIL, said)


def _model_missing(ctx: Context, said: str) -> Finding:
    return _fail("model-not-found", f"the model {ctx.model!r} does not exist or this key cannot use it",
                 _fix("Use a model your key can access (see model-access for the closest names).",
                      guide_section=guide.PARAMETER_REFERENCE), Status.FAIL, said)


def _bad_request(code: str, said: str) -> Finding:
    lowered = said.lower()
    if code == "context_length_exceeded" or "maximum context length" in lowered:
        return _fail("context-over-limit", "the request is longer than the model's context window",
                     _fix("Shorten the prompt, summarise long documents, or lower max_tokens."), Status.FAIL, said)
    if "must contain the word 'json'" in lowered:
        return _fail("json-word-missing", "JSON mode needs the word JSON in the messages",
                     _fix('Add an instruction such as "Reply in JSON." to the system or user message.'),
                     Status.FAIL, said)
    if code in ("unsupported_parameter", "unsupported_value"):
        return _fail("param-unsupported", f"the model rejects a parameter: {said}",
                     _fix("Use max_completion_tokens instead of max_tokens, and leave temperature at its default, "
                          "for reasoning models (o-series, gpt-5).", guide_section=guide.PARAMETER_REFERENCE))
    if "response_format" in lowered or "json_object" in lowered:
        return _fail("json-mode-unsupported", "the model or server does not accept response_format json_object",
                     _fix("Ask for JSON in the prompt and validate it yourself, or use a model that supports "
                          "JSON mode.", guide_section=guide.PARAMETER_REFERENCE), Status.FAIL, said)
    return _fail("unexpected-response", f"the API rejected the request (400): {said}",
                 _fix("Read the message; check the model name and the parameters.",
                      guide_section=guide.PARAMETER_REFERENCE))
