"""Live checks against the API: the key works, the model exists, the rate limits, JSON mode
and the latency. They share a handful of requests (see checks/probes.py)."""

from __future__ import annotations

import difflib
import json
import math
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from checks import guide
from checks.classify import diagnose
from checks.probes import first_message, json_completion, list_models, tiny_completion, total_tokens
from checks.ratelimit import parse_limits
from doctor.http import Failure, Reply
from doctor.model import Finding, Fix, Result, Status, check, from_findings, passed, skipped

if TYPE_CHECKING:
    from doctor.context import Context

LOW_HEADROOM = 0.1
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S | re.I)


def _from(finding: Finding, **extra) -> Result:
    return from_findings([finding], "", **extra)


@check(
    "api-auth",
    title="API key accepted",
    group="Connection",
    codes=("network-unreachable", "tls-error", "proxy-error", "unexpected-response", "auth-invalid-key",
           "auth-forbidden", "region-unsupported", "server-error", "models-list-unavailable"),
    needs=("key-format",),
    live=True,
    timeout=5,
)
async def api_auth(ctx: Context) -> Result:
    """What it checks: `GET {base_url}/models` with the key succeeds.

    Why it fails: no network, DNS or TLS trouble (often a company proxy), a proxy that
    fails, a captive portal answering instead of the API, a revoked or wrong-provider key
    (401), a forbidden project or region (403), or the provider is down (5xx).

    How to fix: follow the fix for the exact cause shown; for a 401, create a new key and
    put it in .env.
    """
    chosen = ctx.base_url
    host = urlsplit(chosen.value.strip()).hostname
    if ctx.flags.untrusted and chosen.source == ".env":
        return skipped(f"--untrusted: the base URL ({host}) comes from the project's .env line {chosen.line}, so the "
                       "key is not sent there; pass --base-url URL to test that server on purpose")
    outcome = await list_models(ctx)
    if isinstance(outcome, Reply) and outcome.status == 404 and host != "api.openai.com":
        return Result(Status.WARN, f"{host} has no /models endpoint, so the key could not be tested on its own",
                      code="models-list-unavailable", details=("The completion checks below still test it.",))
    problem = diagnose(ctx, outcome)
    if problem:
        return _from(problem)
    models = _model_ids(outcome)
    return passed(f"the key works: {host} listed {len(models)} models in {outcome.elapsed:.2f} s")


def _model_ids(outcome: Reply | Failure) -> list[str]:
    data = outcome.json() if isinstance(outcome, Reply) else None
    rows = data.get("data") if isinstance(data, dict) else None
    return [row["id"] for row in rows or [] if isinstance(row, dict) and isinstance(row.get("id"), str)]


@check("model-access", title="Model available", group="Connection", codes=("model-not-found",),
       needs=("api-auth",), live=True, timeout=5)
async def model_access(ctx: Context) -> Result:
    """What it checks: the configured model (--model, OPENAI_MODEL, [tool.llm-doctor], else
    gpt-4o-mini) is in the list of models the key can use.

    Why it fails: a typo, a retired model, another provider's model name, or a project
    that is not allowed to use that model.

    How to fix: use one of the listed names; the closest ones are suggested.
    """
    models = _model_ids(await list_models(ctx))
    if not models:
        return Result(Status.WARN, f"cannot confirm {ctx.model!r}: the server did not list its models",
                      code="models-list-unavailable")
    if ctx.model in models:
        return passed(f"{ctx.model} is available")
    close = difflib.get_close_matches(ctx.model, models, n=3, cutoff=0.4)
    hint = f"; closest: {', '.join(close)}" if close else ""
    return Result(Status.FAIL, f"{ctx.model!r} is not among the {len(models)} models this key can use{hint}",
                  code="model-not-found",
                  fix=Fix("Use a model name from the list (pass --model or set OPENAI_MODEL).",
                          steps=tuple(f"Try {name}" for name in close), guide=guide.PARAMETER_REFERENCE))


@check("timeout", title="Latency and timeout", group="Connection", codes=("timeout-exceeded", "timeout-tight"),
       needs=("model-access",), live=True, timeout=5)
async def timeout(ctx: Context) -> Result:
    """What it checks: a small completion finishes well inside the timeout your code uses
    (--timeout, default 30 s as in the guide's worked example).

    Why it fails: a slow model, a slow network or a proxy makes requests take longer
    than the timeout, and the SDK raises APITimeoutError (and, by default, retries).

    How to fix: raise the timeout to about three times the measured latency, or stream.
    """
    outcome = await tiny_completion(ctx)
    limit = ctx.timeout
    if isinstance(outcome, Failure) and outcome.kind == "timeout":
        return _from(diagnose(ctx, outcome))
    if isinstance(outcome, Failure):
        return Result(Status.SKIP, "no latency measured: the request failed (see rate-limit-headers)")
    took = outcome.elapsed
    advice = max(int(math.ceil(took * 3 / 5.0) * 5), 10)
    if took > limit / 2:
        return Result(Status.WARN, f"a one-token reply took {took:.2f} s, more than half of your {limit:g} s timeout",
                      code="timeout-tight",
                      fix=Fix(f"Raise the timeout to about {advice} s: OpenAI(timeout={advice}.0).",
                              steps=("Longer prompts and replies take longer than this small probe.",
                                     "Stream long replies so output arrives before the timeout."),
                              guide=guide.TROUBLESHOOTING))
    return passed(f"a one-token reply took {took:.2f} s; your timeout is {limit:g} s")


@check("rate-limit-headers", title="Rate limits and quota", group="API behaviour",
       codes=("rate-limited", "quota-exhausted", "rate-limit-headers-missing", "rate-limit-low-headroom"),
       needs=("model-access",), live=True, timeout=5, spends_tokens=True)
async def rate_limit_headers(ctx: Context) -> Result:
    """What it checks: one tiny completion (max_tokens=1) succeeds, and its x-ratelimit-*
    headers leave headroom.

    Why it fails: a 429 with insufficient_quota means the account has no credit (waiting
    will not help); any other 429 means too many requests or tokens per minute.

    How to fix: add credit for quota errors; back off and retry for rate limits.
    """
    outcome = await tiny_completion(ctx)
    problem = diagnose(ctx, outcome)
    if problem:
        limits = parse_limits(outcome.headers) if isinstance(outcome, Reply) else []
        return _from(problem, details=[limit.describe() for limit in limits])
    tokens = total_tokens(outcome)
    limits = parse_limits(outcome.headers)
    shown = [limit.describe() for limit in limits]
    if not limits:
        return Result(Status.WARN, "the server sends no x-ratelimit-* headers, so headroom is unknown",
                      code="rate-limit-headers-missing", tokens_used=tokens,
                      details=("Many OpenAI-compatible servers send none; that is not an error.",))
    low = [limit for limit in limits if limit.headroom is not None and limit.headroom < LOW_HEADROOM]
    if low:
        return Result(Status.WARN, f"little headroom left: {'; '.join(limit.describe() for limit in low)}",
                      code="rate-limit-low-headroom", tokens_used=tokens, details=tuple(shown),
                      fix=Fix("Space out requests, or ask for a higher limit tier.", guide=guide.TROUBLESHOOTING))
    return Result(Status.PASS, "; ".join(shown), tokens_used=tokens)


@check("json-mode", title="JSON mode", group="API behaviour",
       codes=("json-word-missing", "json-invalid", "json-mode-unsupported"),
       needs=("model-access",), live=True, timeout=5, spends_tokens=True)
async def json_mode(ctx: Context) -> Result:
    """What it checks: a completion with response_format={"type": "json_object"} returns a
    reply that json.loads() accepts.

    Why it fails: the reply is wrapped in prose or ``` fences (JSONDecodeError: Expecting
    value), the prompt lacks the word JSON (a 400), or the model or server does not
    support JSON mode.

    How to fix: use response_format json_object, say "JSON" in the prompt, and parse
    defensively.
    """
    outcome = await json_completion(ctx)
    problem = diagnose(ctx, outcome)
    if problem:
        return _from(problem)
    tokens = total_tokens(outcome)
    content = first_message(outcome).get("content")
    try:
        json.loads(content or "")
        return Result(Status.PASS, "the reply parsed as JSON", tokens_used=tokens)
    except ValueError:
        pass
    fenced = bool(_FENCE.match(content or ""))
    how = "wrapped in a ``` code fence" if fenced else "not valid JSON"
    return Result(Status.FAIL, f"with JSON mode on, the reply is {how}", code="json-invalid", tokens_used=tokens,
                  details=(f"reply: {ctx.redactor.excerpt(content, 160) if content is not None else '(empty)'}",),
                  fix=Fix("Parse defensively: strip code fences before json.loads(), and catch JSONDecodeError.",
                          steps=('Keep response_format={"type": "json_object"} and ask for JSON explicitly.',
                                 "Check finish_reason: a 'length' stop cuts JSON in half."),
                          guide=guide.TROUBLESHOOTING))
