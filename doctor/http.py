"""One careful HTTP request at a time: the only way the live checks touch the network.

Rules the probes rely on: the key goes only to the configured base URL (redirects are
never followed), bodies are capped, every request has a hard deadline, nothing is
retried, and transport failures come back as data (`Failure`), never as exceptions.
httpx is imported here, and only when a live check runs.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlsplit

from doctor.namedtuples import named_tuple

MAX_BODY_BYTES = 1024 * 1024


@named_tuple
class Reply:
    """What the server answered, with at most MAX_BODY_BYTES of its body."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    elapsed: float
    truncated: bool = False
    chunks: tuple[float, ...] = ()  # when each piece of the body arrived, in seconds from the start
    queued: bool = False  # the answer waited for another of the doctor's requests to the same server

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def json(self) -> Any | None:
        """The parsed body, or None when it is not JSON (or nested too deeply to parse)."""
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):
            return None

    def error(self) -> Mapping[str, Any]:
        """The API's `error` object (type, code, message, param), or {}."""
        data = self.json()
        inner = data.get("error") if isinstance(data, dict) else None
        return inner if isinstance(inner, dict) else {}

    def text(self) -> str:
        """The whole (capped) body as text; clean it before cutting it (Redactor.excerpt)."""
        return self.body.decode("utf-8", "replace")


@named_tuple
class Failure:
    """The request never got an HTTP answer. `kind` is one of: dns, refused, connect, tls,
    proxy, timeout, protocol, url, header."""

    kind: str
    detail: str
    elapsed: float
    proxy: str | None = None
    setting: bool = False  # a proxy or CA setting was unusable: nothing was sent
    answered: bool = False  # (timeouts) the server sent its headers but the body never completed


Outcome = Reply | Failure


class BadSetting(Exception):
    """A proxy or CA setting the SDK's transport cannot use: reported as a finding, never sent."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind, self.detail = kind, detail


PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


def proxy_variable(url: str, environ: Mapping[str, str]) -> tuple[str, str] | None:
    """The variable (name, value) whose proxy the SDK's transport would use for `url`, honouring NO_PROXY."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    no_proxy = environ.get("NO_PROXY", environ.get("no_proxy", ""))
    for entry in (e.strip().lower().lstrip(".") for e in no_proxy.split(",") if e.strip()):
        if entry == "*" or host == entry or host.endswith("." + entry):
            return None
    names = ("HTTPS_PROXY", "https_proxy") if parts.scheme == "https" else ("HTTP_PROXY", "http_proxy")
    for name in (*names, "ALL_PROXY", "all_proxy"):
        if environ.get(name):
            return name, environ[name]
    return None


def proxy_for(url: str, environ: Mapping[str, str]) -> str | None:
    found = proxy_variable(url, environ)
    return found[1] if found else None


def check_proxy(name: str, value: str) -> None:
    """Raises BadSetting when httpx would reject or misread the proxy URL. The password is
    never part of the message: only which characters need encoding."""
    text = value.strip()
    if "://" not in text:
        raise BadSetting("proxy", f"{name} has no scheme: httpx (and so the openai SDK) rejects it; "
                                  f"write it as http://host:port")
    scheme, rest = text.split("://", 1)
    if scheme.lower() not in ("http", "https", "socks5", "socks5h"):
        raise BadSetting("proxy", f"{name} uses the scheme {scheme!r}, which httpx does not support")
    authority = rest.split("/", 1)[0]
    if "@" in rest and "@" not in authority or authority.count("@") > 1 or \
            ("@" in authority and any(c in authority.rsplit("@", 1)[0] for c in "#?/ ")):
        raise BadSetting("proxy", f"{name}: the user name or password holds characters that must be "
                                  "percent-encoded (@ as %40, # as %23, / as %2F, ? as %3F, a space as %20); "
                                  "as written, the proxy's host is misread")
    if not urlsplit(text).hostname:
        raise BadSetting("proxy", f"{name} names no host")


def build_client(base_url: str, environ: Mapping[str, str], timeout: float) -> Any:
    """An AsyncClient configured from the given environment only (trust_env off), so that
    tests can inject proxies and CA files without touching the real environment.

    Raises BadSetting for a proxy or CA setting that the SDK's transport could not use either.
    """
    import ssl

    import httpx

    verify: Any = True
    cafile, capath = environ.get("SSL_CERT_FILE"), environ.get("SSL_CERT_DIR")
    if cafile or capath:
        try:
            verify = ssl.create_default_context(cafile=cafile or None, capath=capath or None)
        except (OSError, ssl.SSLError) as error:
            which = "SSL_CERT_FILE" if cafile else "SSL_CERT_DIR"
            raise BadSetting("tls", f"{which} cannot be used: {getattr(error, 'strerror', None) or error}") from None
    proxy = proxy_variable(base_url, environ)
    if proxy is not None:
        check_proxy(*proxy)
    try:
        return httpx.AsyncClient(
            # Reads have no timeout of their own: request() enforces each request's deadline, which slides
            # while a server that answers one request at a time serves the doctor's other requests.
            timeout=httpx.Timeout(None, connect=min(5.0, timeout)),
            follow_redirects=False,
            trust_env=False,
            **{proxy_option(httpx): proxy[1].strip() if proxy else None},
            verify=verify,
            headers={"user-agent": "llm-doctor", "accept-encoding": "gzip, deflate"},
        )
    except (ValueError, TypeError, httpx.InvalidURL) as error:
        raise BadSetting("proxy" if proxy else "url", f"{proxy[0] if proxy else 'the base URL'}: {error}") from None


def proxy_option(httpx: Any) -> str:
    """httpx 0.26 renamed AsyncClient's `proxies` to `proxy` and 0.28 dropped `proxies`: the
    doctor shares the project's httpx when installed beside it, so it speaks both."""
    import inspect

    return "proxy" if "proxy" in inspect.signature(httpx.AsyncClient.__init__).parameters else "proxies"


# The live run as a whole may take this many times --timeout: each request's deadline slides on while
# a one-at-a-time server answers the others, but never past the run's own end.
RUN_TIMEOUTS = 2


@dataclass
class Progress:
    """When the doctor's requests to one server last got an answer. A server that answers one
    request at a time (a local model) queues the doctor's concurrent requests; each one's
    deadline then counts from the last answer, not from when it was sent. The slide stops at
    the live run's own deadline (RUN_TIMEOUTS x --timeout from its first request): a server
    that answers each request just before its timeout cannot stretch a 5 s run to 18 s."""

    last_answer: float = 0.0
    in_flight: int = 0
    first_sent: float | None = None

    def until(self, start: float, timeout: float) -> float:
        """When a request sent at `start` runs out of time: `timeout` after the later of its start
        and the last answer, and never after the run's own end."""
        if self.first_sent is None:
            self.first_sent = start
        return min(max(start, self.last_answer) + timeout, self.run_end(timeout))

    def run_end(self, timeout: float) -> float:
        return (self.first_sent or time.perf_counter()) + RUN_TIMEOUTS * timeout


async def request(client: Any, method: str, url: str, *, headers: Mapping[str, str], deadline: float,
                  json_body: Any = None, proxy: str | None = None, progress: Progress | None = None) -> Outcome:
    """Sends one request and reads a capped body before `deadline` seconds pass (counted from the
    later of its start and the last answer to another of the doctor's requests, given `progress`)."""
    start = time.perf_counter()
    arrivals: list[float] = []
    state = {"headers": False}
    busy_at_start = progress is not None and progress.in_flight > 0

    async def exchange() -> Reply:
        async with client.stream(method, url, headers=dict(headers), json=json_body) as response:
            state["headers"] = True
            body, truncated = bytearray(), False
            async for chunk in response.aiter_raw():
                arrivals.append(time.perf_counter() - start)
                body += chunk
                if len(body) > MAX_BODY_BYTES:
                    body, truncated = body[:MAX_BODY_BYTES], True
                    break
            encoding = response.headers.get("content-encoding", "").lower()
            data = _decoded(bytes(body), encoding) if encoding in ("gzip", "deflate") and not truncated else bytes(body)
            return Reply(response.status_code, {k.lower(): v for k, v in response.headers.items()}, data,
                         time.perf_counter() - start, truncated or len(data) > MAX_BODY_BYTES, tuple(arrivals))

    if progress is not None:
        progress.in_flight += 1
    task = asyncio.ensure_future(exchange())
    try:
        while True:
            limit = progress.until(start, deadline) if progress is not None else start + deadline
            done, _ = await asyncio.wait({task}, timeout=max(limit - time.perf_counter(), 0))
            if done:
                break
            if progress is None or progress.until(start, deadline) <= limit:  # no answer moved the deadline on
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                what = "the answer started but did not finish" if state["headers"] else "no answer"
                run_out = progress is not None and limit >= progress.run_end(deadline)
                within = f"the live run's {RUN_TIMEOUTS * deadline:g} s ({RUN_TIMEOUTS} x --timeout, for all of " \
                         f"the doctor's requests together)" if run_out else f"{deadline:g} s"
                return Failure("timeout", f"{what} within {within}", time.perf_counter() - start, proxy,
                               answered=state["headers"])
        reply = task.result()
        if progress is not None:
            queued = busy_at_start and progress.last_answer > start
            progress.last_answer = time.perf_counter()
            return Reply(reply.status, reply.headers, reply.body, reply.elapsed, reply.truncated, reply.chunks, queued)
        return reply
    except asyncio.CancelledError:
        task.cancel()
        raise
    except Exception as error:  # noqa: BLE001 - every transport error becomes data
        kind, detail = classify_exception(error, proxy)
        return Failure(kind, detail, time.perf_counter() - start, proxy, answered=state["headers"])
    finally:
        if progress is not None:
            progress.in_flight -= 1


def _decoded(body: bytes, encoding: str) -> bytes:
    """A gzip or deflate body decoded, never past MAX_BODY_BYTES + 1 (a gzip bomb stops there)."""
    import zlib

    try:
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS)
        return decoder.decompress(body, MAX_BODY_BYTES + 1)
    except zlib.error:
        return body


def classify_exception(error: BaseException, proxy: str | None) -> tuple[str, str]:
    """Names a transport failure from the exception and its causes, not from message text alone."""
    import ssl

    import httpx

    chain = _causes(error)
    said = " | ".join(dict.fromkeys(str(e) for e in chain if str(e)))[:300] or type(error).__name__
    if isinstance(error, (UnicodeEncodeError, httpx.LocalProtocolError)):
        return "header", "the key cannot be sent in an HTTP header (whitespace or non-ASCII characters)"
    if isinstance(error, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return "url", said
    if isinstance(error, httpx.ProxyError):
        return "proxy", said
    if isinstance(error, httpx.TimeoutException):
        return ("connect" if isinstance(error, httpx.ConnectTimeout) else "timeout"), said
    if isinstance(error, httpx.ConnectError):
        if any(isinstance(e, ssl.SSLError) for e in chain) or "CERTIFICATE_VERIFY_FAILED" in said or "SSL" in said:
            return "tls", said
        if proxy:
            return "proxy", said
        if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in said.lower():
            return "refused", said
        lowered = said.lower()
        if any(s in lowered for s in ("name or service not known", "nodename nor servname", "name resolution",
                                      "getaddrinfo", "no address associated")):
            return "dns", said
        return "connect", said
    if isinstance(error, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return "protocol", said
    return "protocol", f"{type(error).__name__}: {said}"


def _causes(error: BaseException) -> list[BaseException]:
    chain, seen = [], set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain
