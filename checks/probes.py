"""The requests live checks share. Each is sent at most once per run, whoever asks first.

The whole diagnosis sends one `GET /models` and at most 3 chat completions, asking for
at most 100 tokens in all, and retries nothing (a free tier with a few requests a minute
must not be pushed into a 429 by the diagnosis itself):

- a streamed completion (STREAM_MAX_TOKENS), read as the SDK reads a stream: it answers
  streaming, rate-limit-headers and timeout, and model-access when the model is not listed;
- a JSON-mode completion (JSON_MAX_TOKENS), for json-mode;
- the sample call, by the SDK in the project's Python (checks/sample.py, SAMPLE_MAX_TOKENS).

The completions go out together; a server that answers one request at a time queues
them, so each one's deadline counts from the last answer (doctor/http.py: Progress).
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from doctor.http import BadSetting, Failure, Outcome, Progress, Reply, proxy_for, request

if TYPE_CHECKING:
    from doctor.context import Context

STREAM_MAX_TOKENS = 16
JSON_MAX_TOKENS = 24
STREAM_PROMPT = "Count from 1 to 5, separated by spaces."
JSON_PROMPT = 'Reply with this JSON object and nothing else: {"ok": true}'
COMPLETIONS = ("stream", "json")  # the names under which the completion probes are shared
# Reasoning models refuse max_tokens and want max_completion_tokens (failure-modes.md, row 23).
# Case is ignored for the name only: a case-blind `\w` takes milliseconds to compile, at every start.
_REASONING = re.compile(r"^(?:[\w.-]+/)?(?i:o\d|gpt-5)")


def api_headers(ctx: Context) -> dict[str, str]:
    """The headers the SDK would send, from the same variables."""
    key = ctx.api_key
    headers = {"authorization": f"Bearer {key.value if key else ''}", "accept": "application/json"}
    for variable, header in (("OPENAI_ORG_ID", "openai-organization"), ("OPENAI_PROJECT_ID", "openai-project")):
        found = ctx.lookup(variable)
        if found and found.value:
            headers[header] = found.value
    return headers


def endpoint(ctx: Context, path: str) -> str:
    return ctx.base_url.value.strip().rstrip("/") + path


def probe_model(ctx: Context) -> str:
    """The model the completion probes ask for: the configured one, unless model-access chose the
    server's only model because none was configured."""
    return ctx.cache.get("probe-model") or ctx.model


def token_limit(ctx: Context, tokens: int) -> dict[str, int]:
    return {"max_completion_tokens" if _REASONING.match(probe_model(ctx)) else "max_tokens": tokens}


async def _send(ctx: Context, method: str, path: str, body: Any = None) -> Outcome:
    url = endpoint(ctx, path)
    try:
        client = ctx.http()
    except BadSetting as error:
        return Failure(error.kind, error.detail, 0.0, proxy_for(url, ctx.shell), setting=True)
    asked = (body or {}).get("max_tokens") or (body or {}).get("max_completion_tokens") or 0
    ctx.cache.setdefault("requests", []).append((method, path, asked))
    progress = ctx.cache.setdefault("progress", Progress()) if method == "POST" else None
    return await request(client, method, url, headers=api_headers(ctx), json_body=body, deadline=ctx.timeout,
                         proxy=proxy_for(url, ctx.shell), progress=progress)


async def shared(ctx: Context, name: str, send: Callable[[], Awaitable[Outcome]]) -> Outcome:
    """Sends a probe once; every later caller gets the same outcome."""
    return await asyncio.shield(ctx.once(name, send))


def list_models(ctx: Context) -> Awaitable[Outcome]:
    return shared(ctx, "models", lambda: _send(ctx, "GET", "/models"))


def stream_completion(ctx: Context) -> Awaitable[Outcome]:
    body = {"model": probe_model(ctx), "messages": [{"role": "user", "content": STREAM_PROMPT}],
            **token_limit(ctx, STREAM_MAX_TOKENS), "stream": True, "stream_options": {"include_usage": True}}
    return shared(ctx, "stream", lambda: _send(ctx, "POST", "/chat/completions", body))


def json_completion(ctx: Context) -> Awaitable[Outcome]:
    body = {"model": probe_model(ctx), "messages": [{"role": "user", "content": JSON_PROMPT}],
            **token_limit(ctx, JSON_MAX_TOKENS), "response_format": {"type": "json_object"}}
    return shared(ctx, "json", lambda: _send(ctx, "POST", "/chat/completions", body))


def count(value: Any) -> int | None:
    """A usage figure, or None for anything that is not a plausible count ("lots", -1, 1e400, True)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**9 else None


def total_tokens(reply: Reply) -> int:
    """What the API counted for a completion (0 when it did not say, or said nonsense)."""
    data = reply.json()
    usage = data.get("usage") if isinstance(data, dict) else None
    return (count(usage.get("total_tokens")) or 0) if isinstance(usage, dict) else 0


def first_message(reply: Reply) -> dict[str, Any]:
    data = reply.json()
    try:
        choice = data["choices"][0]
        return {"content": choice["message"].get("content"), "finish_reason": choice.get("finish_reason")}
    except (TypeError, KeyError, IndexError, AttributeError):
        return {}
