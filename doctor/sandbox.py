"""A small OpenAI-compatible API on 127.0.0.1 with scripted failures, for the demo and the tests.

Each scenario answers the way the real API (or a real proxy) does in that situation,
with the same status codes, error bodies and headers (see failure-modes.md), so the
doctor is shown and tested against realistic answers with no key and no network.
Only the standard library is used, and only loopback is ever bound.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SCENARIOS = {
    "healthy": "everything works, with rate-limit headers",
    "bad-key": "every request gets 401 invalid_api_key",
    "echo-key": "401, and the error message echoes the whole key back, as a careless proxy might",
    "quota": "the account has no credit: 429 insufficient_quota",
    "rate-limited": "429 rate_limit_exceeded with retry-after and exhausted headers",
    "missing-model": "the model is not in the list; completions get 404 model_not_found",
    "slow": "completions take 3 s",
    "broken-json": "JSON mode returns the JSON inside a ``` fence",
    "html-portal": "a captive portal answers every request with an HTML login page",
    "no-headers": "healthy, but no x-ratelimit-* headers (like many compatible servers)",
    "context-exceeded": "completions get 400 context_length_exceeded",
    "server-error": "every request gets 500",
    "bad-gateway": "every request gets a 502 HTML page from a proxy",
    "empty-reply": "the reply's content is null (finish_reason content_filter)",
    "truncated": "the reply is cut off (finish_reason length)",
    "param-unsupported": "the model rejects max_tokens and wants max_completion_tokens",
    "invalid-json": "200 with a body that is not JSON",
    "huge-body": "200 with a 5 MB body",
    "redirect": "302 to another host",
    "hang": "accepts the connection and never answers",
    "trickle": "sends headers, then one byte at a time",
}
DEMO_SCENARIOS = tuple(list(SCENARIOS)[:12])  # the ones `llm-doctor demo` offers
MODELS = ("gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "o4-mini", "text-embedding-3-small")
SLOW_SECONDS = 3.0
HELLO = "Hello there, nice to meet you!"
PORTAL = b"<html><head><title>Hotel WiFi - Please log in</title></head><body>Accept the terms</body></html>"


@dataclass
class Seen:
    """What the sandbox received: for tests that count requests and follow the key."""

    method: str
    path: str
    authorization: str
    body: Any


@dataclass
class Sandbox:
    scenario: str = "healthy"
    latency: float = 0.0
    seen: list[Seen] = field(default_factory=list)
    tokens_counted: int = 0  # the usage.total_tokens of every reply it sent
    _server: ThreadingHTTPServer | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        if self.scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {self.scenario!r}; choose from: {', '.join(SCENARIOS)}")

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the sandbox first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> "Sandbox":
        sandbox = self

        class Handler(_Handler):
            box = sandbox

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="llm-doctor-sandbox", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> "Sandbox":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait(self, seconds: float) -> None:
        """Sleeps, but wakes at once when the sandbox stops."""
        self._stopping.wait(seconds)

    def completions(self) -> list[Seen]:
        return [s for s in self.seen if s.path.endswith("/chat/completions")]


def _error(message: str, type_: str, code: str | None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def _rate_headers(remaining_requests: int = 499, remaining_tokens: int = 199_950) -> dict[str, str]:
    return {"x-ratelimit-limit-requests": "500", "x-ratelimit-remaining-requests": str(remaining_requests),
            "x-ratelimit-reset-requests": "120ms", "x-ratelimit-limit-tokens": "200000",
            "x-ratelimit-remaining-tokens": str(remaining_tokens), "x-ratelimit-reset-tokens": "6m0s"}


class _Handler(BaseHTTPRequestHandler):
    box: Sandbox
    protocol_version = "HTTP/1.1"
    server_version = "llm-doctor-sandbox"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        """Quiet: a sandbox must not write to the terminal the report is on."""

    # -- plumbing ---------------------------------------------------------------------
    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None,
              content_type: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:24]}")
        self.send_header("openai-processing-ms", str(int(self.box.latency * 1000)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _read_body(self) -> Any:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def do_GET(self) -> None:  # noqa: N802 - stdlib's name
        self._handle(None)

    def do_POST(self) -> None:  # noqa: N802 - stdlib's name
        self._handle(self._read_body())

    # -- behaviour --------------------------------------------------------------------
    def _handle(self, body: Any) -> None:
        box = self.box
        auth = self.headers.get("authorization", "")
        box.seen.append(Seen(self.command, self.path, auth, body))
        box.wait(box.latency)
        if self._transport_scenario():
            return
        key = auth.removeprefix("Bearer ").strip()
        if not key:
            return self._send(401, _error("You didn't provide an API key. You need to provide your API key in an "
                                          "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                                          "invalid_request_error", None))
        scenario = box.scenario
        if scenario in ("bad-key", "echo-key"):
            shown = key if scenario == "echo-key" else f"{key[:3]}***{key[-4:]}"
            return self._send(401, _error(f"Incorrect API key provided: {shown}. You can find your API key at "
                                          "https://platform.openai.com/account/api-keys.",
                                          "invalid_request_error", "invalid_api_key"))
        if scenario == "server-error":
            return self._send(500, _error("The server had an error while processing your request. Sorry about that!",
                                          "server_error", None))
        if self.path.rstrip("/").endswith("/models") and self.command == "GET":
            return self._models()
        if self.path.rstrip("/").endswith("/chat/completions") and self.command == "POST":
            return self._completion(body if isinstance(body, dict) else {})
        return self._send(404, _error(f"Invalid URL ({self.command} {self.path})", "invalid_request_error", None))

    def _transport_scenario(self) -> bool:
        """Scenarios where what answers is not the API: portals, proxies, broken servers."""
        scenario = self.box.scenario
        if scenario == "html-portal":
            self._send(200, PORTAL, content_type="text/html")
        elif scenario == "bad-gateway":
            self._send(502, b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
                       content_type="text/html")
        elif scenario == "invalid-json":
            self._send(200, b'{"object": "list", "data": [', content_type="application/json")
        elif scenario == "huge-body":
            self._send(200, b"[" + b'"x",' * (5 * 1024 * 1024 // 4) + b'"x"]', content_type="application/json")
        elif scenario == "redirect":
            self._send(302, b"", headers={"location": "http://collector.example.invalid/v1/models"})
        elif scenario == "hang":
            self.box.wait(120)
            self.close_connection = True
        elif scenario == "trickle":
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", "100000")
            self.end_headers()
            for _ in range(600):
                if self.box._stopping.is_set():
                    break
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.2)
            self.close_connection = True
        else:
            return False
        return True

    def _models(self) -> None:
        models = MODELS
        if self.box.scenario == "missing-model":
            models = ("gpt-4o-mini-2024-07-18", "gpt-4o", "gpt-4.1-nano")
        data = [{"id": m, "object": "model", "created": 1715367049, "owned_by": "system"} for m in models]
        self._send(200, {"object": "list", "data": data})

    def _completion(self, body: dict[str, Any]) -> None:
        box, scenario = self.box, self.box.scenario
        model = body.get("model", "")
        messages = body.get("messages") or []
        text = " ".join(str(m.get("content", "")) for m in messages if isinstance(m, dict))
        if scenario == "quota":
            return self._send(429, _error("You exceeded your current quota, please check your plan and billing "
                                          "details. For more information on this error, read the docs: "
                                          "https://platform.openai.com/docs/guides/error-codes/api-errors.",
                                          "insufficient_quota", "insufficient_quota"))
        if scenario == "rate-limited":
            return self._send(429, _error(f"Rate limit reached for {model} in organization org-sandbox on requests "
                                          "per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.",
                                          "requests", "rate_limit_exceeded"),
                              headers={"retry-after": "20", **_rate_headers(0, 199_000)})
        if scenario == "missing-model" or model not in MODELS:
            return self._send(404, _error(f"The model `{model}` does not exist or you do not have access to it.",
                                          "invalid_request_error", "model_not_found"))
        if scenario == "context-exceeded":
            return self._send(400, _error("This model's maximum context length is 128000 tokens. However, your "
                                          "messages resulted in 130000 tokens. Please reduce the length of the "
                                          "messages.", "invalid_request_error", "context_length_exceeded", "messages"))
        if scenario == "param-unsupported" and "max_tokens" in body:
            return self._send(400, _error("Unsupported parameter: 'max_tokens' is not supported with this model. "
                                          "Use 'max_completion_tokens' instead.", "invalid_request_error",
                                          "unsupported_parameter", "max_tokens"))
        json_mode = (body.get("response_format") or {}).get("type") == "json_object"
        if json_mode and "json" not in text.lower():
            return self._send(400, _error("'messages' must contain the word 'json' in some form, to use "
                                          "'response_format' of type 'json_object'.", "invalid_request_error",
                                          None, "messages"))
        if scenario == "slow":
            box.wait(SLOW_SECONDS)
        self._reply(body, text, json_mode)

    def _reply(self, body: dict[str, Any], text: str, json_mode: bool) -> None:
        scenario = self.box.scenario
        cap = body.get("max_tokens") or body.get("max_completion_tokens") or 256
        content: str | None = HELLO
        finish = "stop"
        if json_mode:
            content = '```json\n{"ok": true}\n```' if scenario == "broken-json" else '{"ok": true}'
        if scenario == "empty-reply":
            content, finish = None, "content_filter"
        completion_tokens = len((content or "").split()) + 2 if content else 0
        if cap < completion_tokens or scenario == "truncated":
            completion_tokens = min(cap, max(completion_tokens, 1))
            content, finish = " ".join((content or "").split()[: max(completion_tokens - 1, 1)]), "length"
        prompt_tokens = len(text) // 4 + 3 * max(1, text.count(" ") // 50) + 8
        response = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model"), "system_fingerprint": "fp_sandbox",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None},
                         "logprobs": None, "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        }
        headers = {} if scenario == "no-headers" else _rate_headers()
        self.box.tokens_counted += prompt_tokens + completion_tokens
        self._send(200, response, headers=headers)
