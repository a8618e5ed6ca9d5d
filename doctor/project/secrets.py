"""Key-shaped secrets in text: what they look like for each provider, and how to tell a real one from a fake.

A false alarm costs more than a miss (people learn to ignore the doctor), so a match must
look like a key the provider issues and carry a key's randomness: placeholders
(`sk-your-key-here`, `sk-...`, `xxxx`), runs of one character and counting sequences are
fakes. Secrets are only ever shown masked (doctor/redact.py).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import cache
from typing import TYPE_CHECKING

from doctor.namedtuples import named_tuple

if TYPE_CHECKING:
    from typing import Callable

# (provider, markers, pattern): the shapes providers publish (gitleaks and trufflehog rules agree on
# these), and the literal text every match holds. A pattern is compiled and run only on a text that
# holds one of its markers: most files hold none, and compiling every shape costs ~15 ms a run.
PATTERNS = (
    ("OpenAI", ("T3BlbkFJ",), r"sk-(?:proj-|svcacct-|service-|admin-)?[A-Za-z0-9_-]{16,}T3BlbkFJ[A-Za-z0-9_-]{16,}"),
    ("OpenAI", ("sk-proj-", "sk-svcacct-", "sk-admin-"), r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}"),
    ("Anthropic", ("sk-ant-",), r"sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{60,}"),
    ("OpenRouter", ("sk-or-v1-",), r"sk-or-v1-[0-9a-f]{64}"),
    ("Groq", ("gsk_",), r"gsk_[A-Za-z0-9]{40,}"),
    ("xAI", ("xai-",), r"xai-[A-Za-z0-9]{50,}"),
    ("Google", ("AIzaSy",), r"AIzaSy[A-Za-z0-9_-]{33}"),
    ("Perplexity", ("pplx-",), r"pplx-[A-Za-z0-9]{40,}"),
    ("Hugging Face", ("hf_",), r"hf_[A-Za-z0-9]{30,}"),
    ("GitHub", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
     r"(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})"),
    ("AWS", ("AKIA", "ASIA"), r"(?:AKIA|ASIA)[0-9A-Z]{16}"),
    ("Replicate", ("r8_",), r"r8_[A-Za-z0-9]{30,}"),
    ("Fireworks", ("fw_",), r"fw_[A-Za-z0-9]{20,}"),
    ("Together", ("tgp_v1_",), r"tgp_v1_[A-Za-z0-9_-]{30,}"),
    ("Cerebras", ("csk-",), r"csk-[A-Za-z0-9]{30,}"),
    ("NVIDIA", ("nvapi-",), r"nvapi-[A-Za-z0-9_-]{40,}"),
    ("JWT", ("eyJ",), r"eyJ[A-Za-z0-9_-]{12,}\.eyJ[A-Za-z0-9_-]{12,}\.[A-Za-z0-9_-]{16,}"),
    ("OpenAI-compatible", ("sk-",), r"sk-[A-Za-z0-9]{32,}"),
)
_BOUNDARY = r"(?<![A-Za-z0-9_-])({})(?![A-Za-z0-9_-])"


@cache
def _compiled(index: int) -> re.Pattern[str]:
    """A shape, compiled the first time a text holds one of its markers."""
    return re.compile(_BOUNDARY.format(PATTERNS[index][2]))


def _assigns_a_quote(text: str) -> bool:
    """Whether some `..._key` or `..._token` name is given a quoted value (`api_key = "`), as the API
    pattern needs; `api_key=os.getenv(...)` is not."""
    for word in ("_key", "_token"):
        at = text.find(word)
        while at >= 0:
            after = _past_spaces(text, at + len(word))
            if text[after:after + 1] == "=":
                quote = _past_spaces(text, after + 1)
                if text[quote:quote + 1] in ("'", '"'):
                    return True
            at = text.find(word, at + 1)
    return False


def _past_spaces(text: str, at: int) -> int:
    """The position of the first character from `at` on that is not whitespace (as the pattern's \\s reads it)."""
    while at < len(text) and text[at].isspace():
        at += 1
    return at


# Azure keys are 32 hex characters (or 84 letters and digits, the newer shape): a secret only
# where a variable says so, or where an Azure client is given it. Any provider's key handed to a
# client in code (`Client(api_key="...")`, `api_key = "..."`): the name says it is a key, so a
# shape no pattern above knows still counts when it has a key's randomness. Each match starts at
# a literal word and its repetitions are bounded and unambiguous, so the search stays linear (the
# name between "azure" and "key" is bounded: `azure\w*key` retried the rest of a long word at every
# "azure" in it, which is quadratic).
#
# Each pattern comes with a plain search that says whether it can match a text: most texts rule
# it out, and compiling a pattern costs more than searching a whole file of code.
_IN_CONTEXT: tuple[tuple[str, str, Callable[[str], bool]], ...] = (
    ("Azure OpenAI", r"(?i)azure\w{0,60}?key\s*[=:]\s*['\"]?([0-9a-f]{32}|[A-Za-z0-9]{84})\b",
     lambda text: "azure" in text.lower()),
    ("Azure OpenAI", r"Azure\w{0,40}\((?:[^()]|\([^()]{0,200}\)){0,800}?\b(?:api_key|azure_api_key|openai_api_key|"
                     r"subscription_key)\s*=\s*['\"]([0-9a-f]{32}|[A-Za-z0-9]{84})['\"]", lambda text: "Azure" in text),
    ("API", r"(?<![\w])(?:[A-Za-z]\w{0,30}_)?(?:api_key|api_token|access_token|subscription_key)\s*=\s*"
            r"['\"]([A-Za-z0-9][A-Za-z0-9_.-]{19,199})['\"]", _assigns_a_quote),
)


@cache
def _in_context(index: int) -> re.Pattern[str]:
    """An in-context pattern, compiled the first time a text may hold it."""
    return re.compile(_IN_CONTEXT[index][1])


def _markers() -> tuple[bytes, ...]:
    """What a text must hold for find_secrets to find anything in it: a marker of a shape, or a word an
    in-context pattern starts from (an Azure variable as people spell it, a `_key` or `_token` name);
    a marker that holds another (`sk-proj-` holds `sk-`) adds nothing."""
    words = {marker for _, markers, _ in PATTERNS for marker in markers} | {"azure", "AZURE", "Azure", "_key", "_token"}
    return tuple(sorted(word.encode() for word in words if not any(other != word and other in word for other in words)))


# A caller with many texts skips those that hold none of these (secrets-in-files, over the project's files).
MARKERS = _markers()


_FAKE_WORDS = re.compile(r"(?i)your|here|example|sample|dummy|fake|placeholder|xxxx|test[-_]|changeme|redacted|"
                         r"insert|replace|secret[-_]?key|\*\*\*|\.\.\.|<|>")
MIN_ENTROPY = 3.2  # bits a character; real keys sit near 5.5, typed placeholders far below


@named_tuple
class SecretHit:
    provider: str
    value: str
    start: int  # offset in the text


def entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values()) if text else 0.0


def looks_fake(value: str) -> bool:
    """Placeholders, runs and sequences: nothing a provider issues."""
    body = re.sub(r"^(sk-(?:proj-|ant-api\d\d-|or-v1-)?|gsk_|xai-|hf_|pplx-|gh[pousr]_|AIzaSy|r8_|fw_|tgp_v1_|csk-|"
                  r"nvapi-)", "", value)
    if _FAKE_WORDS.search(value) or entropy(body) < MIN_ENTROPY:
        return True
    runs = re.findall(r"(.)\1{5,}", body)
    sequential = any(chunk in body.lower() for chunk in ("0123456789", "abcdefghij", "1234567890"))
    return bool(runs) or sequential


def find_secrets(text: str) -> list[SecretHit]:
    """Every real-looking key in the text, once each, in order."""
    hits: dict[int, SecretHit] = {}
    covered: set[int] = set()  # offsets inside a hit already found: one lookup, not a walk over every hit
    for index, (provider, markers, _) in enumerate(PATTERNS):
        if not any(marker in text for marker in markers):
            continue
        for match in _compiled(index).finditer(text):
            start, value = match.start(1), match.group(1)
            if start in covered or looks_fake(value):
                continue
            hits[start] = SecretHit(provider, value, start)
            covered.update(range(start, start + len(value)))
    for index, (provider, _, may_hold) in enumerate(_IN_CONTEXT):
        if not may_hold(text):
            continue
        for match in _in_context(index).finditer(text):
            start, value = match.start(1), match.group(1)
            if start not in hits and not looks_fake(value) and (provider != "API" or _random_enough(value)):
                hits[start] = SecretHit(provider, value, start)
    return [hits[k] for k in sorted(hits)]


def _random_enough(value: str) -> bool:
    """A value passed as a key whose shape no provider pattern names: it must mix letters and
    digits the way generated keys do (a word, a path or a version string does not). A generated
    key with fewer than four digits (one in five of 32 random letters and digits: Mistral's keys
    were missed that often) still mixes case as no name does, capitals side by side, or is more
    varied than words are (CamelCase names sit below 4.1 bits a character, random keys near 4.6).
    Of 32-character random keys, about 2 in 1,000 are still missed."""
    digits = sum(c.isdigit() for c in value)
    letters = sum(c.isalpha() for c in value)
    if "." in value or letters < 8 or entropy(value) < 3.8:
        return False
    if digits >= 4:
        return True
    capitals = sum(first.isupper() and second.isupper() for first, second in zip(value, value[1:]))
    return value.isalnum() and (digits >= 1 and capitals >= 2 or entropy(value) >= 4.4)


def line_of(text: str, offset: int) -> tuple[int, int]:
    """(line, column) from 1 of an offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
