"""A small OpenAI-compatible API on 127.0.0.1 with scripted failures, for the demo and the tests.

Each scenario answers the way a real API, a real local server or a real proxy does in that
situation, with the same status codes, error bodies and headers (failure-modes.md), so the
doctor is shown and tested against realistic answers with no key and no network. Only the
standard library is used, and only loopback is ever bound.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterable

from doctor.sandbox_replies import (COUNTING, HELLO, PRECISE_FAILURES, completion, openai_error, rate_headers,
                                    stream_events, usage)

SCENARIOS = {
    "healthy": "everything works, with rate-limit headers",
    "bad-key": "every request gets 401 invalid_api_key",
    "echo-key": "401, and the error message echoes the whole key back, as a careless proxy might",
    "quota": "the account has no credit: 429 insufficient_quota",
    "rate-limited": "429 rate_limit_exceeded: 3 requests a minute, retry after 20 s",
    "missing-model": "the model is not in the list; completions get 404 model_not_found",
    "slow": "completions take 3 s",
    "broken-json": "JSON mode returns the JSON inside a ``` fence",
    "html-portal": "a captive portal answers every request with an HTML login page",
    "no-headers": "healthy, but no x-ratelimit-* headers (like many compatible servers)",
    "context-exceeded": "completions get 400 context_length_exceeded",
    "server-error": "every request gets 500",
    "local-model": "a local server: one request at a time, any model name answered, no usage, no rate limits",
    "small-context": "a local server whose model has a 256-token window, as its /models says",
    "gateway": "a gateway's 429: the code is the status as a string, retry-after-ms, a suffix on the message",
    "buffered-stream": "a proxy that buffers streams: every chunk arrives at once",
    "bad-gateway": "every request gets a 502 HTML page from a proxy",
    "empty-reply": "the reply's content is null (finish_reason content_filter)",
    "truncated": "the reply is cut off (finish_reason length)",
    "param-unsupported": "the model rejects max_tokens and wants max_completion_tokens",
    "invalid-json": "200 with a body that is not JSON",
    "huge-body": "200 with a 5 MB body",
    "redirect": "302 to another host",
    "hang": "accepts the connection and never answers",
    "trickle": "sends headers, then one byte at a time",
    "detail-401": "401 with a FastAPI body: {\"detail\": \"Invalid API key\"}",
    "string-codes": "errors whose code is the HTTP status as a string (\"429\"), with retry-after-ms",
    "model-400": "an unknown model is a 400 with code model_not_found, as some gateways send",
    "unlisted-model": "/models lists other models, but completions answer any name",
    "no-usage": "replies carry no token usage",
    "stream-unsupported": "stream_options is refused with a 400",
    "stream-malformed": "a frame of the stream is not JSON",
    "stream-error": "an error object arrives in the middle of the stream",
    "stream-nonstandard": "the stream is text/plain, with no usage chunk and no [DONE]",
    "serial": "answers one request at a time, like a local model",
    "too-large": "429 'Request too large': one request asks for more than the whole minute's tokens",
    "content-filter": "Azure's content filter blocks every prompt: 400 content_filter",
    "unverified-org": "streaming this model needs a verified organization (400); plain calls work",
    "overloaded": "/models answers, but every completion gets 503 'overloaded'",
}
# The ones `llm-doctor demo --list` offers a person; the others exist for the tests (a hang, a redirect,
# a gzip bomb...), and `demo NAME` runs them too.
DEMO_SCENARIOS = (*list(SCENARIOS)[:16], "too-large", "content-filter", "unverified-org", "overloaded")
TEST_SCENARIOS = tuple(name for name in SCENARIOS if name not in DEMO_SCENARIOS)
MODELS = ("gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "o4-mini", "text-embedding-3-small")
LOCAL_MODEL = "qwen2.5-0.5b-instruct"
SLOW_SECONDS = 3.0
CHUNK_GAP = 0.01  # seconds between the chunks of a stream
PORTAL = b"<html><head><title>Hotel WiFi - Please log in</title></head><body>Accept the terms</body></html>"
ANY_MODEL = ("local-model", "small-context", "unlisted-model")  # answer whatever model is asked for
ONE_AT_A_TIME = ("local-model", "small-context", "serial")
NO_USAGE = ("local-model", "small-context", "no-usage")


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
    most_at_once: int = 0  # the most requests it was answering at the same time
    _server: ThreadingHTTPServer | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)
    _one_at_a_time: threading.Lock = field(default_factory=threading.Lock)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _busy: int = 0

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

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
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

    def max_tokens_asked(self) -> int:
        return sum((s.body or {}).get("max_tokens") or (s.body or {}).get("max_completion_tokens") or 0
                   for s in self.completions())

    def count(self, delta: int) -> None:
        with self._lock:
            self._busy += delta
            self.most_at_once = max(self.most_at_once, self._busy)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up early (a probe past its deadline) is normal here: nothing to print."""


class _Handler(BaseHTTPRequestHandler):
    box: Sandbox
    protocol_version = "HTTP/1.1"
    server_version = "llm-doctor-sandbox"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        """Quiet: a sandbox must not write to the terminal the report is on."""

    # -- plumbing ---------------------------------------------------------------------
    def _headers(self, status: int, content_type: str, length: int | None, headers: dict[str, str] | None) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        if length is None:
            self.send_header("connection", "close")
            self.close_connection = True
        else:
            self.send_header("content-length", str(length))
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:24]}")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None,
              content_type: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self._headers(status, content_type, len(data), headers)
        self.wfile.write(data)

    def _stream(self, events: Iterable[bytes], headers: dict[str, str], content_type: str = "text/event-stream",
                gap: float = CHUNK_GAP) -> None:
        self._headers(200, content_type, None, headers)
        for event in events:
            self.wfile.write(event)
            self.wfile.flush()
            if gap:
                self.box.wait(gap)

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
        box.seen.append(Seen(self.command, self.path, self.headers.get("authorization", ""), body))
        serial = box.scenario in ONE_AT_A_TIME and self.path.rstrip("/").endswith("/chat/completions")
        if serial:
            box._one_at_a_time.acquire()
        box.count(1)
        try:
            box.wait(box.latency)
            self._answer(body)
        finally:
            box.count(-1)
            if serial:
                box._one_at_a_time.release()

    def _answer(self, body: Any) -> None:
        if self._transport_scenario():
            return
        key = self.headers.get("authorization", "").removeprefix("Bearer ").strip()
        scenario = self.box.scenario
        if not key:
            return self._send(401, openai_error("You didn't provide an API key. You need to provide your API key in "
                                                "an Authorization header using Bearer auth (i.e. Authorization: "
                                                "Bearer YOUR_KEY).", "invalid_request_error", None))
        if scenario in ("bad-key", "echo-key"):
            shown = key if scenario == "echo-key" else f"{key[:3]}***{key[-4:]}"
            return self._send(401, openai_error(f"Incorrect API key provided: {shown}. You can find your API key at "
                                                "https://platform.openai.com/account/api-keys.",
                                                "invalid_request_error", "invalid_api_key"))
        if scenario == "detail-401":
            return self._send(401, {"detail": "Invalid API key"})
        if scenario == "server-error":
            return self._send(500, openai_error("The server had an error while processing your request. Sorry about "
                                                "that!", "server_error", None))
        if self.path.rstrip("/").endswith("/models") and self.command == "GET":
            return self._models()
        if self.path.rstrip("/").endswith("/chat/completions") and self.command == "POST":
            return self._completion(body if isinstance(body, dict) else {})
        return self._send(404, openai_error(f"Invalid URL ({self.command} {self.path})", "invalid_request_error", None))

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
            self._stream((b" " for _ in range(600)), {}, content_type="application/json", gap=0.2)
        else:
            return False
        return True

    def _models(self) -> None:
        scenario = self.box.scenario
        if scenario in ("local-model", "small-context"):
            window = 256 if scenario == "small-context" else 32_768
            data = [{"id": LOCAL_MODEL, "object": "model", "owned_by": "llamacpp",
                     "meta": {"n_ctx_train": 32_768, "n_ctx": window}, "max_model_len": window}]
            return self._send(200, {"object": "list", "data": data})
        models = MODELS
        if scenario == "missing-model":
            models = ("gpt-4o-mini-2024-07-18", "gpt-4o", "gpt-4.1-nano")
        elif scenario == "unlisted-model":
            models = ("some-other-model",)
        data = [{"id": m, "object": "model", "created": 1715367049, "owned_by": "system", "context_window": 128_000}
                for m in models]
        self._send(200, {"object": "list", "data": data})

    def _completion(self, body: dict[str, Any]) -> None:
        scenario, model = self.box.scenario, str(body.get("model", ""))
        failure = self._completion_failure(scenario, model, body)
        if failure is not None:
            return self._send(*failure)
        if scenario == "slow":
            self.box.wait(SLOW_SECONDS)
        self._reply(body)

    def _completion_failure(self, scenario: str, model: str, body: dict[str, Any]) -> tuple | None:
        """The error a scenario answers a completion with: (status, body, headers), or None."""
        text = " ".join(str(m.get("content", "")) for m in body.get("messages") or [] if isinstance(m, dict))
        if scenario == "quota":
            return 429, openai_error("You exceeded your current quota, please check your plan and billing details. "
                                     "For more information on this error, read the docs: https://platform.openai.com/"
                                     "docs/guides/error-codes/api-errors.", "insufficient_quota",
                                     "insufficient_quota"), {}
        if scenario == "rate-limited":
            return 429, openai_error(f"Rate limit reached for {model} in organization org-sandbox on requests per min "
                                     "(RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.", "requests",
                                     "rate_limit_exceeded"), {"retry-after": "20", **rate_headers(3, 0, "20s")}
        precise = PRECISE_FAILURES.get(scenario)
        if precise is not None and (scenario != "unverified-org" or body.get("stream")):
            return precise(model)
        if scenario in ("string-codes", "gateway"):
            return 429, openai_error("litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached. "
                                     "Received Model Group=" + model + "\nAvailable Model Group Fallbacks=None",
                                     "None", "429"), {"retry-after-ms": "1500", **rate_headers(60, 0, "1.5s")}
        if scenario == "model-400" and model != "gpt-4o":
            return 400, openai_error(f"/chat/completions: Invalid model name passed in model={model}. Call "
                                     "`/v1/models` to view available models for your key.", "invalid_request_error",
                                     "model_not_found"), {}
        if scenario == "missing-model" or (model not in MODELS and scenario not in ANY_MODEL and
                                           scenario != "model-400"):
            return 404, openai_error(f"The model `{model}` does not exist or you do not have access to it.",
                                     "invalid_request_error", "model_not_found"), {}
        if scenario == "context-exceeded":
            return 400, openai_error("This model's maximum context length is 128000 tokens. However, your messages "
                                     "resulted in 130000 tokens. Please reduce the length of the messages.",
                                     "invalid_request_error", "context_length_exceeded", "messages"), {}
        if scenario == "param-unsupported" and "max_tokens" in body:
            return 400, openai_error("Unsupported parameter: 'max_tokens' is not supported with this model. Use "
                                     "'max_completion_tokens' instead.", "invalid_request_error",
                                     "unsupported_parameter", "max_tokens"), {}
        if scenario == "stream-unsupported" and body.get("stream_options"):
            return 400, openai_error("stream_options is not supported by this server", "invalid_request_error",
                                     None, "stream_options"), {}
        json_mode = (body.get("response_format") or {}).get("type") == "json_object"
        if json_mode and "json" not in text.lower():
            return 400, openai_error("'messages' must contain the word 'json' in some form, to use "
                                     "'response_format' of type 'json_object'.", "invalid_request_error", None,
                                     "messages"), {}
        return None

    def _reply(self, body: dict[str, Any]) -> None:
        scenario = self.box.scenario
        cap = body.get("max_tokens") or body.get("max_completion_tokens") or 256
        json_mode = (body.get("response_format") or {}).get("type") == "json_object"
        prompt = " ".join(str(m.get("content", "")) for m in body.get("messages") or [] if isinstance(m, dict))
        content: str | None = COUNTING if body.get("stream") else HELLO
        if json_mode:
            content = '```json\n{"ok": true}\n```' if scenario == "broken-json" else '{"ok": true}'
        finish = "stop"
        if scenario == "empty-reply":
            content, finish = None, "content_filter"
        words = (content or "").split()
        written = len(words) + 2 if content else 0
        if cap < written or scenario == "truncated":
            written = min(cap, max(written, 1))
            words, finish = words[: max(written - 1, 1)], "length"
            content = " ".join(words)
        counted = None if scenario in NO_USAGE or scenario == "stream-nonstandard" else usage(prompt, written)
        if counted is not None:
            self.box.tokens_counted += counted["total_tokens"]
        model = str(body.get("model", ""))
        headers = {} if scenario in ("no-headers", *NO_USAGE) else rate_headers()
        if body.get("stream"):
            return self._stream_reply(scenario, model, words, finish, counted, headers)
        self._send(200, completion(model, content, finish, counted), headers=headers)

    def _stream_reply(self, scenario: str, model: str, words: list[str], finish: str,
                      counted: dict[str, int] | None, headers: dict[str, str]) -> None:
        asked_usage = counted is not None
        events = stream_events(model, words, finish, counted if asked_usage else None,
                               done=scenario != "stream-nonstandard",
                               break_at=2 if scenario == "stream-malformed" else None,
                               error_at=2 if scenario == "stream-error" else None)
        if scenario == "buffered-stream":
            self.box.wait(0.1)
            return self._stream([b"".join(events)], headers)
        content_type = "text/plain" if scenario == "stream-nonstandard" else "text/event-stream"
        self._stream(events, headers, content_type)
