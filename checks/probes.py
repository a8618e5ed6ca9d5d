"""The requests live checks share. Each is sent at most once per run, whoever asks first.

The whole diagnosis spends at most 4 chat completions and asks for at most 100
max_tokens: one max_tokens=1 completion answers both rate-limit-headers and timeout,
one JSON-mode completion, and the sample call (plus, only when the model rejects
`max_tokens`, one retry with `max_completion_tokens`).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from doctor.http import BadSetting, Failure, Outcome, Reply, proxy_for, request

if TYPE_CHECKING:
    from doctor.context import Context

TINY_MAX_TOKENS = 1
JSON_MAX_TOKENS = 24
JSON_PROMPT = 'Reply in JSON only: the object {"ok": true}.'


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


async def _send(ctx: Context, method: str, path: str, body: Any = None) -> Outcome:
    url = endpoint(ctx, path)
    try:
        client = ctx.http()
    except BadSetting as error:
        return Failure(error.kind, error.detail, 0.0, proxy_for(url, ctx.shell), setting=True)
    ctx.cache.setdefault("requests", []).append((method, path, (body or {}).get("max_tokens", 0)))
    return await request(client, method, url, headers=api_headers(ctx), json_body=body, deadline=ctx.timeout,
                         proxy=proxy_for(url, ctx.shell))


async def shared(ctx: Context, name: str, send: Callable[[], Awaitable[Outcome]]) -> Outcome:
    """Sends a probe once; every later caller gets the same outcome."""
    future = ctx.cache.get(name)
    if future is None:
        future = ctx.cache[name] = ctx.background(send())
    return await asyncio.shield(future)


def list_models(ctx: Context) -> Awaitable[Outcome]:
    return shared(ctx, "models", lambda: _send(ctx, "GET", "/models"))


def tiny_completion(ctx: Context) -> Awaitable[Outcome]:
    body = {"model": ctx.model, "messages": [{"role": "user", "content": "Say OK."}], "max_tokens": TINY_MAX_TOKENS}
    return shared(ctx, "tiny", lambda: _send(ctx, "POST", "/chat/completions", body))


def json_completion(ctx: Context) -> Awaitable[Outcome]:
    body = {"model": ctx.model, "messages": [{"role": "user", "content": JSON_PROMPT}],
            "max_tokens": JSON_MAX_TOKENS, "response_format": {"type": "json_object"}}
    return shared(ctx, "json", lambda: _send(ctx, "POST", "/chat/completions", body))


def total_tokens(reply: Reply) -> int:
    """What the API counted for a completion (0 when it did not say)."""
    data = reply.json()
    usage = data.get("usage") if isinstance(data, dict) else None
    value = usage.get("total_tokens") if isinstance(usage, dict) else None
    return value if isinstance(value, int) and value >= 0 else 0


def first_message(reply: Reply) -> dict[str, Any]:
    data = reply.json()
    try:
        choice = data["choices"][0]
        return {"content": choice["message"].get("content"), "finish_reason": choice.get("finish_reason")}
    except (TypeError, KeyError, IndexError, AttributeError):
        return {}
