"""The sample call: the guide's own code, run by the project's own Python with the openai SDK.

This proves the user's environment works end to end, not just the doctor's. The helper
process (checks/sample_script.py) starts as the run starts (warmup), imports the SDK and
loads `.env` while the other probes talk to the API, then waits for a "go" on stdin that
comes only once the key and the model have been confirmed; so the SDK's import costs no
extra wall time. What goes wrong is named from the ImportError's name and path, the
exception's type and cause, and the HTTP status and error body, through the same
classifier as the httpx probes and `explain`.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checks import guide
from checks.classify import diagnose
from checks.prices import estimate_cost
from checks.api import NO_MODEL
from checks.probes import probe_model
from checks.sample_script import SCRIPT
from doctor.http import MAX_BODY_BYTES, RUN_TIMEOUTS, Failure, Progress, Reply
from doctor.model import Finding, Fix, Result, Status, check, from_findings, skipped
from doctor.process import CannotRun, spawn
from doctor.project.importable import own_file

if TYPE_CHECKING:
    from doctor.context import Context

SAMPLE_MAX_TOKENS = 32
READY_MARGIN = 10.0  # importing the SDK on a cold disk takes seconds; the process starts with the run
REPLY_GRACE = 3.0  # after the user's timeout, before a reply that never completes is given up on
QUEUE_FACTOR = 3  # at most 3 completions queue at a server that answers one at a time
MAX_EVENT_BYTES = 4 * 1024 * 1024  # one line from the helper; texts in it are capped at 64 KB
# Transport failures by the name of the exception's cause, as httpx and httpx2 name them.
_CAUSES = {"ConnectTimeout": "connect", "ReadTimeout": "timeout", "WriteTimeout": "timeout", "PoolTimeout": "timeout",
           "ProxyError": "proxy", "LocalProtocolError": "header", "UnicodeEncodeError": "header",
           "RemoteProtocolError": "protocol", "ReadError": "protocol", "UnsupportedProtocol": "url",
           "InvalidURL": "url", "TooLarge": "too-large", "Refused": "protocol", "SSLError": "tls",
           "SSLCertVerificationError": "tls"}


def _start(ctx: Context) -> "asyncio.Future[Any]":
    """Starts the helper process once per run; later callers share it. The run owns it:
    whatever happens to this check, the process is killed when the run ends."""
    return ctx.once("sample-process", lambda: _spawn(ctx))


def warm_up(ctx: Context) -> None:
    _start(ctx)


async def _spawn(ctx: Context) -> Any:
    facts = await ctx.interpreter()
    if ctx.target.path is None or facts.error:
        return None
    env = dict(ctx.shell)
    if ctx.flags.base_url is not None:
        env["OPENAI_BASE_URL"] = ctx.flags.base_url
    env.update(PYTHONDONTWRITEBYTECODE="1", PYTHONIOENCODING="utf-8")
    dotenv = str(ctx.dotenv.path) if ctx.dotenv.exists else ""
    # The SDK waits up to QUEUE_FACTOR times the timeout: the doctor's own deadline (see _reply_event) ends
    # a call that hangs, and a server that answers one request at a time must not fail the guide's call.
    argv = [facts.executable or str(ctx.target.path), "-B", "-c", SCRIPT, dotenv, "", f"{ctx.timeout * QUEUE_FACTOR:g}",
            str(SAMPLE_MAX_TOKENS), str(MAX_BODY_BYTES)]
    try:
        return await spawn(argv, ctx.processes, env=env, cwd=str(ctx.project), stdin=True, line_limit=MAX_EVENT_BYTES)
    except CannotRun:
        return None


async def _next_event(process: Any, seconds: float) -> dict[str, Any] | None:
    """The helper's next event; None when it ended, said something unreadable, or kept silent too long."""
    try:
        line = await asyncio.wait_for(process.stdout.readline(), seconds)
    except (asyncio.TimeoutError, TimeoutError, ValueError):  # ValueError: a line over the limit
        return None
    try:
        event = json.loads(line) if line else None
    except (ValueError, RecursionError):
        return None
    return event if isinstance(event, dict) else None


@check("sample-call", title="Sample call with the openai SDK", group="API behaviour",
       codes=("reply-empty", "reply-truncated", "param-unsupported", "usage-missing", "probe-inconclusive",
              "sample-call-failed", "content-filtered"),
       needs=("model-access",), live=True, timeout=READY_MARGIN + REPLY_GRACE, spends_tokens=True, warmup=warm_up,
       runs_project_python=True, reads=("environment",),
       sends=f"1 chat completion by the openai SDK in the project's Python, max_tokens={SAMPLE_MAX_TOKENS}")
async def sample_call(ctx: Context) -> Result:
    """What it checks: the guide's worked example runs in the project's own Python: load_dotenv(),
    OpenAI(timeout=...), one chat completion, then the reply, finish_reason and token usage.

    Why it fails: the project's Python cannot import the SDK (not installed, openai 0.x,
    a project file named openai.py, a dependency gone); the client cannot be created (no
    key after load_dotenv(), openai<1.55.3 with httpx 0.28, an unusable proxy); the API
    refuses the call; the reply is empty (a filter, a refusal or a tool call: `'NoneType'
    object has no attribute`); or the model rejects max_tokens or temperature.

    How to fix: the fix shown for the exact cause; check finish_reason before using the
    text; use max_completion_tokens for reasoning models.
    """
    if ctx.target.path is None:
        return skipped("no project environment was found (see Virtual environment)")
    process = await _start(ctx)
    if process is None:
        return skipped("the project's Python could not be started (see Python version)")
    ready = await _next_event(process, READY_MARGIN + ctx.timeout)
    problem = await _not_ready(ctx, process, ready)
    if problem is not None:
        return from_findings([problem], "")
    if ctx.cache.get("no-model"):
        return skipped(NO_MODEL)
    process.stdin.write(f"go {probe_model(ctx)}\n".encode())
    await process.stdin.drain()
    event = await _reply_event(ctx, process)
    if event is None:
        return _no_reply(ctx)
    return _judge(ctx, event, ready.get("version", "unknown"))  # type: ignore[union-attr]


async def _reply_event(ctx: Context, process: Any) -> dict[str, Any] | None:
    """The SDK's answer, waited for until the user's timeout (plus a grace) has passed since the later of
    "go" and the server's last answer to the doctor's other requests: a server that answers one request
    at a time serves them in turn. Its answer in turn moves the others' deadlines on."""
    progress = ctx.cache.setdefault("progress", Progress())
    sent = time.perf_counter()
    reading = asyncio.ensure_future(_next_event(process, 10 ** 6))
    try:
        while True:
            limit = min(progress.until(sent, ctx.timeout) + REPLY_GRACE, progress.run_end(ctx.timeout))
            done, _ = await asyncio.wait({reading}, timeout=max(limit - time.perf_counter(), 0))
            if done:
                progress.last_answer = time.perf_counter()
                return reading.result()
            if min(progress.until(sent, ctx.timeout) + REPLY_GRACE, progress.run_end(ctx.timeout)) <= limit:
                return None
    finally:
        reading.cancel()


async def _not_ready(ctx: Context, process: Any, ready: dict[str, Any] | None) -> Finding | None:
    """Why the helper could not build a client, named from the ImportError or the exception."""
    if ready is not None and ready.get("event") == "ready":
        return None
    if ready is None:
        said = ""
        if process.returncode is not None or process.stdout.at_eof():
            said = (await process.stderr.read(65536)).decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            said = said[0]
        why = f"stopped before it was ready: {ctx.redactor.excerpt(said)}" if said else \
            f"did not import the SDK within {READY_MARGIN + ctx.timeout:g} s"
        return Finding(Status.FAIL, "sample-call-failed", f"the project's Python {why}",
                       Fix("Run `python -c \"import openai\"` with the project's Python to see the error.",
                           guide=guide.SETUP))
    if ready.get("event") == "missing":
        return _import_problem(ctx, ready)
    return _explained(ctx, f"{ready.get('error_type')}: {ready.get('message', '')}", ready.get("event") == "client-error")


def _import_problem(ctx: Context, event: dict[str, Any]) -> Finding:
    """An ImportError, by the module it names and where that module was found."""
    module, path = str(event.get("module") or ""), event.get("path")
    tool = ctx.tool
    relative = own_file(Path(path), ctx.project) if path else None
    if relative is not None:
        return Finding(Status.FAIL, "module-shadowed", f"`from openai import OpenAI` imports {relative}, the "
                       "project's own file, instead of the SDK", Fix(f"Rename {relative} and delete its __pycache__ copy.",
                                                                      guide=guide.TROUBLESHOOTING))
    if event.get("stage") == "openai" and module == "openai" and path:
        from checks.packages import sdk_upgrade_fix

        return Finding(Status.FAIL, "openai-pre-v1", "the installed openai has no `OpenAI` client: it is the old 0.x SDK",
                       sdk_upgrade_fix("Upgrade the SDK within 1.x and port the code to client.chat.completions.create.",
                                       ctx.record, tool))
    if module in ("openai", "dotenv"):
        name = "python-dotenv" if module == "dotenv" else "openai"
        return Finding(Status.FAIL, "package-missing", f"the project's Python cannot import {module}: {name} is not "
                       "installed there", Fix(f"Install {name} into the project's environment.",
                                              commands=(tool.add(f"{name}>=1.0" if name == 'python-dotenv' else
                                                                 'openai>=1.40'),), guide=guide.SETUP))
    needed_by = "python-dotenv" if event.get("stage") == "dotenv" else "openai"
    return Finding(Status.FAIL, "package-broken", f"{needed_by} cannot be imported: {module or 'a module'} is "
                   "missing", Fix(f"Reinstall it with the project's tool: {tool.sync()}", commands=(tool.sync(),),
                                  guide=guide.SETUP), (ctx.redactor.excerpt(event.get("message", ""), 300),))


def _explained(ctx: Context, said: str, creating_client: bool) -> Finding:
    """An exception named by the same classifier `explain` uses; an unknown one is said plainly."""
    from checks.explain import explain

    text = ctx.redactor.excerpt(said, 400)
    verdict = explain(said)
    if verdict.diagnosis is not None and verdict.confidence in ("exact", "high", "medium"):
        diagnosis = verdict.diagnosis
        where = "creating the client" if creating_client else "importing the SDK"
        return Finding(Status.FAIL, diagnosis.code, f"{where} failed: {diagnosis.title.lower()}", diagnosis.fix,
                       (text,))
    return Finding(Status.FAIL, "sample-call-failed", f"the SDK raised {text}",
                   Fix("Run the guide's example yourself to see the whole traceback; `llm-doctor explain -` reads it.",
                       guide=guide.FIRST_REQUEST))


def _no_reply(ctx: Context) -> Result:
    """No event within the timeout: the SDK was still waiting (a trickling or silent server), or
    the request queued behind the doctor's own (a server that answers one request at a time)."""
    busy = any(not task.done() for name, task in ctx.cache.items() if name in ("stream", "json")
               and isinstance(task, asyncio.Future))
    progress = ctx.cache.get("progress")
    if isinstance(progress, Progress) and time.perf_counter() >= progress.run_end(ctx.timeout):
        return Result(Status.WARN, f"inconclusive: no reply before the live run's own deadline "
                                   f"({RUN_TIMEOUTS} x your {ctx.timeout:g} s timeout, for all the doctor's requests)",
                      code="probe-inconclusive",
                      details=("The server answered the doctor's other requests first; run `llm-doctor check --only "
                               "sample-call` to time the call alone.",))
    if busy:
        return Result(Status.WARN, "inconclusive: no reply within your timeout while the server was still answering "
                                   "the doctor's other requests", code="probe-inconclusive",
                      details=("A server that answers one request at a time (a local model) queues them; "
                               "run `llm-doctor check --only sample-call` to time the call alone.",))
    return Result(Status.FAIL, f"no complete reply within your {ctx.timeout:g} s timeout (plus {REPLY_GRACE:g} s)",
                  code="timeout-exceeded",
                  details=("The SDK's timeout counts each read, not the whole call: a server that sends a byte "
                           "now and then keeps your code waiting far longer than the timeout.",),
                  fix=Fix("Check that the server answers at all (curl the base URL); set a total deadline around "
                          "the call in your code if the server trickles.", guide=guide.TROUBLESHOOTING))


def _as_outcome(event: dict[str, Any]) -> Reply | Failure:
    """The SDK's error, as the same data the httpx probes produce, so one classifier serves both."""
    kind = event.get("kind")
    cause_type, cause = str(event.get("cause_type") or ""), str(event.get("cause") or event.get("message") or "")
    if kind in ("timeout", "connection") or (kind == "other" and cause_type in _CAUSES):
        failure = _CAUSES.get(cause_type, "timeout" if kind == "timeout" else "connect")
        if failure == "connect" and "refused" in cause.lower():
            failure = "refused"
        if failure == "connect" and ("CERTIFICATE" in cause or "SSL" in cause):
            failure = "tls"
        return Failure(failure, cause, float(event.get("seconds") or 0.0))
    body = event.get("body")
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    headers["content-type"] = "application/json"
    data = json.dumps({"error": body if isinstance(body, dict) else {"message": event.get("message", "")}}).encode()
    status = event.get("status")
    return Reply(status if isinstance(status, int) and 100 <= status < 600 else 500, headers, data,
                 float(event.get("seconds") or 0.0))


def token_count(value: Any) -> int | None:
    """A usage figure, or None for anything that is not a plausible count ("lots", -1, 1e400)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**9 else None


def _judge(ctx: Context, event: dict[str, Any], sdk_version: str) -> Result:
    if event.get("event") == "error":
        outcome = _as_outcome(event)
        if isinstance(outcome, Failure) and outcome.kind == "too-large":
            problem = Finding(Status.FAIL, "unexpected-response", "the reply is larger than the doctor reads "
                              f"({MAX_BODY_BYTES // 1024} KB); an API reply to this call is a few hundred bytes",
                              Fix("Check OPENAI_BASE_URL: something other than the API answered.",
                                  guide=guide.RAW_HTTP))
        else:
            problem = diagnose(ctx, outcome) or Finding(Status.FAIL, "sample-call-failed",
                                                        f"the SDK raised {ctx.redactor.excerpt(event.get('message'))}")
        return from_findings([problem], "")
    if event.get("event") != "reply":
        return from_findings([Finding(Status.FAIL, "sample-call-failed", "the SDK call gave no reply")], "")
    return _reply(ctx, event, sdk_version)


def _filtered() -> Finding:
    from checks.catalogue import CATALOGUE

    entry = CATALOGUE["content-filtered"]
    return Finding(Status.FAIL, entry.code, "the provider's content filter withheld the reply (finish_reason "
                   "'content_filter'; message.content is None)", entry.fix, cause=entry.cause)


def _reply(ctx: Context, reply: dict[str, Any], sdk_version: str) -> Result:
    findings: list[Finding] = []
    content, finish = reply.get("content"), reply.get("finish_reason")
    usage = reply.get("usage") if isinstance(reply.get("usage"), dict) else None
    counts = {k: token_count(usage.get(k)) for k in ("prompt_tokens", "completion_tokens", "total_tokens")} \
        if usage else {}
    written = counts.get("completion_tokens")
    # finish_reason "length" below the doctor's cap means the server itself stopped the reply early.
    cut_by_doctor = finish == "length" and (written is None or written >= SAMPLE_MAX_TOKENS)
    if not content:
        if cut_by_doctor:
            findings.append(Finding(Status.WARN, "probe-inconclusive",
                                    f"the model used all {SAMPLE_MAX_TOKENS} tokens the doctor allows before writing "
                                    "any text (a reasoning model spends them thinking)",
                                    Fix("Give your own calls room: max_completion_tokens well above the reasoning "
                                        "budget, or reasoning_effort=\"low\".", guide=guide.PARAMETER_REFERENCE)))
        elif finish == "content_filter":
            findings.append(_filtered())
        else:
            why = "a refusal" if reply.get("refusal") else "a tool call" if reply.get("tool_calls") else \
                f"finish_reason {finish!r}"
            findings.append(Finding(Status.FAIL, "reply-empty", f"message.content is empty ({why})", Fix(
                "Check finish_reason and handle an empty reply before reading the text.",
                steps=("`response.choices[0].message.content` can be None: after a content filter, a refusal, a "
                       "tool call, or when a reasoning model spends the whole budget thinking.",),
                guide=guide.TROUBLESHOOTING)))
    elif finish == "length" and not cut_by_doctor:
        findings.append(Finding(Status.WARN, "reply-truncated",
                                f"the server stopped the reply after {written} tokens (finish_reason 'length'), "
                                f"below the {SAMPLE_MAX_TOKENS} the doctor asked for",
                                Fix("The server or model caps replies lower than asked: check its max output setting "
                                    "(e.g. a local server's n_predict or max_model_len).", guide=guide.USAGE)))
    if not usage or None in counts.values():
        shown = "none" if not usage else ", ".join(f"{k}={ctx.redactor.excerpt(usage.get(k), 20)!r}" for k in counts)
        findings.append(Finding(Status.WARN, "usage-missing", f"the server returned no usable token usage ({shown})",
                                Fix("Your code cannot track what it spends from this server's replies; count tokens "
                                    "yourself or check the provider's dashboard.", guide=guide.USAGE)))
    tokens = counts.get("total_tokens") or 0
    text = ctx.redactor.excerpt(content or "", 80)
    details = [f"Reply: {ctx.redactor.excerpt(content or '(none)', 400)}", f"Why it stopped: {finish}"]
    if cut_by_doctor and content:
        details.append(f"The reply reached the doctor's own cap of {SAMPLE_MAX_TOKENS} tokens; that is not a problem "
                       "of your code, whose max_tokens the doctor does not set.")
    summary = f"reply {text!r} · finish_reason {finish}"
    facts: dict[str, Any] = {"reply": content, "finish_reason": finish}
    if counts and None not in counts.values():
        prompt, completion = counts["prompt_tokens"] or 0, counts["completion_tokens"] or 0
        cost = estimate_cost(probe_model(ctx), prompt, completion, ctx.base_url.value)
        details.append(f"Prompt tokens: {prompt}, completion tokens: {completion}, total tokens: {tokens}")
        summary += f" · {tokens} tokens ({prompt} prompt + {completion} completion)"
        if cost is not None:  # only where the doctor knows the host's prices: no line of "unknown" elsewhere
            details.append(f"Estimated cost: ≈ ${cost:.6f} at list prices")
            summary += f" · ≈ ${cost:.6f}"
        facts.update(prompt_tokens=prompt, completion_tokens=completion, total_tokens=tokens, cost_usd=cost)
    details.append(f"openai {sdk_version} in {ctx.target.path}")
    result = from_findings(findings, summary, details=details, facts=facts)
    return replace(result, tokens_used=tokens)
