"""Names the diagnosis behind a pasted error message or traceback.

Structure first: the HTTP status (`Error code: 429`), the error object's `type` and
`code` (in whichever form the SDK printed it: a Python dict in openai 1.x-3.3, a bare
message in newer 3.x, `openai.error.*` in 0.28), and the exception class. Message
wording only adds weight on top. Every code collects evidence and a score; a weak or
missing winner is reported as unknown, with the closest candidates, never as certain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from checks.catalogue import CATALOGUE, Diagnosis

MAX_ANALYSED = 256 * 1024  # the head and tail of huge input: tracebacks end with the error
HIGH, MEDIUM = 9, 5

_STATUS = (
    re.compile(r"Error code: (\d{3})"),
    re.compile(r"status(?:_code)?[=:\s]+(\d{3})\b", re.I),
    re.compile(r"HTTP/\d(?:\.\d)? (\d{3})"),
    re.compile(r"<Response \[(\d{3})\]>"),
    re.compile(r"\b(\d{3}) (?:Unauthorized|Forbidden|Too Many Requests|Not Found|Bad Request|Payment Required|"
               r"Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)\b", re.I),
)
_FIELD = r"""['"]{name}['"]\s*:\s*['"]([A-Za-z0-9_.\-]+)['"]"""
_ERROR_CODE = re.compile(_FIELD.format(name="code"))
_ERROR_TYPE = re.compile(_FIELD.format(name="type"))
_EXCEPTION = re.compile(r"\b(?:openai\.(?:error\.|_exceptions\.)?|httpx\.|httpcore\.|requests\.exceptions\.|"
                        r"json\.decoder\.)?([A-Z][A-Za-z]*(?:Error|Exception|Timeout|V1))\b")

# Structured evidence: the error object's code or type.
BY_ERROR_CODE = {
    "insufficient_quota": ("quota-exhausted", 12), "credit_balance_exhausted": ("quota-exhausted", 12),
    "rate_limit_exceeded": ("rate-limited", 10), "invalid_api_key": ("auth-invalid-key", 12),
    "mismatched_organization": ("auth-invalid-key", 9), "context_length_exceeded": ("context-over-limit", 12),
    "model_not_found": ("model-not-found", 12), "unsupported_country_region_territory": ("region-unsupported", 14),
    "unsupported_parameter": ("param-unsupported", 11), "unsupported_value": ("param-unsupported", 10),
    "tokens": ("rate-limited", 6), "requests": ("rate-limited", 6), "server_error": ("server-error", 8),
    "DeploymentNotFound": ("model-not-found", 8), "authentication_error": ("auth-invalid-key", 10),
    "auth_error": ("auth-invalid-key", 10), "not_found_error": ("model-not-found", 4),
    "exceed_context_size_error": ("context-over-limit", 12), "unavailable_error": ("server-error", 8),
    "permission_error": ("auth-forbidden", 8), "budget_exceeded": ("quota-exhausted", 10),
}
BY_STATUS = {
    401: (("auth-invalid-key", 6),), 402: (("quota-exhausted", 8),), 403: (("auth-forbidden", 5),),
    404: (("model-not-found", 2), ("base-url-invalid", 2)), 408: (("timeout-exceeded", 5),),
    429: (("rate-limited", 5), ("quota-exhausted", 2)), 500: (("server-error", 7),), 502: (("server-error", 7),),
    503: (("server-error", 7),), 504: (("server-error", 6), ("timeout-exceeded", 2)),
}
BY_EXCEPTION = {
    "AuthenticationError": (("auth-invalid-key", 5),), "PermissionDeniedError": (("auth-forbidden", 4),),
    "RateLimitError": (("rate-limited", 4), ("quota-exhausted", 1)), "APITimeoutError": (("timeout-exceeded", 7),),
    "Timeout": (("timeout-exceeded", 6),), "ReadTimeout": (("timeout-exceeded", 6),),
    "ConnectTimeout": (("network-unreachable", 6),), "APIConnectionError": (("network-unreachable", 3),),
    "ConnectError": (("network-unreachable", 4),), "NotFoundError": (("model-not-found", 3),),
    "InternalServerError": (("server-error", 6),), "ServiceUnavailableError": (("server-error", 7),),
    "JSONDecodeError": (("json-invalid", 7),), "APIRemovedInV1": (("code-pre-v1", 14),),
    "ProxyError": (("proxy-error", 9),), "SSLCertVerificationError": (("tls-error", 10),),
    "SSLError": (("tls-error", 8),), "LocalProtocolError": (("key-whitespace", 5),),
    "UnicodeEncodeError": (("key-non-ascii", 5),), "InvalidRequestError": (("unexpected-response", 1),),
    "BadRequestError": (("unexpected-response", 1),), "OpenAIError": (("key-missing", 2),),
}
# Message wording, case-insensitive: the last resort, and extra weight for the above.
BY_MESSAGE = (
    (r"exceeded your current quota|insufficient.quota|no credits remaining|insufficient balance|credit balance",
     "quota-exhausted", 9),
    (r"rate limit (?:reached|exceeded)|too many requests|please try again in \d", "rate-limited", 6),
    (r"incorrect api key provided|invalid api key|invalid_api_key|invalid authentication|invalid proxy server token|"
     r"no auth credentials found|authentication error|^unauthorized$", "auth-invalid-key", 8),
    (r"didn'?t provide an api key|api_key client option must be set|missing credentials|no api key provided",
     "key-missing", 13),
    (r"maximum context length|context.length.exceeded|input tokens exceed|reduce the length of the messages|"
     r"exceeds the available context size|contextwindowexceeded", "context-over-limit", 9),
    (r"must contain the word .json.", "json-word-missing", 14),
    (r"expecting value: line \d+ column \d+|expecting ',' delimiter|extra data: line|unterminated string",
     "json-invalid", 7),
    (r"response_format.{0,40}(?:not supported|unsupported|is not allowed)|json_object.{0,30}not supported",
     "json-mode-unsupported", 9),
    (r"does not exist or you do not have access|the model .{1,80} does not exist|does not have access to model|"
     r"model .{1,80} not found|is not a valid model id|invalid model name passed|model is not loaded|"
     r"deploymentnotfound|unknown model", "model-not-found", 9),
    (r"country, region,? or territory not supported", "region-unsupported", 12),
    (r"unsupported parameter|use 'max_completion_tokens'|does not support .{1,40} with this model|"
     r"unsupported value", "param-unsupported", 9),
    (r"only supported in v1/responses|not a chat model", "wrong-endpoint", 12),
    (r"request timed out|timed out|timeout", "timeout-exceeded", 4),
    (r"certificate.verify.failed|certificate verify failed|self.signed certificate|unable to get local issuer|\[SSL",
     "tls-error", 12),
    (r"proxyerror|proxy authentication required|unable to connect to proxy|cannot connect to proxy|tunnel",
     "proxy-error", 8),
    (r"name or service not known|nodename nor servname|temporary failure in name resolution|getaddrinfo failed|"
     r"connection refused|failed to establish a new connection|network is unreachable|no route to host",
     "network-unreachable", 7),
    (r"connection error", "network-unreachable", 2),
    (r"illegal header value|invalid header value", "key-whitespace", 10),
    (r"'ascii' codec can't encode", "key-non-ascii", 9),
    (r"'nonetype' object has no attribute|message\.content is none", "reply-empty", 9),
    (r"finish_reason.{0,6}length|was cut off|max_tokens .{0,20}reached", "reply-truncated", 6),
    (r"object is not subscriptable", "sdk-dict-access", 10),
    (r"you tried to access openai\.|no longer supported in openai>=1\.0|openai migrate", "code-pre-v1", 12),
    (r"unexpected keyword argument 'proxies'", "sdk-httpx-incompatible", 14),
    (r"no module named '?(?:openai|dotenv|httpx)", "package-missing", 11),
    (r"server had an error|internal server error|bad gateway|service unavailable|overloaded|upstream connect error",
     "server-error", 5),
    (r"invalid url \((?:get|post)|404 page not found|missing an 'http://' or 'https://' protocol|"
     r"unsupportedprotocol|chat/completions/chat/completions", "base-url-invalid", 10),
    (r"<html|<!doctype html|captive portal", "unexpected-response", 6),
    (r"you must be a member of an organization|ip .{0,20}not authorized|not authorized to access this",
     "auth-forbidden", 8),
    (r"could not automatically map .{1,60} to a tokeniser|openaipublic\.blob\.core\.windows\.net",
     "tokenizer-unavailable", 12),
    (r"could not parse statement starting at line", "dotenv-parse-error", 12),
    (r"python 3\.[0-9]\b.{0,40}(?:not supported|is required|requires)|requires.python", "python-too-old", 6),
)
_MESSAGE_RULES = [(re.compile(pattern, re.I), code, weight) for pattern, code, weight in BY_MESSAGE]


def message_code(text: str, among: tuple[str, ...] = ()) -> str | None:
    """The diagnosis a message's wording points to (the strongest rule), optionally only among some codes.
    The live checks use this after the status and the error's code and type, as explain does."""
    best: tuple[int, str] | None = None
    for pattern, code, weight in _MESSAGE_RULES:
        if (not among or code in among) and pattern.search(text) and (best is None or weight > best[0]):
            best = (weight, code)
    return best[1] if best else None


@dataclass
class Explanation:
    """The verdict: a catalogued diagnosis (None when unknown), how sure, and why."""

    diagnosis: Diagnosis | None
    confidence: str  # "exact", "high", "medium", "low" or "none"
    evidence: list[str] = field(default_factory=list)
    alternatives: list[Diagnosis] = field(default_factory=list)
    note: str = ""


def _analysed_part(text: str) -> str:
    if len(text) <= 2 * MAX_ANALYSED:
        return text
    return text[:MAX_ANALYSED] + "\n…\n" + text[-MAX_ANALYSED:]


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t") + sample.count("\ufffd")
    return bool(sample) and controls / len(sample) > 0.1


def explain(text: str) -> Explanation:
    """Explains a diagnosis code, a check id, or a pasted error text."""
    stripped = text.strip()
    if stripped.lower() in CATALOGUE:
        return Explanation(CATALOGUE[stripped.lower()], "exact")
    if _looks_binary(stripped):
        return Explanation(None, "none", note="this looks like binary data, not an error message")
    text = _analysed_part(stripped)
    scores: dict[str, int] = {}
    evidence: list[str] = []

    def add(code: str, weight: int, why: str) -> None:
        scores[code] = scores.get(code, 0) + weight
        evidence.append(why)

    statuses = {int(m.group(1)) for pattern in _STATUS for m in pattern.finditer(text)}
    for status in sorted(statuses):
        for code, weight in BY_STATUS.get(status, ()):
            add(code, weight, f"HTTP status {status}")
    for found in {m.group(1) for m in _ERROR_CODE.finditer(text)} | {m.group(1) for m in _ERROR_TYPE.finditer(text)}:
        if found in BY_ERROR_CODE:
            code, weight = BY_ERROR_CODE[found]
            add(code, weight, f"error code/type {found!r}")
    for name in {m.group(1) for m in _EXCEPTION.finditer(text)}:
        for code, weight in BY_EXCEPTION.get(name, ()):
            add(code, weight, f"exception {name}")
    for pattern, code, weight in _MESSAGE_RULES:
        match = pattern.search(text)
        if match:
            add(code, weight, f"message mentions {match.group(0)[:40]!r}")
    return _verdict(scores, evidence, stripped)


def near_codes(text: str) -> list[Diagnosis]:
    """For a short text that is almost a code (a typo), the codes it resembles."""
    import difflib

    if len(text) > 60:
        return []
    return [CATALOGUE[c] for c in difflib.get_close_matches(text.strip().lower(), list(CATALOGUE), n=3, cutoff=0.6)]


def _verdict(scores: dict[str, int], evidence: list[str], text: str) -> Explanation:
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    if not ranked:
        return Explanation(None, "none", alternatives=near_codes(text),
                           note="no status, error code, exception or known message found")
    (best, score), rest = ranked[0], ranked[1:]
    runner_up = rest[0][1] if rest else 0
    alternatives = [CATALOGUE[code] for code, s in rest[:3] if s >= 3]
    if score < 4:
        return Explanation(None, "none", evidence, [CATALOGUE[best], *alternatives][:3],
                           note="the clues are too weak to name one cause")
    confidence = "high" if score >= HIGH and score - runner_up >= 3 else "medium" if score >= MEDIUM else "low"
    return Explanation(CATALOGUE[best], confidence, evidence, alternatives)
