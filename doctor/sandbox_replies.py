"""What the sandbox API sends: error bodies in the shapes real servers use, completions, and streams.

The shapes follow what OpenAI, vLLM, llama.cpp, LiteLLM and FastAPI gateways really send
(failure-modes.md and the servers' sources), so the doctor is shown and tested against
them: `{"error": {...}}` with a slug, a numeric string or a number as the code,
`{"error": "text"}`, `{"detail": "..."}`.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, Iterator

HELLO = "Hello there, nice to meet you!"
COUNTING = "1 2 3 4 5"


def openai_error(message: str, type_: str, code: Any, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def rate_headers(limit: int = 500, remaining: int = 499, reset: str = "120ms", tokens_limit: int = 200_000,
                 tokens_remaining: int = 199_950, tokens_reset: str = "6m0s") -> dict[str, str]:
    return {"x-ratelimit-limit-requests": str(limit), "x-ratelimit-remaining-requests": str(remaining),
            "x-ratelimit-reset-requests": reset, "x-ratelimit-limit-tokens": str(tokens_limit),
            "x-ratelimit-remaining-tokens": str(tokens_remaining), "x-ratelimit-reset-tokens": tokens_reset}


def usage(prompt_text: str, completion_tokens: int) -> dict[str, int]:
    prompt = len(prompt_text) // 4 + 8
    return {"prompt_tokens": prompt, "completion_tokens": completion_tokens, "total_tokens": prompt + completion_tokens}


def completion(model: str, content: str | None, finish: str, counted: dict[str, int] | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion", "created": int(time.time()),
        "model": model, "system_fingerprint": "fp_sandbox",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None},
                     "logprobs": None, "finish_reason": finish}],
    }
    if counted is not None:
        body["usage"] = counted
    return body


def stream_events(model: str, words: list[str], finish: str, counted: dict[str, int] | None,
                  *, done: bool = True, break_at: int | None = None, error_at: int | None = None) -> Iterator[bytes]:
    """Server-sent events for a streamed completion, one word a chunk, then usage and [DONE].
    `break_at` sends a frame that is not JSON there; `error_at` sends an error object there."""
    base = {"id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion.chunk",
            "created": int(time.time()), "model": model}
    for index, word in enumerate(words):
        if index == break_at:
            yield b'data: {"choices": [{"delta": {"content": "' + word.encode() + b'"\n\n'
            return
        if index == error_at:
            yield b"data: " + json.dumps(openai_error("The server had an error while generating the reply.",
                                                      "server_error", 500)).encode() + b"\n\n"
            return
        delta = {"content": word if index == 0 else " " + word}
        yield b"data: " + json.dumps({**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
                                     ).encode() + b"\n\n"
    yield b"data: " + json.dumps({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}
                                 ).encode() + b"\n\n"
    if counted is not None:
        yield b"data: " + json.dumps({**base, "choices": [], "usage": counted}).encode() + b"\n\n"
    if done:
        yield b"data: [DONE]\n\n"
