"""A hostile OpenAI-compatible server for the tests: each test scripts exactly what it answers.

Unlike doctor/sandbox.py (realistic scenarios for the demo), this one sends what an
attacker or a broken proxy would: keys echoed in bodies, headers and replies, control
characters, redirects, endless or compressed bodies, malformed status lines. A route is
a function of the request that writes raw bytes, so anything can be sent.
"""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

Route = Callable[["Request"], bytes | None]


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    connection: socket.socket


def response(status: int, body: Any = b"", headers: dict[str, str] | None = None,
             reason: str = "OK", content_type: str = "application/json") -> bytes:
    """Raw HTTP/1.1 bytes; `reason` and header values are sent exactly as given."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    lines = [f"HTTP/1.1 {status} {reason}", f"content-type: {content_type}", f"content-length: {len(data)}",
             "connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + data


def completion(content: str | None, *, model: str = "gpt-4o-mini", finish: str = "stop", usage: Any = None) -> dict:
    usage = {"prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12} if usage is None else usage
    return {"id": "chatcmpl-x", "object": "chat.completion", "created": 1, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}],
            "usage": usage}


def models(*ids: str, **extra: Any) -> dict:
    return {"object": "list", "data": [{"id": i, "object": "model", "owned_by": "x", **extra} for i in ids]}


@dataclass
class Hostile:
    """Routes by (method, path suffix); unmatched requests get a healthy default."""

    routes: dict[tuple[str, str], Route] = field(default_factory=dict)
    seen: list[Request] = field(default_factory=list)
    _server: socketserver.ThreadingTCPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    def route(self, method: str, suffix: str, answer: Route | bytes) -> "Hostile":
        self.routes[(method, suffix)] = answer if callable(answer) else (lambda request, data=answer: data)
        return self

    def default(self, request: Request) -> bytes:
        if request.path.endswith("/models"):
            return response(200, models("gpt-4o-mini"))
        return response(200, completion("Hello there!"))

    def answer(self, request: Request) -> bytes | None:
        for (method, suffix), route in self.routes.items():
            if request.method == method and request.path.rstrip("/").endswith(suffix):
                return route(request)
        return self.default(request)

    def __enter__(self) -> "Hostile":
        hostile = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                request = _read_request(self.rfile, self.connection)
                if request is None:
                    return
                hostile.seen.append(request)
                data = hostile.answer(request)
                if data:
                    try:
                        self.wfile.write(data)
                    except OSError:
                        pass

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()


def _read_request(stream: Any, connection: socket.socket) -> Request | None:
    first = stream.readline(65536).decode("latin-1").strip()
    if not first:
        return None
    method, path, *_ = first.split(" ") + ["", ""]
    headers: dict[str, str] = {}
    while (line := stream.readline(65536).decode("latin-1")) not in ("\r\n", "\n", ""):
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length") or 0)
    raw = stream.read(length) if length else b""
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = None
    return Request(method, path, headers, body, connection)


def trickle(request: Request, seconds: float = 60.0) -> None:
    """Headers at once, then one byte every 0.2 s: no read ever times out."""
    request.connection.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n")
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            request.connection.sendall(b" ")
            time.sleep(0.2)
    except OSError:
        pass


def endless(request: Request) -> None:
    """A 200 whose body never ends."""
    request.connection.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n[")
    chunk = b'"x",' * 16384
    try:
        while True:
            request.connection.sendall(chunk)
    except OSError:
        pass
