"""Live checks against the API: the key works, the model is served, the latency, the rate limits,
streaming and JSON mode. They share a handful of requests (see checks/probes.py), and a check
that did not get a good reply never passes: it reports the reply's problem, or skips, or says
honestly that it could not tell (probe-inconclusive)."""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from checks import guide
from checks.classify import PRECISE, diagnose, error_info, model_fix
from checks.probes import (JSON_MAX_TOKENS, STREAM_MAX_TOKENS, count, first_message, json_completion, list_models,
                           stream_completion, total_tokens)
from checks.providers import OPENAI_HOST
from checks.ratelimit import parse_limits
from checks.stream_read import buffered, cut_note, read_stream
from doctor.http import MAX_BODY_BYTES, Failure, Outcome, Reply
from doctor.model import Finding, Fix, Result, Status, check, from_findings, passed, skipped

if TYPE_CHECKING:
    from checks.code_models import Chosen
    from doctor.context import Context

LOW_HEADROOM = 0.1
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S | re.I)
_ID = re.compile(rb'"id"\s*:\s*"([^"\\]{1,200})"')
NO_MODEL = "no model chosen (see Model available)"


def _from(finding: Finding, **extra: Any) -> Result:
    return from_findings([finding], "", **extra)


def _host(ctx: Context) -> str | None:
    return urlsplit(ctx.base_url.value.strip()).hostname


def model_entries(outcome: Outcome) -> list[dict[str, Any]]:
    """The models a `/models` reply lists: `{"data": [...]}`, a bare list (Together), or, for a list
    cut at the body cap, the ids that could be read."""
    if not isinstance(outcome, Reply) or not 200 <= outcome.status < 300:
        return []
    data = outcome.json()
    rows = data.get("data") if isinstance(data, dict) else data if isinstance(data, list) else None
    if rows is None and outcome.truncated:
        return [{"id": match.decode("utf-8", "replace")} for match in _ID.findall(outcome.body)]
    return [row for row in rows or [] if isinstance(row, dict) and isinstance(row.get("id"), str)]


def _claim_tokens(ctx: Context, probe: str, tokens: int) -> int:
    """A probe's tokens, counted once, by the first check that reports them."""
    claimed = ctx.cache.setdefault("tokens-claimed", set())
    if probe in claimed:
        return 0
    claimed.add(probe)
    return tokens


@check(
    "api-auth",
    title="API key accepted",
    group="Connection",
    sends="GET /models, once (Model available reads the same answer)",
    codes=("network-unreachable", "tls-error", "proxy-error", "unexpected-response", "auth-invalid-key",
           "auth-forbidden", "region-unsupported", "server-error", "models-list-unavailable", "org-verification-required"),
    needs=("key-format",),
    live=True,
    timeout=5,
)
async def api_auth(ctx: Context) -> Result:
    """What it checks: the API can be reached, and `GET {base_url}/models` with the key succeeds.

    Why it fails: no network, DNS or TLS trouble (often a company proxy), a proxy that
    fails, nothing listening on a local server's port, a captive portal answering instead
    of the API, a revoked or wrong-provider key (401), a forbidden project or region
    (403), or the provider is down (5xx).

    How to fix: follow the fix for the exact cause shown; for a 401, create a new key and
    put it in .env.
    """
    chosen, host = ctx.base_url, _host(ctx)
    if ctx.flags.untrusted and chosen.source == ".env":
        return skipped(f"--untrusted: the base URL ({host}) comes from the project's {chosen.where}, so the key is "
                       "not sent there; pass --base-url URL to test that server on purpose")
    outcome = await list_models(ctx)
    if isinstance(outcome, Reply) and outcome.status == 404 and host != OPENAI_HOST:
        return Result(Status.WARN, f"{host} has no /models endpoint, so the key could not be tested on its own",
                      code="models-list-unavailable", details=("The completion checks below still test it.",))
    problem = diagnose(ctx, outcome)
    if problem:
        return _from(problem)
    assert isinstance(outcome, Reply)
    entries = model_entries(outcome)
    if not entries and not outcome.truncated:
        return Result(Status.WARN, f"{host} accepted the key, but its /models answer is not a list of models",
                      code="models-list-unavailable", details=("The completion checks below still test the model.",))
    cut = "; the list is larger than the doctor reads, so only its start was read" if outcome.truncated else ""
    return passed(f"the key works: {host} listed {len(entries)} models in {outcome.elapsed:.2f} s{cut}")


@check("model-access", title="Model available", group="Connection",
       codes=("model-not-found", "model-not-listed", "model-not-chosen"), needs=("api-auth",), live=True, timeout=5,
       sends="nothing of its own: it reads GET /models, and tries a model the list lacks with the streamed completion")
async def model_access(ctx: Context) -> Result:
    """What it checks: the models your code uses are served to this key: the ones its
    chat.completions.create calls name (up to three), and the one --model, OPENAI_MODEL or
    [tool.llm-doctor] name; with none of these, gpt-4o-mini on OpenAI. A model the server
    answers although `/models` does not list it is a warning, not a failure.

    Why it fails: a typo, a retired model, another provider's model name, or a project
    that is not allowed to use that model. The openai SDK never reads OPENAI_MODEL: the
    model is whatever your code passes to chat.completions.create.

    How to fix: use one of the listed names; the closest ones are suggested.
    """
    from checks.code_models import models_to_test

    entries = model_entries(await list_models(ctx))
    ids = [row["id"] for row in entries]
    chosen = await models_to_test(ctx)
    if chosen[0].source == "default" and _host(ctx) != OPENAI_HOST:
        return _no_model_chosen(ctx, ids)
    findings = [await _probed_model(ctx, chosen[0], ids)] + [_listed_model(ctx, c, ids) for c in chosen[1:]]
    names = ", ".join(c.name for c in chosen)
    return from_findings([f for f in findings if f.status is not Status.PASS],
                         f"{names} {'is' if len(chosen) == 1 else 'are'} available" if ids else
                         f"{names} answers (the server lists no models)",
                         details=[f"{c.name}: chosen by {c.source}" for c in chosen])


async def _probed_model(ctx: Context, chosen: Chosen, ids: list[str]) -> Finding:
    """The model every probe asks for: when the list does not name it, a completion decides."""
    if chosen.name in ids:
        return Finding(Status.PASS, "", "")
    outcome = await stream_completion(ctx)
    problem = diagnose(ctx, outcome)
    close = _closest(chosen.name, ids)
    where = chosen.location
    if problem is not None and problem.code == "model-not-found":
        hint = f"; closest: {', '.join(close)}" if close else ""
        return Finding(Status.FAIL, "model-not-found", f"the server does not serve {chosen.name!r} to this key{hint}",
                       model_fix(ctx, *close), problem.details, location=where)
    if problem is not None:
        return Finding(Status.WARN, "model-not-listed", f"{chosen.name!r} is not in the server's list, and a "
                       f"completion could not confirm it ({problem.code})", location=where)
    if not ids:
        return Finding(Status.PASS, "", "")
    return Finding(Status.WARN, "model-not-listed", f"the server answers {chosen.name!r} although its /models list "
                   "does not name it", model_fix(ctx, *close),
                   ("Some servers answer any model name with the model they have loaded (llama.cpp, LM Studio): the "
                    "reply may come from another model than you think.",
                    f"Listed: {', '.join(ids[:8])}" + (" ..." if len(ids) > 8 else "")), location=where)


def _closest(name: str, ids: list[str]) -> list[str]:
    import difflib  # only when a model is missing: it costs an offline run ~9 ms to import

    return difflib.get_close_matches(name, ids, n=3, cutoff=0.4)


def _listed_model(ctx: Context, chosen: Chosen, ids: list[str]) -> Finding:
    """Another model the code uses: judged by the list alone, which costs no tokens. OpenAI lists
    every model a key may use; other servers may answer names they do not list."""
    if chosen.name in ids or not ids:
        return Finding(Status.PASS, "", "")
    close = _closest(chosen.name, ids)
    hint = f"; closest: {', '.join(close)}" if close else ""
    if _host(ctx) == OPENAI_HOST:
        return Finding(Status.FAIL, "model-not-found", f"{chosen.name!r} ({chosen.source}) is not among the models "
                       f"this key may use{hint}", model_fix(ctx, *close), location=chosen.location)
    return Finding(Status.WARN, "model-not-listed", f"{chosen.name!r} ({chosen.source}) is not in the server's "
                   f"list{hint}; the doctor sent it no request", model_fix(ctx, *close), location=chosen.location)


def _no_model_chosen(ctx: Context, ids: list[str]) -> Result:
    """No model configured for a server other than OpenAI: gpt-4o-mini means nothing there."""
    steps = ("Pass the model your code uses: llm-doctor check --model NAME, or set OPENAI_MODEL (only llm-doctor "
             "reads it; your code passes model=... itself).",)
    if len(ids) == 1:
        ctx.cache["probe-model"] = ids[0]
        return passed(f"no model configured; the server serves only {ids[0]}, so the checks test that",
                      details=steps)
    ctx.cache["no-model"] = True
    listed = f"it lists {len(ids)}: {', '.join(ids[:8])}" + (" ..." if len(ids) > 8 else "") if ids else \
        "it lists none"
    return Result(Status.WARN, f"no model configured for {_host(ctx)}, and {listed}", code="model-not-chosen",
                  fix=Fix("Tell the doctor which model your code uses; the completion checks wait for it.",
                          steps=steps, guide=guide.PARAMETER_REFERENCE))


def _completion_skip(ctx: Context) -> Result | None:
    return skipped(NO_MODEL) if ctx.cache.get("no-model") else None


@check("timeout", title="Latency and timeout", group="Connection", codes=("timeout-exceeded", "timeout-tight"),
       needs=("model-access",), live=True, timeout=5, sends="nothing of its own: it times the completions")
async def timeout(ctx: Context) -> Result:
    """What it checks: a short completion finishes well inside the timeout your code uses
    (--timeout, default 30 s as in the guide's worked example). The latency counts only a
    successful reply that did not wait behind the doctor's own other requests.

    Why it fails: a slow model, a slow network or a proxy makes requests take longer
    than the timeout, and the SDK raises APITimeoutError (and, by default, retries).

    How to fix: raise the timeout to about three times the measured latency, or stream.
    """
    if (skip := _completion_skip(ctx)) is not None:
        return skip
    outcomes = [await stream_completion(ctx)]
    if "json" in ctx.cache:
        outcomes.append(await json_completion(ctx))
    good = [o for o in outcomes if isinstance(o, Reply) and diagnose(ctx, o) is None]
    if not good:
        first = outcomes[0]
        if isinstance(first, Failure) and first.kind == "timeout":
            return _from(diagnose(ctx, first))  # type: ignore[arg-type]
        return skipped("no latency measured: the request did not get a good reply (see Streaming, or Rate limits and quota for a limit)")
    fresh = [o for o in good if not o.queued] or good
    took, limit = min(o.elapsed for o in fresh), ctx.timeout
    advice = max(int(math.ceil(took * 3 / 5.0) * 5), 10)
    queued = " (it waited behind the doctor's other requests)" if not any(not o.queued for o in good) else ""
    if took > limit / 2:
        return Result(Status.WARN, f"a short reply took {took:.2f} s{queued}, more than half of your {limit:g} s "
                                   "timeout", code="timeout-tight",
                      fix=Fix(f"Raise the timeout to about {advice} s: OpenAI(timeout={advice}.0).",
                              steps=("Longer prompts and replies take longer than this small probe.",
                                     "Stream long replies so output arrives before the timeout."),
                              guide=guide.TROUBLESHOOTING))
    return passed(f"a short reply took {took:.2f} s{queued}; your timeout is {limit:g} s")


RATE_LIMIT_CODES = ("rate-limited", "quota-exhausted", "request-too-large", "rate-limit-headers-missing",
                    "rate-limit-low-headroom")


@check("rate-limit-headers", title="Rate limits and quota", group="API behaviour", codes=RATE_LIMIT_CODES,
       needs=("model-access",), live=True, timeout=5, spends_tokens=True,
       sends="nothing of its own: it reads the streamed completion's headers")
async def rate_limit_headers(ctx: Context) -> Result:
    """What it checks: a short completion succeeds, and the x-ratelimit-* headers the server
    sent for this key and model leave headroom.

    Why it fails: a 429 with insufficient_quota means the account has no credit (waiting
    will not help); any other 429 means too many requests or tokens per minute.

    How to fix: add credit for quota errors; back off and retry for rate limits.
    """
    if (skip := _completion_skip(ctx)) is not None:
        return skip
    outcome = await stream_completion(ctx)
    problem = diagnose(ctx, outcome)
    if problem and problem.code not in RATE_LIMIT_CODES:
        # Another cause (a content filter, a server error): Streaming reads the same reply and reports
        # it, where a reader looks for it, rather than under rate limits.
        return skipped(f"no limits were read: the request failed ({problem.code}, see Streaming)")
    if problem:
        return _from(problem)
    assert isinstance(outcome, Reply)
    tokens = _claim_tokens(ctx, "stream", _stream_tokens(outcome))
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


def _stream_tokens(reply: Reply) -> int:
    usage = read_stream(reply.body).usage or {}
    return count(usage.get("total_tokens")) or 0


@check("streaming", title="Streaming", group="API behaviour",
       codes=("stream-unsupported", "stream-malformed", "stream-nonstandard", "stream-buffered"),
       needs=("model-access",), live=True, timeout=5, spends_tokens=True,
       sends=f"1 streamed chat completion, max_tokens={STREAM_MAX_TOKENS}")
async def streaming(ctx: Context) -> Result:
    """What it checks: a completion with stream=True and stream_options include_usage arrives as
    server-sent events that the openai SDK can read: JSON frames, the text in order, no error
    in the middle, and chunk by chunk rather than all at once.

    Why it fails: the server rejects streaming or stream_options; a frame is not JSON or an
    error arrives mid-stream (the SDK raises in your loop); a plain JSON body comes where a
    stream was asked for (the SDK yields nothing). It warns when the SDK copes but other
    clients may not (no `[DONE]`, another content type, no usage chunk), and when a proxy
    buffers the whole stream so nothing arrives until the end.

    How to fix: the fix for the exact cause; for buffering, turn off response buffering in
    the proxy (nginx: proxy_buffering off).
    """
    if (skip := _completion_skip(ctx)) is not None:
        return skip
    outcome = await stream_completion(ctx)
    problem = diagnose(ctx, outcome)
    precise = problem is not None and problem.code in PRECISE  # e.g. streaming needs a verified organization
    if isinstance(outcome, Reply) and outcome.status in (400, 422) and not precise and \
            re.search(r"stream", error_info(outcome).message or outcome.text()[:2000], re.I):
        return from_findings([Finding(Status.FAIL, "stream-unsupported", "the server refuses stream=True with "
                              "stream_options", Fix("Stream without stream_options (and count tokens yourself), or "
                                                    "use another server.", guide=guide.PARAMETER_REFERENCE),
                                      (ctx.redactor.excerpt(error_info(outcome).message),))], "")
    if problem is not None:
        return _from(problem)
    assert isinstance(outcome, Reply)
    read = read_stream(outcome.body, MAX_BODY_BYTES if outcome.truncated else None)
    findings = _stream_findings(ctx, outcome, read)
    tokens = _claim_tokens(ctx, "stream", count((read.usage or {}).get("total_tokens")) or 0)
    first = f"; the first after {outcome.chunks[0]:.2f} s" if outcome.chunks else ""
    result = from_findings(findings, f"{read.frames} chunks in {outcome.elapsed:.2f} s{first}",
                           facts={"text": read.text})
    return replace(result, tokens_used=tokens)


def _stream_findings(ctx: Context, reply: Reply, read: Any) -> list[Finding]:
    fix_stream = Fix("The openai SDK's stream loop breaks on this; fix the server or the proxy in front of it.",
                     guide=guide.PARAMETER_REFERENCE)
    if read.not_a_stream:
        return [Finding(Status.FAIL, "stream-malformed", "the server answered stream=True with one JSON body: the "
                        "SDK's stream loop yields nothing, and your text is lost", fix_stream)]
    if read.invalid:
        return [Finding(Status.FAIL, "stream-malformed", "a frame of the stream is not JSON: the SDK raises "
                        "JSONDecodeError in your loop", fix_stream, (f"frame: {ctx.redactor.excerpt(read.invalid[0], 120)}",))]
    if read.error is not None:
        inner = json.dumps({"error": read.error}).encode()
        status = read.error.get("code") if isinstance(read.error.get("code"), int) else 500
        cause = diagnose(ctx, Reply(status if 400 <= status < 600 else 500, {}, inner, reply.elapsed))
        said = ctx.redactor.excerpt(read.error.get("message", ""))
        if cause is not None and cause.code not in ("server-error", "unexpected-response"):
            return [cause]
        return [Finding(Status.FAIL, "stream-malformed", f"the server sent an error in the middle of the stream: "
                        f"{said}", fix_stream)]
    if read.cut is not None:  # the doctor's cap ended the read: nothing after it is the server's fault
        return [Finding(Status.WARN, "probe-inconclusive", cut_note(read),
                        Fix("Nothing to fix in the project; the streaming probe asks for a short reply, so a stream "
                            "this long comes from the server or a proxy padding it.", guide=guide.PARAMETER_REFERENCE))]
    found = []
    nonstandard = Fix("The openai SDK copes; other clients (and older SDKs) may not.", guide=guide.PARAMETER_REFERENCE)
    if reply.content_type != "text/event-stream":
        found.append(Finding(Status.WARN, "stream-nonstandard", f"the stream's content type is "
                             f"{ctx.redactor.excerpt(reply.content_type or 'missing', 60)}, not text/event-stream",
                             nonstandard))
    if not read.done:
        found.append(Finding(Status.WARN, "stream-nonstandard", "the stream ends without data: [DONE]", nonstandard))
    if read.usage is None:
        found.append(Finding(Status.WARN, "stream-nonstandard", "no usage chunk although include_usage was asked "
                             "(local servers often omit it): your code cannot count a stream's tokens", nonstandard))
    if buffered(reply.chunks, read.frames):
        found.append(Finding(Status.WARN, "stream-buffered",
                             f"all {read.frames} chunks arrived at once after {reply.chunks[0]:.2f} s: something "
                             "between you and the model buffers the stream",
                             Fix("Turn off response buffering in the proxy (nginx: proxy_buffering off; "
                                 "X-Accel-Buffering: no), or stream straight from the API.",
                                 guide=guide.PARAMETER_REFERENCE)))
    if not read.text and read.finish_reason == "length":
        found.append(Finding(Status.WARN, "probe-inconclusive", f"the model used all {STREAM_MAX_TOKENS} tokens the "
                             "doctor allows before writing text (a reasoning model?)"))
    return found


@check("json-mode", title="JSON mode", group="API behaviour",
       codes=("json-word-missing", "json-invalid", "json-mode-unsupported", "probe-inconclusive"),
       needs=("model-access",), live=True, timeout=5, spends_tokens=True,
       sends=f"1 JSON-mode chat completion, max_tokens={JSON_MAX_TOKENS}")
async def json_mode(ctx: Context) -> Result:
    """What it checks: a completion with response_format={"type": "json_object"} returns a
    reply that json.loads() accepts.

    Why it fails: the reply is wrapped in prose or ``` fences (JSONDecodeError: Expecting
    value), the prompt lacks the word JSON (a 400), or the model or server does not
    support JSON mode.

    How to fix: use response_format json_object, say "JSON" in the prompt, and parse
    defensively.
    """
    if (skip := _completion_skip(ctx)) is not None:
        return skip
    outcome = await json_completion(ctx)
    problem = diagnose(ctx, outcome)
    if problem:
        return _from(problem)
    assert isinstance(outcome, Reply)
    tokens = _claim_tokens(ctx, "json", total_tokens(outcome))
    message = first_message(outcome)
    content, finish = message.get("content"), message.get("finish_reason")
    try:
        json.loads(content or "")
        return Result(Status.PASS, "in JSON mode (response_format json_object) the server's reply parsed as JSON; code that does not ask for it gets prose", tokens_used=tokens)
    except ValueError:
        pass
    if finish == "length":
        return Result(Status.WARN, f"inconclusive: the reply reached the doctor's cap of {JSON_MAX_TOKENS} tokens "
                                   "before the JSON closed", code="probe-inconclusive", tokens_used=tokens,
                      details=("A reply cut at the doctor's own limit says nothing about your code; a small or "
                               "reasoning model may need more room than the doctor spends.",))
    fenced = bool(_FENCE.match(content or ""))
    how = "wrapped in a ``` code fence" if fenced else "not valid JSON"
    shown = ctx.redactor.excerpt(content, 160) if content is not None else "(empty)"
    return Result(Status.FAIL, f"with JSON mode on, the reply is {how}", code="json-invalid", tokens_used=tokens,
                  details=(f"reply: {shown}",),
                  fix=Fix("Parse defensively: strip code fences before json.loads(), and catch JSONDecodeError.",
                          steps=('Keep response_format={"type": "json_object"} and ask for JSON explicitly.',
                                 "Check finish_reason: a 'length' stop cuts JSON in half."),
                          guide=guide.TROUBLESHOOTING))
