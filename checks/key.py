"""The key-format check: the key and the base URL look right before anything is sent.

Every finding here is one the API would only report as a bare 401, a 404 or a
misleading "Connection error.", so catching it offline saves a confusing first day.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urlsplit

from checks import guide
from checks.providers import OPENAI_HOST, OPENAI_MARKER, is_local, provider_of_host, provider_of_key
from doctor.model import Finding, Fix, Result, Status, check, from_findings, skipped
from doctor.redact import mask

if TYPE_CHECKING:
    from doctor.context import Context, EnvValue

GUIDE_PLACEHOLDER = "sk-your-real-key-goes-here"
_PLACEHOLDER_WORDS = re.compile(
    r"your[-_ ]|[-_]here\b|<[^>]*>|\.\.\.|\*\*\*|x{6,}|changeme|placeholder|replace[-_ ]?me|example|dummy|insert[-_ ]",
    re.I,
)
_ENDPOINT_TAILS = ("/chat/completions", "/completions", "/responses", "/embeddings", "/models")
_SMART_QUOTES = "\u201c\u201d\u2018\u2019\u00ab\u00bb"
SHORTEST_OPENAI_KEY = 51  # the legacy sk- key; see _cut_off
_OPENAI_ACCOUNT_PREFIXES = ("sk-proj-", "sk-svcacct-")


def _key_fix(summary: str, key: EnvValue, *steps: str) -> Fix:
    where = f"Open .env and correct line {key.line}." if key.source == ".env" else \
        "Correct the value where your shell or IDE sets OPENAI_API_KEY."
    return Fix(summary, steps=(where, *steps), guide=guide.TROUBLESHOOTING)


def _is_placeholder(value: str, known_provider: bool) -> bool:
    """Placeholder words anywhere; for a known provider also a key of nothing but
    lower-case words, which no provider issues (local servers accept any word, e.g. "ollama")."""
    if value == GUIDE_PLACEHOLDER or _PLACEHOLDER_WORDS.search(value):
        return True
    if not known_provider:
        return False
    body = value.split("-", 1)[-1] if value.startswith("sk-") else value
    # Real keys mix case and digits; a body of only lower-case words is typed by a person.
    return bool(re.fullmatch(r"[a-z\-_]+", body))


def _shape_findings(key: EnvValue, known_provider: bool) -> list[Finding]:
    value = key.value
    found: list[Finding] = []
    if value != value.strip():
        what = "a trailing newline" if value.rstrip(" \t") != value.rstrip() else "spaces around it"
        found.append(Finding(Status.FAIL, "key-whitespace",
                             f"the key in {key.where} has {what}; the request header becomes invalid",
                             _key_fix("Remove the whitespace around the key.", key,
                                      "A stray newline shows up as a misleading 'Connection error.'.")))
    stripped = value.strip()
    odd = [(i, ch) for i, ch in enumerate(stripped) if not ch.isascii()]
    if odd:
        position, char = odd[0]
        quoted = stripped[:1] in _SMART_QUOTES or stripped[-1:] in _SMART_QUOTES
        what = "is wrapped in typographic quotes" if quoted else \
            f"contains {unicodedata.name(char, 'a non-ASCII character')} at position {position + 1}"
        found.append(Finding(Status.FAIL, "key-non-ascii", f"the key in {key.where} {what}",
                             _key_fix("Paste the key again as plain text, without curly quotes.", key,
                                      "Word processors and chat apps turn \" into curly quotes; use a plain editor.")))
    if stripped[:1] in "'\"" or stripped[-1:] in "'\"":
        found.append(Finding(Status.FAIL, "key-bad-prefix", f"the key in {key.where} includes quote characters",
                             _key_fix("Remove the extra quotes: the key's value must be the bare key.", key)))
    if stripped.lower().startswith("bearer "):
        found.append(Finding(Status.FAIL, "key-bad-prefix", f"the key in {key.where} starts with 'Bearer '",
                             _key_fix("Store the bare key; the SDK adds 'Bearer ' to the header itself.", key)))
    if _is_placeholder(stripped.strip("'\"" + _SMART_QUOTES), known_provider):
        found.append(Finding(Status.FAIL, "key-placeholder", f"the key in {key.where} is a placeholder, not a real key",
                             _key_fix("Replace the placeholder with the key from your provider's dashboard.", key)))
    return found


def _provider_findings(key: EnvValue, host: str | None, base_url: str) -> list[Finding]:
    value = key.value.strip().strip("'\"" + _SMART_QUOTES)
    if value.lower().startswith("bearer "):
        return []
    own = provider_of_key(value)
    target = provider_of_host(host)
    if target is not None and target.host == OPENAI_HOST:
        if own is not None and own.name != "OpenAI":
            steps = (f"Set OPENAI_BASE_URL={own.base_url} in .env," if own.base_url else "Use that provider's own SDK,",
                     "and use a model name that provider offers.")
            return [Finding(Status.FAIL, "key-wrong-provider",
                            f"this looks like {own.article} key, but requests go to {OPENAI_HOST}",
                            Fix(f"Point the client at {own.name}, or use an OpenAI key.", steps=steps,
                                guide=guide.TROUBLESHOOTING))]
        if value.startswith("sk-admin-"):
            return [Finding(Status.FAIL, "key-bad-prefix", "this is an OpenAI admin key; admin keys cannot call models",
                            _key_fix("Create a normal project key for API calls.", key))]
        if not value.startswith("sk-"):
            return [Finding(Status.FAIL, "key-bad-prefix", "the key does not start with sk-, as OpenAI keys do",
                            _key_fix("Copy the whole key again from the OpenAI dashboard.", key))]
        if OPENAI_MARKER not in value and re.fullmatch(r"sk-[0-9a-f]{32}", value):
            return [Finding(Status.WARN, "key-wrong-provider",
                            f"this looks like a DeepSeek key, but requests go to {OPENAI_HOST}",
                            Fix("If it is a DeepSeek key, set OPENAI_BASE_URL=https://api.deepseek.com.",
                                guide=guide.TROUBLESHOOTING))]
        return []
    is_openai_key = OPENAI_MARKER in value or value.startswith(_OPENAI_ACCOUNT_PREFIXES)
    if target is not None and (is_openai_key or (own is not None and own is not target)):
        kind = "an OpenAI" if is_openai_key else own.article
        return [Finding(Status.FAIL, "key-wrong-provider", f"this looks like {kind} key, but requests go to {target.name} "
                                                           f"({base_url})",
                        Fix(f"Use {target.article} key, or point OPENAI_BASE_URL at the key's own provider.",
                            guide=guide.TROUBLESHOOTING))]
    return []


def _cut_off(key: EnvValue, host: str | None) -> list[Finding]:
    """An OpenAI project or service-account key shorter than any key OpenAI has issued was cut off
    when copied (a wrapped terminal line, a half selection); the API only answers a bare 401.

    The threshold is the shortest OpenAI key shape of all, the legacy `sk-` key of 51 characters
    (sk- + 20 + T3BlbkFJ + 20); project keys are about 164 (the key shapes in reference/failure-modes.md,
    from gitleaks' rule: at least 58 characters on each side of T3BlbkFJ). OpenAI has changed its key
    lengths before, so only a key shorter than every shape it ever issued is called cut off. A local
    server accepts any word, so there the length says nothing."""
    value = key.value.strip().strip("'\"" + _SMART_QUOTES)
    if is_local(host) or not value.startswith(_OPENAI_ACCOUNT_PREFIXES) or len(value) >= SHORTEST_OPENAI_KEY:
        return []
    return [Finding(Status.FAIL, "key-bad-prefix",
                    f"the key in {key.where} is {len(value)} characters long, far shorter than an OpenAI project key "
                    "(about 164): the key looks cut off",
                    _key_fix("Copy the whole key again from the dashboard, in one piece.", key,
                             "A key copied from a wrapped terminal line or a half selection loses its end; if the "
                             "dashboard no longer shows it, create a new key."))]


def _base_url_findings(ctx: Context) -> tuple[list[Finding], str | None]:
    setting = ctx.base_url
    if setting.source == "default":
        return [], OPENAI_HOST
    where = "--base-url" if setting.source == "--base-url" else f"OPENAI_BASE_URL in {setting.where}"

    def invalid(message: str, summary: str) -> Finding:
        return Finding(Status.FAIL, "base-url-invalid", f"{where} {message}",
                       Fix(summary, steps=("The base URL ends at the API version, e.g. https://api.openai.com/v1; "
                                           "the SDK adds /chat/completions itself.",), guide=guide.TROUBLESHOOTING))

    raw = setting.value
    if not raw.strip():
        return [invalid("is set but empty; the SDK then fails with 'Request URL is missing an http:// or https:// "
                        "protocol'", "Delete the empty OPENAI_BASE_URL line, or give it a full URL.")], None
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [invalid("is not an http(s) URL", "Write the base URL in full, starting with https://.")], None
    found: list[Finding] = []
    if raw != raw.strip():
        found.append(invalid("has whitespace around it", "Remove the spaces or newline around the URL."))
    path = parts.path.rstrip("/")
    tail = next((t for t in _ENDPOINT_TAILS if path.endswith(t)), None)
    if tail:
        found.append(invalid(f"is an endpoint URL (it ends in {tail})", f"Drop {tail} from the URL."))
    elif parts.hostname == OPENAI_HOST and path != "/v1":
        found.append(invalid("lacks /v1: requests would get 404 'Invalid URL'", "Use https://api.openai.com/v1."))
    if ".openai.azure.com" in parts.hostname or ".cognitiveservices.azure.com" in parts.hostname:
        found += _azure_findings(where, parts)
    if parts.scheme == "http" and not is_local(parts.hostname):
        found.append(Finding(Status.WARN, "base-url-insecure",
                             f"{where} uses plain http to {parts.hostname}: the key travels unencrypted",
                             Fix("Use https:// for any server that is not on this machine.", guide=guide.RAW_HTTP)))
    return found, parts.hostname


def _azure_findings(where: str, parts: SplitResult) -> list[Finding]:
    """An Azure deployment URL used as the plain client's base URL: no api-version is sent, so Azure
    answers 404 (Resource not found). The AzureOpenAI client sends it."""
    if "/openai/deployments/" not in parts.path + "/" or "api-version=" in parts.query:
        return []
    deployment = parts.path.split("/openai/deployments/")[1].split("/")[0] or "NAME"
    return [Finding(Status.FAIL, "azure-api-version-missing",
                    f"{where} is an Azure OpenAI deployment URL, but the plain OpenAI client sends no api-version",
                    Fix("Use the AzureOpenAI client, which sends the api-version Azure requires.",
                        steps=(f"client = AzureOpenAI(azure_endpoint=\"{parts.scheme}://{parts.hostname}\", "
                               "api_version=\"2024-10-21\"); pass model=\"" + deployment + "\".",
                               "Or set AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and OPENAI_API_VERSION, which "
                               "AzureOpenAI() reads."), guide=guide.FIRST_REQUEST))]


def _legacy_findings(ctx: Context) -> list[Finding]:
    found = []
    for old, new in (("OPENAI_API_BASE", "OPENAI_BASE_URL"), ("OPENAI_ORGANIZATION", "OPENAI_ORG_ID")):
        if ctx.lookup(old) and not ctx.lookup(new):
            found.append(Finding(Status.WARN, "env-legacy-name",
                                 f"{old} is the openai 0.28 name; openai 1.0 and later ignore it",
                                 Fix(f"Rename {old} to {new}.", guide=guide.SETUP)))
    return found


def _mixed_sources(ctx: Context, key: EnvValue, host: str | None) -> list[Finding]:
    """The key from the shell (a CI secret) sent to a base URL that the project's `.env` chose:
    a pull request that edits `.env` could send the secret anywhere."""
    url = ctx.base_url
    if key.source != "shell" or url.source != ".env" or is_local(host):
        return []
    return [Finding(Status.WARN, "base-url-from-project",
                    f"the key comes from the shell, but the base URL ({host}) from .env line {url.line}: whoever "
                    "can change .env decides where your key is sent",
                    Fix("Set OPENAI_BASE_URL where the key is set (the shell or CI secrets), not in .env.",
                        steps=("In CI, a pull request that edits .env would send the repository's secret to its host.",
                               "Run with --untrusted on projects you did not write: the key is then never sent to a "
                               "base URL the project chose."), guide=guide.SETUP),
                    location=(".env", url.line))]


@check(
    "key-format",
    title="Key and base URL format",
    group="Secrets",
    codes=("key-placeholder", "key-whitespace", "key-non-ascii", "key-bad-prefix", "key-wrong-provider",
           "base-url-invalid", "base-url-insecure", "env-legacy-name", "base-url-from-project",
           "azure-api-version-missing"),
    reads=("dotenv",),
)
async def key_format(ctx: Context) -> Result:
    """What it checks: the key is a real key (no placeholder, whitespace, quotes or
    non-ASCII characters), it belongs to the provider the base URL points at, and
    OPENAI_BASE_URL, when set, is a usable base URL.

    Why it fails: a key pasted with a newline or curly quotes breaks the request header;
    a Groq or Anthropic key sent to api.openai.com gets 401; an endpoint URL pasted as the
    base URL gets 404.

    How to fix: paste the bare key into .env; set OPENAI_BASE_URL to the provider's base
    URL ending in its API version.
    """
    url_findings, host = _base_url_findings(ctx)
    findings = url_findings + _legacy_findings(ctx)
    key = ctx.api_key
    if key is None or not key.value.strip():
        if not findings:
            return skipped("no key to check (see .env file and key)")
        return from_findings(findings, "")
    if key.cut:  # the doctor's own cap: what it read is not the value the user's code loads
        note = f"the key on {key.where} was not judged: its value {key.cut}"
        return from_findings(findings, "", details=(note,)) if findings else skipped(note)
    key_findings = _shape_findings(key, provider_of_host(host) is not None)
    if not any(f.code == "key-placeholder" for f in key_findings):
        key_findings += _provider_findings(key, host, ctx.base_url.value.strip()) or _cut_off(key, host)
    if key.source == ".env":
        key_findings = [replace(f, location=(".env", key.line)) for f in key_findings]
    findings += _mixed_sources(ctx, key, host)
    # The key's own problems lead: fixing a placeholder matters before fixing the URL it goes to.
    return from_findings(key_findings + findings, f"{mask(key.value)} from {key.where}, sent to {host}")
