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


def _too_large(model: str) -> tuple[int, dict[str, Any], dict[str, str]]:
    return 429, openai_error(f"Request too large for {model} in organization org-sandbox on tokens per min (TPM): "
                             "Limit 30000, Requested 42000. The input or output tokens must be reduced in order to "
                             "run successfully. Visit https://platform.openai.com/account/rate-limits to learn "
                             "more.", "tokens", "rate_limit_exceeded"), {"retry-after": "20"}


def _content_filter(model: str) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Azure's shape: the code, the status inside the error, and the filter's verdict per category."""
    error = openai_error("The response was filtered due to the prompt triggering Azure OpenAI's content management "
                         "policy. Please modify your prompt and retry.", None, "content_filter", "prompt")
    error["error"].update(status=400, innererror={"code": "ResponsibleAIPolicyViolation", "content_filter_result": {
        "hate": {"filtered": False, "severity": "safe"}, "jailbreak": {"filtered": True, "detected": True}}})
    return 400, error, {}


def _unverified(model: str) -> tuple[int, dict[str, Any], dict[str, str]]:
    return 400, openai_error("Your organization must be verified to stream this model. Please go to: "
                             "https://platform.openai.com/settings/organization/general and click on Verify "
                             "Organization. If you just verified, it can take up to 15 minutes for access to "
                             "propagate.", "invalid_request_error", "unsupported_value", "stream"), {}


def _overloaded(model: str) -> tuple[int, dict[str, Any], dict[str, str]]:
    return 503, openai_error("The server is overloaded or not ready yet.", "server_error", None), {}


# Completion failures that real providers send, by sandbox scenario: (status, body, headers) for a model.
PRECISE_FAILURES = {"too-large": _too_large, "content-filter": _content_filter, "unverified-org": _unverified,
                    "overloaded": _overloaded}
