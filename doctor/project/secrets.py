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
from dataclasses import dataclass
from functools import cache

# (provider, pattern): the shapes providers publish (gitleaks and trufflehog rules agree on these).
PATTERNS = (
    ("OpenAI", r"sk-(?:proj-|svcacct-|service-|admin-)?[A-Za-z0-9_-]{16,}T3BlbkFJ[A-Za-z0-9_-]{16,}"),
    ("OpenAI", r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}"),
    ("Anthropic", r"sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{60,}"),
    ("OpenRouter", r"sk-or-v1-[0-9a-f]{64}"),
    ("Groq", r"gsk_[A-Za-z0-9]{40,}"),
    ("xAI", r"xai-[A-Za-z0-9]{50,}"),
    ("Google", r"AIzaSy[A-Za-z0-9_-]{33}"),
    ("Perplexity", r"pplx-[A-Za-z0-9]{40,}"),
    ("Hugging Face", r"hf_[A-Za-z0-9]{30,}"),
    ("GitHub", r"(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})"),
    ("AWS", r"(?:AKIA|ASIA)[0-9A-Z]{16}"),
    ("JWT", r"eyJ[A-Za-z0-9_-]{12,}\.eyJ[A-Za-z0-9_-]{12,}\.[A-Za-z0-9_-]{16,}"),
    ("OpenAI-compatible", r"sk-[A-Za-z0-9]{32,}"),
)
_BOUNDARY = r"(?<![A-Za-z0-9_-])({})(?![A-Za-z0-9_-])"


@cache
def _compiled() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The shapes compiled on first use: most runs find no key-like text to look at."""
    return tuple((name, re.compile(_BOUNDARY.format(pattern))) for name, pattern in PATTERNS)
# Azure keys are 32 hex characters: only a secret where a variable says so. The name between is
# bounded: `azure\w*key` retried the rest of a long word at every "azure" in it (quadratic).
_AZURE = re.compile(r"(?i)azure\w{0,60}?key\s*[=:]\s*['\"]?([0-9a-f]{32})\b")
_FAKE_WORDS = re.compile(r"(?i)your|here|example|sample|dummy|fake|placeholder|xxxx|test[-_]|changeme|redacted|"
                         r"insert|replace|secret[-_]?key|\*\*\*|\.\.\.|<|>")
MIN_ENTROPY = 3.2  # bits a character; real keys sit near 5.5, typed placeholders far below


@dataclass(frozen=True)
class SecretHit:
    provider: str
    value: str
    start: int  # offset in the text


def entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values()) if text else 0.0


def looks_fake(value: str) -> bool:
    """Placeholders, runs and sequences: nothing a provider issues."""
    body = re.sub(r"^(sk-(?:proj-|ant-api\d\d-|or-v1-)?|gsk_|xai-|hf_|pplx-|gh[pousr]_|AIzaSy)", "", value)
    if _FAKE_WORDS.search(value) or entropy(body) < MIN_ENTROPY:
        return True
    runs = re.findall(r"(.)\1{5,}", body)
    sequential = any(chunk in body.lower() for chunk in ("0123456789", "abcdefghij", "1234567890"))
    return bool(runs) or sequential


def find_secrets(text: str) -> list[SecretHit]:
    """Every real-looking key in the text, once each, in order."""
    hits: dict[int, SecretHit] = {}
    covered: set[int] = set()  # offsets inside a hit already found: one lookup, not a walk over every hit
    for provider, pattern in _compiled():
        for match in pattern.finditer(text):
            start, value = match.start(1), match.group(1)
            if start in covered or looks_fake(value):
                continue
            hits[start] = SecretHit(provider, value, start)
            covered.update(range(start, start + len(value)))
    for match in _AZURE.finditer(text):
        if not looks_fake(match.group(1)):
            hits.setdefault(match.start(1), SecretHit("Azure OpenAI", match.group(1), match.start(1)))
    return [hits[k] for k in sorted(hits)]


def line_of(text: str, offset: int) -> tuple[int, int]:
    """(line, column) from 1 of an offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
