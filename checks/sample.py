"""The sample call: the guide's own code, run by the project's own Python with the openai SDK.

This proves the user's environment works end to end, not just the doctor's. The helper
process starts as the run starts (warmup), imports the SDK and loads `.env` while the
other probes talk to the API, then waits for a "go" on stdin that comes only once the
key and the model have been confirmed; so the SDK's import costs no extra wall time.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from checks import guide
from checks.classify import diagnose
from checks.prices import estimate_cost
from doctor.http import Failure, Reply
from doctor.model import Finding, Fix, Result, Status, check, from_findings
from doctor.process import spawn

if TYPE_CHECKING:
    from doctor.context import Context

SAMPLE_MAX_TOKENS = 32
MAX_EVENT_BYTES = 4 * 1024 * 1024  # one line from the helper: a reply is capped at 1 MB before it is sent
READY_TIMEOUT = 60.0  # importing the SDK on a cold disk can take a while

# Runs in the target interpreter: any Python 3 with openai>=1.0. It prints JSON lines.
# Its first line takes the working directory (the project) off the import path, before any
# import: a project file named json.py, openai.py or dotenv.py is never executed by the doctor.
_SCRIPT = r"""
import sys; sys.path[:] = [p for p in sys.path if p not in ("", ".")]
import json, os, time
project, model, timeout, max_tokens = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
def emit(**fields):
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()
try:
    from dotenv import load_dotenv
    import openai
    from openai import OpenAI
except ImportError as error:
    emit(event="missing", module=getattr(error, "name", None) or str(error))
    sys.exit(0)
load_dotenv(os.path.join(project, ".env"))
try:
    client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"), timeout=timeout, max_retries=0)
except Exception as error:
    emit(event="error", kind="client", error_type=type(error).__name__, message=str(error)[:300])
    sys.exit(0)
emit(event="ready", version=getattr(openai, "__version__", "unknown"))
if sys.stdin.readline().strip() != "go":
    sys.exit(0)
messages = [{"role": "system", "content": "You are a concise, helpful assistant."},
            {"role": "user", "content": "Say hello in five words."}]
def call(**params):
    start = time.perf_counter()
    response = client.chat.completions.create(model=model, messages=messages, **params)
    choice, usage = response.choices[0], response.usage
    emit(event="reply", content=choice.message.content, finish_reason=choice.finish_reason,
         refusal=getattr(choice.message, "refusal", None), tool_calls=bool(getattr(choice.message, "tool_calls", None)),
         prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0, completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
         total_tokens=getattr(usage, "total_tokens", 0) or 0, seconds=time.perf_counter() - start)
def failed(error):
    body = getattr(error, "body", None)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body = body["error"]
    kind = "timeout" if isinstance(error, openai.APITimeoutError) else \
        "connection" if isinstance(error, openai.APIConnectionError) else "status"
    cause = error.__cause__
    emit(event="error", kind=kind, status=getattr(error, "status_code", None), body=body if isinstance(body, dict) else None,
         error_type=type(error).__name__, message=str(error)[:300], cause=repr(cause)[:300] if cause else None)
    return body if isinstance(body, dict) else {}
try:
    call(temperature=0.3, max_tokens=max_tokens)
except openai.BadRequestError as error:
    if failed(error).get("code") in ("unsupported_parameter", "unsupported_value"):
        try:
            call(max_completion_tokens=max_tokens)
        except Exception as retry_error:
            failed(retry_error)
except Exception as error:
    failed(error)
"""


def _start(ctx: Context) -> "asyncio.Future[Any]":
    """Starts the helper process once per run; later callers share it. The run owns it:
    whatever happens to this check, the process is killed when the run ends."""
    task = ctx.cache.get("sample-process")
    if task is None:
        task = ctx.cache["sample-process"] = ctx.background(_spawn(ctx))
    return task


def warm_up(ctx: Context) -> None:
    _start(ctx)


async def _spawn(ctx: Context) -> Any:
    facts = await ctx.interpreter()
    python = facts.executable or str(ctx.target.path)
    env = dict(ctx.shell)
    if ctx.flags.base_url is not None:
        env["OPENAI_BASE_URL"] = ctx.flags.base_url
    env.update(PYTHONDONTWRITEBYTECODE="1", PYTHONIOENCODING="utf-8")
    argv = [python, "-B", "-c", _SCRIPT, str(ctx.project), ctx.model, f"{ctx.timeout:g}", str(SAMPLE_MAX_TOKENS)]
    return await spawn(argv, ctx.processes, env=env, cwd=str(ctx.project), stdin=True, line_limit=MAX_EVENT_BYTES)


async def _next_event(process: Any, deadline: float) -> dict[str, Any] | None:
    line = await asyncio.wait_for(process.stdout.readline(), deadline)
    if not line:
        return None
    try:
        return json.loads(line)
    except ValueError:
        return None


def _as_outcome(event: dict[str, Any]) -> Reply | Failure:
    """The SDK's error, as the same data the httpx probes produce, so one classifier serves both."""
    if event.get("kind") == "timeout":
        return Failure("timeout", event.get("message", ""), 0.0)
    if event.get("kind") == "connection":
        cause = event.get("cause") or ""
        kind = "tls" if "CERTIFICATE" in cause or "SSL" in cause else \
            "header" if "header" in cause.lower() or "UnicodeEncodeError" in cause else "connect"
        return Failure(kind, cause or event.get("message", ""), 0.0)
    body = json.dumps({"error": event.get("body") or {"message": event.get("message", "")}}).encode()
    return Reply(int(event.get("status") or 500), {"content-type": "application/json"}, body, 0.0)


@check("sample-call", title="Sample call with the openai SDK", group="API behaviour",
       codes=("reply-empty", "reply-truncated", "param-unsupported", "package-missing"),
       needs=("model-access",), live=True, timeout=READY_TIMEOUT, spends_tokens=True, warmup=warm_up,
       runs_project_python=True)
async def sample_call(ctx: Context) -> Result:
    """What it checks: the guide's worked example runs in the project's own Python: load_dotenv(),
    OpenAI(timeout=...), one chat completion, then the reply, finish_reason and token usage.

    Why it fails: the project's Python lacks the SDK; the reply is empty (a filter, a
    refusal or a tool call: `'NoneType' object has no attribute`); the reply was cut off
    (finish_reason "length"); or the model rejects max_tokens or temperature.

    How to fix: install the SDK in the venv; check finish_reason before using the text;
    use max_completion_tokens for reasoning models.
    """
    process = await _start(ctx)
    ready = await _next_event(process, READY_TIMEOUT)
    if ready is None or ready.get("event") == "missing":
        module = (ready or {}).get("module") or "openai"
        name = "python-dotenv" if module == "dotenv" else module
        return Result(Status.FAIL, f"the project's Python cannot import {module}", code="package-missing",
                      fix=Fix(f"Install {name} in the project's venv.", commands=(f'pip install "{name}"',),
                              guide=guide.SETUP))
    if ready.get("event") != "ready":
        return Result(Status.FAIL, f"the SDK could not create a client: {ready.get('message', '')}",
                      code="key-missing",
                      fix=Fix("Make sure load_dotenv() finds .env and that it holds OPENAI_API_KEY.",
                              guide=guide.FIRST_REQUEST))
    process.stdin.write(b"go\n")
    await process.stdin.drain()
    events = []
    while (event := await _next_event(process, ctx.timeout * 2 + 5)) is not None:
        events.append(event)
        if event.get("event") == "reply":
            break
    return _judge(ctx, events, ready.get("version", "unknown"))


def _judge(ctx: Context, events: list[dict[str, Any]], sdk_version: str) -> Result:
    errors = [e for e in events if e.get("event") == "error"]
    reply = next((e for e in events if e.get("event") == "reply"), None)
    findings: list[Finding] = []
    if errors:
        first = diagnose(ctx, _as_outcome(errors[0]))
        if first is not None:
            findings.append(first)
    if reply is None:
        return from_findings(findings or [Finding(Status.FAIL, "unexpected-response", "the SDK call gave no reply")],
                             "")
    tokens = int(reply.get("total_tokens") or 0)
    content = reply.get("content")
    if not content:
        why = "a refusal" if reply.get("refusal") else "a tool call" if reply.get("tool_calls") else \
            f"finish_reason {reply.get('finish_reason')!r}"
        findings.append(Finding(Status.FAIL, "reply-empty", f"message.content is empty ({why})", Fix(
            "Check finish_reason and handle an empty reply before reading the text.",
            steps=("`response.choices[0].message.content` can be None: after a content filter, a refusal, a tool "
                   "call, or when a reasoning model spends the whole budget thinking.",),
            guide=guide.TROUBLESHOOTING)))
    elif reply.get("finish_reason") == "length":
        findings.append(Finding(Status.WARN, "reply-truncated", "the reply was cut off at max_tokens "
                                                                f"({SAMPLE_MAX_TOKENS}); finish_reason is 'length'",
                                Fix("Raise max_tokens (max_completion_tokens for reasoning models).",
                                    guide=guide.USAGE)))
    prompt, completion = int(reply.get("prompt_tokens") or 0), int(reply.get("completion_tokens") or 0)
    cost = estimate_cost(ctx.model, prompt, completion)
    price = f"≈ ${cost:.6f} at list prices" if cost is not None else "cost unknown for this model"
    details = (f"Reply: {content!r}", f"Why it stopped: {reply.get('finish_reason')}",
               f"Prompt tokens: {prompt}, completion tokens: {completion}, total tokens: {tokens}",
               f"Estimated cost: {price}", f"openai {sdk_version} in {ctx.target.path}")
    facts = {"reply": content, "finish_reason": reply.get("finish_reason"), "prompt_tokens": prompt,
             "completion_tokens": completion, "total_tokens": tokens, "cost_usd": cost}
    summary = (f"reply {ctx.redactor.excerpt(content or '', 80)!r} · finish_reason {reply.get('finish_reason')} · {tokens} tokens "
               f"({prompt} prompt + {completion} completion) · {price}")
    result = from_findings(findings, summary, details=details, facts=facts)
    return replace(result, tokens_used=tokens)
