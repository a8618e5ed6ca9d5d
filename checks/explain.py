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
from functools import cache

from checks.catalogue import CATALOGUE, Diagnosis
from checks.error_text import Frame, Views, last_frames, masked_key_cause, over_the_limit, views

MAX_ANALYSED = 256 * 1024  # the head and tail of huge input: tracebacks end with the error
HIGH, MEDIUM = 9, 5
UNIQUE = 8  # a message rule this strong names its cause by itself; weaker ones only add weight

_STATUS = (
    re.compile(r"Error code:? (\d{3})\b", re.I),
    re.compile(r"status(?:[ _]code)?[=:\s]{1,3}(\d{3})\b", re.I),
    re.compile(r"\b(?:HTTP code|API Error:?|error,? status code:?|error:?) (\d{3})\b", re.I),
    re.compile(r"^[\s\W]{0,6}([45]\d\d) (?=[A-Z<{\[(])", re.M),
    re.compile(r"HTTP/\d(?:\.\d)? (\d{3})"),
    re.compile(r"<Response \[(\d{3})\]>"),
    re.compile(r"\b(\d{3}) (?:Unauthorized|Forbidden|Too Many Requests|Not Found|Bad Request|Payment Required|"
               r"Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)\b", re.I),
)
_FIELD = r"""['"]?\b{name}['"]?\s{{0,3}}[:=]\s{{0,3}}['"]([A-Za-z0-9_.\-]+)['"]"""
_ERROR_CODE = re.compile(_FIELD.format(name="(?:code|reason|finish_reason)"))
_ERROR_TYPE = re.compile(_FIELD.format(name="type"))
_EXCEPTION = re.compile(r"\b(?:openai\.(?:error\.|_exceptions\.)?|httpx\.|httpcore\.|requests\.exceptions\.|"
                        r"json\.decoder\.)?([A-Z][A-Za-z]{0,60}?(?:Error|Exception|Timeout|V1))\b")

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
    "content_filter": ("content-filtered", 13), "ResponsibleAIPolicyViolation": ("content-filtered", 13),
    "model_decommissioned": ("model-not-found", 13), "model_not_available": ("model-not-found", 10),
    "API_KEY_INVALID": ("auth-invalid-key", 12), "request_too_large": ("request-too-large", 12),
}
BY_STATUS = {
    401: (("auth-invalid-key", 6),), 402: (("quota-exhausted", 8),), 403: (("auth-forbidden", 5),),
    404: (("model-not-found", 2), ("base-url-invalid", 2)), 408: (("timeout-exceeded", 5),),
    429: (("rate-limited", 5), ("quota-exhausted", 2)), 500: (("server-error", 7),), 502: (("server-error", 7),),
    503: (("server-error", 7),), 504: (("server-error", 6), ("timeout-exceeded", 2)),
    413: (("request-too-large", 6),),
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
    (r"exceeded your current quota|insufficient.quota|no credits remaining|insufficient balance|credit balance|"
     r"requires more credits|can only afford", "quota-exhausted", 9),
    (r"request too large for|request to large for|must be reduced in order to run|request entity too large",
     "request-too-large", 14),
    (r"organi[sz]ations? must be verified|click on verify organi[sz]ation", "org-verification-required", 16),
    (r"must be followed by tool messages|tool_call_ids did not have response|insufficient tool messages|messages "
     r"with role .tool. must be a response|invalid type for .messages|roles must alternate|invalid role",
     "messages-invalid", 14),
    (r"filtered due to the prompt|content management policy|responsibleaipolicyviolation|content_filter|"
     r"content policy violation|contentpolicyviolation", "content-filtered", 13),
    (r"rate limit (?:reached|exceeded)|please try again in \d", "rate-limited", 8),
    (r"too many requests", "rate-limited", 3),
    (r"incorrect api key provided|invalid api key|invalid_api_key|invalid authentication|invalid proxy server token|"
     r"no auth credentials found|authentication error|^unauthorized$", "auth-invalid-key", 8),
    (r"didn'?t provide an api key|api_key client option must be set|missing credentials|no api key provided|"
     r"did not find openai_api_key", "key-missing", 13),
    (r"maximum context length|context.length.exceeded|input tokens exceed|reduce the length of the messages|"
     r"exceeds the available context size|contextwindowexceeded|exceed context window|input token count .{1,20}"
     r"exceeds the maximum|prompt \(\d{1,9} tokens\) is too long", "context-over-limit", 9),
    (r"must contain the word .json.", "json-word-missing", 14),
    (r"expecting value: line \d+ column \d+|expecting ',' delimiter|extra data: line|unterminated string",
     "json-invalid", 7),
    (r"response_format.{0,40}(?:not supported|unsupported|is not allowed)|json_object.{0,30}not supported",
     "json-mode-unsupported", 9),
    (r"does not exist or you do not have access|the model .{1,80} does not exist|does not have access to model|"
     r"model .{1,80} not found|is not a valid model id|invalid model name passed|model is not loaded|"
     r"deploymentnotfound|unknown model|has been decommissioned|unable to access non-serverless model|"
     r"try pulling it first|is not found for api version", "model-not-found", 9),
    (r"country, region,? or territory not supported", "region-unsupported", 12),
    (r"unsupported parameter|use 'max_completion_tokens'|does not support .{1,40} with this model|"
     r"unsupported value|no endpoints found that support", "param-unsupported", 9),
    (r"only supported in v1/responses|not a chat model", "wrong-endpoint", 12),
    (r"request timed out|timed out|timeout", "timeout-exceeded", 4),
    (r"certificate.verify.failed|certificate verify failed|self.signed certificate|unable to get local issuer|\[SSL",
     "tls-error", 12),
    (r"proxyerror|proxy authentication required|unable to connect to proxy|cannot connect to proxy|tunnel",
     "proxy-error", 8),
    (r"name or service not known|nodename nor servname|temporary failure in name resolution|getaddrinfo failed|"
     r"connection refused|failed to establish a new connection|network is unreachable|no route to host|"
     r"actively refused|econnrefused|connect call failed|cannot connect to host|connect timed out|"
     r"connecttimeout", "network-unreachable", 7),
    (r"connection error", "network-unreachable", 2),
    (r"illegal header value|invalid header value", "key-whitespace", 10),
    (r"'ascii' codec can't encode", "key-non-ascii", 9),
    (r"'nonetype' object has no attribute|message\.content is none", "reply-empty", 9),
    (r"'nonetype' object has no attribute '(?:strip|lower|upper|split|splitlines|startswith|endswith|replace|"
     r"encode|format|join|find|count)'|object of type 'nonetype' has no len|can only concatenate str \(not "
     r".nonetype.\)|unsupported operand type\(s\) for \+: 'nonetype'|argument of type 'nonetype' is not "
     r"iterable|'nonetype' object is not subscriptable|must be str, bytes or bytearray, not nonetype",
     "reply-unguarded", 12),
    (r"finish_reason.{0,6}length|was cut off|max_tokens .{0,20}reached", "reply-truncated", 6),
    (r"'(?!nonetype')\w{1,60}' object is not subscri", "sdk-dict-access", 10),
    (r"decimal_(?:above_max|below_min)_value|integer_(?:above_max|below_min)_value|(?:above|below) (?:maximum|"
     r"minimum) value|is (?:greater|less) than the (?:maximum|minimum) of", "param-out-of-range", 12),
    (r"keyerror: '[a-z0-9_]{0,60}?(?:key|token|openai|azure|api)[a-z0-9_]{0,60}'", "env-name-mismatch", 12),
    (r"missing parentheses in call to 'print'|(?:^| )<<<<<<< |invalid syntax", "file-unreadable", 8),
    (r"didn'?t provide an api key|api_key client option must be set", "dotenv-not-loaded", 6),
    (r"didn'?t provide an api key|api_key client option must be set", "dotenv-loaded-late", 5),
    (r"expecting value: line 1 column 1 \(char 0\)", "json-without-mode", 4),
    (r"you tried to access openai\.|no longer supported in openai>=1\.0|openai migrate", "code-pre-v1", 12),
    (r"unexpected keyword argument 'proxies", "sdk-httpx-incompatible", 14),
    (r"no module named '?(?:openai|dotenv|httpx)", "package-missing", 11),
    (r"server had an error|internal server error|bad gateway|service unavailable|overloaded|upstream connect error",
     "server-error", 5),
    (r"invalid url \((?:get|post)|404 page not found|missing an 'http://' or 'https://' protocol|"
     r"unsupportedprotocol|chat/completions/chat/completions", "base-url-invalid", 10),
    (r"resource not found", "base-url-invalid", 5),
    (r"resource not found", "azure-api-version-missing", 4),
    (r"(?:get |/v1)/models\b.{0,20}\b(?:404|not found)", "models-list-unavailable", 14),
    (r"<html|<!doctype html|captive portal", "unexpected-response", 6),
    (r"<title>[^<]{0,80}\b5\d\d\b", "server-error", 6),
    (r"<title>\s{0,3}404\b", "base-url-invalid", 10),
    (r"you must be a member of an organization|ip .{0,20}not authorized|not authorized to access this",
     "auth-forbidden", 8),
    (r"could not automatically map .{1,60} to a tokeniser|openaipublic\.blob\.core\.windows\.net",
     "tokenizer-unavailable", 12),
    (r"could not parse statement starting at line", "dotenv-parse-error", 12),
    (r"python 3\.[0-9]\b.{0,40}(?:not supported|is required|requires)|requires.python", "python-too-old", 6),
)
@cache
def _message_rules() -> list[tuple[re.Pattern[str], str, int]]:
    """BY_MESSAGE compiled on first use: most runs never read an error's wording. The rules meet lowercased
    text, which Python's re scans several times faster than a case-insensitive pattern."""
    return [(re.compile(pattern.lower()), code, weight) for pattern, code, weight in BY_MESSAGE]


def message_code(text: str, among: tuple[str, ...] = ()) -> str | None:
    """The diagnosis a message's wording points to (the strongest rule), optionally only among some codes.
    The live checks use this after the status and the error's code and type, as explain does."""
    best: tuple[int, str] | None = None
    text = " ".join(text.lower().split())
    for pattern, code, weight in _message_rules():
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
    others: list[Diagnosis] = field(default_factory=list)  # further errors in the same paste


def _analysed_part(text: str) -> str:
    if len(text) <= 2 * MAX_ANALYSED:
        return text
    return text[:MAX_ANALYSED] + "\n…\n" + text[-MAX_ANALYSED:]


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t") + sample.count("\ufffd")
    return bool(sample) and controls / len(sample) > 0.1


def explain(text: str) -> Explanation:
    """Explains a diagnosis code, a check id, or a pasted error text. Several errors in one paste: the
    first one (the root cause, since the others follow from it) is the diagnosis, the rest are listed."""
    stripped = text.strip()
    if stripped.lower() in CATALOGUE:
        return Explanation(CATALOGUE[stripped.lower()], "exact")
    whole = _diagnose(_analysed_part(stripped))
    if whole.diagnosis is None and _looks_binary(stripped):  # junk around a real error does not hide it
        return Explanation(None, "none", note="this looks like binary data, not an error message")
    return _first_of_several(whole, _analysed_part(stripped)) or whole


def read_reply(status: int, body: str) -> Explanation:
    """A live reply read by the same rules as a pasted error (checks/classify.py asks this first):
    the status the server answered, then its body as sent."""
    return _diagnose(f"Error code: {status} - {body[:MAX_ANALYSED]}")


_MENTION = "message mentions "


def _same_clue(why: str, shown: str) -> bool:
    """The same clue, or two rules' matches of the same words cut at other lengths ("expecting value:
    line 1 column 1" and "... (char 0"): listed once, though each still weighs for its code."""
    if why == shown:
        return True
    if not (why.startswith(_MENTION) and shown.startswith(_MENTION)):
        return False
    new, old = why[len(_MENTION) + 1:-1], shown[len(_MENTION) + 1:-1]  # the words inside the quotes
    return new in old or old in new


def _diagnose(text: str) -> Explanation:
    read = views(text)
    scores: dict[str, int] = {}
    evidence: list[str] = []
    strong: set[str] = set()  # codes with a clue of their own, beyond a status and the SDK's name for it

    def add(code: str, weight: int, why: str, structured: bool = True) -> None:
        scores[code] = scores.get(code, 0) + weight
        if structured:
            strong.add(code)
        if not any(_same_clue(why, shown) for shown in evidence):  # one clue may weigh for several codes
            evidence.append(why)

    statuses = {int(m.group(1)) for view in {read.lines, read.joined} for pattern in _STATUS
                for m in pattern.finditer(view)}
    for status in sorted(statuses):
        for code, weight in BY_STATUS.get(status, ()):
            add(code, weight, f"HTTP status {status}", structured=False)
    fields = {m.group(1) for pattern in (_ERROR_CODE, _ERROR_TYPE) for m in pattern.finditer(read.flat)}
    for found in sorted(fields):
        if found in BY_ERROR_CODE:
            code, weight = BY_ERROR_CODE[found]
            add(code, weight, f"error code/type {found!r}")
    exceptions = {m.group(1) for m in _EXCEPTION.finditer(read.flat)}
    for name in sorted(exceptions):
        for code, weight in BY_EXCEPTION.get(name, ()):
            add(code, weight, f"exception {name}", structured=False)
    for pattern, code, weight in _message_rules():
        match = next((m for view in read.lowered() if (m := pattern.search(view))), None)
        if match:
            add(code, weight, f"message mentions {match.group(0)[:40]!r}", structured=weight >= UNIQUE)
    _read_parts(read, exceptions, add)
    return _verdict(scores, evidence, text, strong, statuses)


def _read_parts(read: Views, exceptions: set[str], add) -> None:  # noqa: ANN001 - explain's scorer
    """The parts of an error that carry a cause beyond its words: the key OpenAI echoes, the figures of
    a 429, and the traceback's failing line."""
    clue = masked_key_cause(read.flat)
    if clue:
        add(clue.code, 14, clue.why)
    too_large = over_the_limit(read.flat)
    if too_large:
        add("request-too-large", 14, "the one request asks for more tokens than the whole per-minute limit")
    elif too_large is False:
        add("rate-limited", 3, "the request fits the limit: the minute was full")
    for code, why in _frame_causes(last_frames(read.lines), exceptions):
        add(code, 10, why)


_LIBRARY = re.compile(r"site-packages/|dist-packages/|/lib/python\d|<frozen ")


def _frame_causes(frames: list[Frame], exceptions: set[str]) -> list[tuple[str, str]]:
    """What the failing source line and the frames add to the exception's name: a JSON error inside the
    SDK's stream reader is the server's broken stream, one on `json.loads(...content)` is the model's
    reply; an AttributeError on `.content` is code that used a reply with no check."""
    own = [f for f in frames if f.source and not _LIBRARY.search(f.path)]
    source = (own or [f for f in frames if f.source] or [Frame("", "")])[-1].source
    causes = []
    if "JSONDecodeError" in exceptions and any("openai/_streaming" in f.path for f in frames):
        causes.append(("stream-malformed", "the JSON error was raised while the SDK read the stream"))
    elif "JSONDecodeError" in exceptions and "json.loads(" in source and "content" in source:
        causes.append(("json-invalid", "the failing line parses the reply's text as JSON"))
    if ".content" in source and exceptions & {"AttributeError", "TypeError"}:
        causes.append(("reply-unguarded", "the failing line uses the reply's content with no check"))
    return causes


_ERROR_LINE = re.compile(r"^[^\n]{0,160}?(?:\b[A-Z]\w{0,60}(?:Error|Exception)\b[^\n]{0,20}:|Error code:? \d{3})[^\n]*",
                         re.M)
_MOST_ERROR_LINES = 30


def _first_of_several(whole: Explanation, text: str) -> Explanation | None:
    """When a paste holds several errors with clear, different causes, the first is the root cause."""
    lines = [m.group(0) for _, m in zip(range(_MOST_ERROR_LINES), _ERROR_LINE.finditer(text))]
    if len(lines) < 2:
        return None
    sure: list[Explanation] = []
    for line in lines:
        found = _diagnose(line)
        if found.confidence == "high" and all(found.diagnosis.code != s.diagnosis.code for s in sure):
            sure.append(found)
    if len(sure) < 2:
        return None
    first, rest = sure[0], [s.diagnosis for s in sure[1:]]
    return Explanation(first.diagnosis, first.confidence, first.evidence, first.alternatives,
                       note=f"{len(sure)} different errors in this paste; the first is usually the root cause",
                       others=rest)


# What in the full error tells each cause apart from the others a bare status or word may stand for.
HOW_TO_TELL = {
    "rate-limited": "the error's code is rate_limit_exceeded and the message says 'Rate limit reached ... per min' "
                    "and 'Please try again in 20s': too many requests or tokens this minute. Waiting helps.",
    "quota-exhausted": "the error's code is insufficient_quota and the message says 'You exceeded your current "
                       "quota' (some servers answer 402): the account has no credit. Waiting or a new key will not "
                       "help.",
    "auth-invalid-key": "the error's code is invalid_api_key and the message says 'Incorrect API key provided: "
                        "sk-...abcd': the key is revoked, mistyped or from another account.",
    "key-shadowed": "the last four characters in 'Incorrect API key provided' are not those of the key in .env: an "
                    "old OPENAI_API_KEY in the shell wins over .env.",
    "key-wrong-provider": "the key in the message starts with another provider's prefix (gsk_, sk-ant-, sk-or-), or "
                          "the base URL belongs to another provider than the key.",
    "key-missing": "the message says 'You didn't provide an API key', or the SDK stops before sending with 'The "
                   "api_key client option must be set': the key is empty or .env was not loaded.",
    "auth-forbidden": "the error's type is permission_error, or the message says 'You are not allowed' or 'must be "
                      "a member of an organization': the key works, but its project, role or IP may not do this.",
    "region-unsupported": "the error's code is unsupported_country_region_territory: the API is not offered where "
                          "the request comes from.",
    "unexpected-response": "the body is an HTML page, not JSON: a company proxy, a firewall or a captive portal "
                           "answered instead of the API.",
    "model-not-found": "the error's code is model_not_found and the message says 'The model ... does not exist or you "
                       "do not have access to it': the model's name, or the project's access to it.",
    "base-url-invalid": "the message says 'Invalid URL (POST /v1/chat/completions/chat/completions)' or '404 page not "
                        "found': the base URL lacks /v1 or is a whole endpoint URL.",
    "azure-api-version-missing": "the host is *.openai.azure.com and the message says 'Resource not found': the plain "
                                 "OpenAI client sends no api-version.",
    "wrong-endpoint": "the message says 'This is not a chat model' or 'only supported in v1/responses': the model "
                      "needs another endpoint.",
    "context-over-limit": "the error's code is context_length_exceeded and the message says 'maximum context length "
                          "is N tokens': the prompt and max_tokens do not fit.",
    "param-unsupported": "the error's code is unsupported_parameter or unsupported_value, e.g. 'Unsupported "
                         "parameter: max_tokens ... use max_completion_tokens'.",
    "json-word-missing": "the message says ''messages' must contain the word 'json'': JSON mode without the word JSON "
                         "in the messages.",
    "timeout-exceeded": "the SDK raised APITimeoutError 'Request timed out.', with httpx's ReadTimeout under it: the "
                        "server was reached but did not answer within your timeout.",
    "network-unreachable": "the SDK raised APIConnectionError 'Connection error.' with ConnectError or ConnectTimeout "
                           "under it: no connection was made (DNS, a firewall, no network).",
    "proxy-error": "ProxyError, '407 Proxy Authentication Required' or 'Unable to connect to proxy' under the "
                   "Connection error: HTTPS_PROXY points at a proxy that fails.",
    "tls-error": "CERTIFICATE_VERIFY_FAILED under the Connection error: a company proxy inspects HTTPS with its own "
                 "certificate.",
    "key-whitespace": "LocalProtocolError 'Illegal header value' under the Connection error: the key has a newline or "
                      "spaces.",
    "server-error": "a 500, 502, 503 or 504 with 'The server had an error' or 'overloaded': the provider failed; "
                    "retry later with backoff.",
    "request-too-large": "the message says 'Request too large ... Limit 30000, Requested 42000' (Groq: 413): one "
                         "request asks for more than the whole minute allows. Waiting never helps; shrink it.",
    "messages-invalid": "the message names the conversation: 'tool_calls must be followed by tool messages', "
                        "'messages with role tool must be a response', or 'Invalid type for messages[1].content'.",
    "content-filtered": "the error's code is content_filter (Azure: innererror ResponsibleAIPolicyViolation), or a "
                        "reply ends with finish_reason 'content_filter'.",
    "org-verification-required": "the message says 'Your organization must be verified to use (or stream) this "
                                 "model'.",
}
_REASONS = {400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
            413: "Content Too Large",
            429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
            504: "Gateway Timeout"}
_STATUS_CAUSES = {
    400: ("context-over-limit", "param-unsupported", "json-word-missing", "messages-invalid", "content-filtered"),
    401: ("auth-invalid-key", "key-shadowed", "key-wrong-provider", "key-missing"),
    402: ("quota-exhausted",),
    403: ("auth-forbidden", "region-unsupported", "model-not-found", "unexpected-response",
          "org-verification-required"),
    413: ("request-too-large",),
    404: ("model-not-found", "base-url-invalid", "azure-api-version-missing", "wrong-endpoint"),
    429: ("rate-limited", "quota-exhausted", "request-too-large"),
    500: ("server-error",), 502: ("server-error", "unexpected-response"), 503: ("server-error",),
    504: ("server-error", "timeout-exceeded"),
}
_WORD_CAUSES = {
    "quota": ("Quota errors", ("quota-exhausted", "rate-limited")),
    "timeout": ("Timeouts", ("timeout-exceeded", "network-unreachable", "server-error")),
    "connection error": ("'Connection error.' (APIConnectionError)",
                         ("network-unreachable", "proxy-error", "tls-error", "key-whitespace")),
}
# Other ways to name a topic: the SDK's exception names alone stand for their status.
_ALIASES = {"quotas": "quota", "rate limit": "429", "rate limits": "429", "ratelimit": "429", "ratelimiterror": "429",
            "authenticationerror": "401", "permissiondeniederror": "403", "notfounderror": "404",
            "badrequesterror": "400", "internalservererror": "500", "timeouts": "timeout", "timed out": "timeout",
            "apiconnectionerror": "connection error", "apiconnectionerror: connection error": "connection error"}
_BARE_STATUS = re.compile(r"(?:(?:http|error|status|code)[\s:]*)*(\d{3})(?: (.+))?")


@dataclass(frozen=True)
class Cause:
    diagnosis: Diagnosis
    how_to_tell: str  # what in the full error points to this cause rather than the topic's others


@dataclass(frozen=True)
class Topic:
    """A bare status or word (`429`, `quota`) that stands for several causes, each with what tells it apart."""

    name: str
    title: str
    causes: tuple[Cause, ...]


def topic(text: str) -> Topic | None:
    """The topic a short text names (`429`, `HTTP 429`, `Error code: 429`, `RateLimitError`, `quota`,
    `timeout`), or None. A text with more in it is an error to diagnose, not a topic."""
    if len(text) > 200:
        return None
    words = " ".join(text.lower().replace("openai.", "").replace("_", " ").split()).strip(" .")
    words = _ALIASES.get(words, words)
    bare = _BARE_STATUS.fullmatch(words)
    if bare and int(bare[1]) in _STATUS_CAUSES and bare[2] in (None, _REASONS[int(bare[1])].lower()):
        status = int(bare[1])
        return _topic(str(status), f"HTTP {status} {_REASONS[status]}", _STATUS_CAUSES[status])
    if words in _WORD_CAUSES:
        return _topic(words, *_WORD_CAUSES[words])
    return None


def _topic(name: str, title: str, codes: tuple[str, ...]) -> Topic:
    return Topic(name, title, tuple(Cause(CATALOGUE[code], HOW_TO_TELL[code]) for code in codes))


def near_codes(text: str) -> list[Diagnosis]:
    """For a short text that is almost a code (a typo), the codes it resembles."""
    import difflib

    if len(text) > 60:
        return []
    return [CATALOGUE[c] for c in difflib.get_close_matches(text.strip().lower(), list(CATALOGUE), n=3, cutoff=0.6)]


# A cause that is a more precise reading of another: when its own clue is found, the other's clues
# (the same 429, the same 401) are evidence for it, not a rival.
REFINES = {
    "request-too-large": ("rate-limited", "quota-exhausted"),
    "org-verification-required": ("model-not-found", "param-unsupported", "auth-forbidden", "stream-unsupported"),
    "content-filtered": ("reply-empty", "param-unsupported", "unexpected-response"),
    "messages-invalid": ("unexpected-response", "param-unsupported"),
    "models-list-unavailable": ("base-url-invalid", "model-not-found"),
    "key-placeholder": ("auth-invalid-key",), "key-bad-prefix": ("auth-invalid-key",),
    "key-wrong-provider": ("auth-invalid-key",), "key-missing": ("auth-invalid-key",),
    "sdk-httpx-incompatible": ("unexpected-response",), "stream-malformed": ("json-invalid", "json-without-mode"),
}
# A diagnosis the text proves only as a symptom: why it happened is in the project, not in the error.
# It is never more than medium, and the deeper causes are listed with it.
SYMPTOMS = {
    "auth-invalid-key": ("key-shadowed", "key-wrong-provider"),
    "key-missing": ("dotenv-missing", "dotenv-not-loaded", "dotenv-loaded-late", "env-name-mismatch"),
}


def _refine(scores: dict[str, int]) -> None:
    for code, broader in REFINES.items():
        if scores.get(code, 0) >= MEDIUM:
            scores[code] += sum(scores.pop(other, 0) for other in broader)


def _verdict(scores: dict[str, int], evidence: list[str], text: str, strong: set[str] = frozenset(),
             statuses: set[int] = frozenset()) -> Explanation:
    """The best-scored cause; `high` only with a clue of its own (a code, a unique message, the key
    OpenAI echoes), never from a status and the SDK's name for it, which stand for several causes."""
    _refine(scores)
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
    if best not in strong:
        confidence = "medium" if confidence == "high" else confidence
        candidates = [CATALOGUE[c] for status in sorted(statuses) for c in _STATUS_CAUSES.get(status, ())
                      if c != best and all(a.code != c for a in alternatives)]
        alternatives = [*alternatives, *candidates][:5]
    if best in SYMPTOMS:
        confidence = "medium" if confidence == "high" else confidence
        deeper = [CATALOGUE[c] for c in SYMPTOMS[best] if all(a.code != c for a in alternatives)]
        alternatives = [*deeper, *alternatives][:5]
    return Explanation(CATALOGUE[best], confidence, evidence, alternatives)
