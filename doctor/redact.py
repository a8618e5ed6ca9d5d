"""Masks secrets in everything that leaves the process.

Two nets: the exact values the doctor knows to be secret (the key from the shell and
from `.env`, and every other `.env` value), and patterns for anything shaped like a
key or a bearer token, since a proxy or a server may echo a key we never saw.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Iterable

from doctor.model import Fix, Result

# Prefixes that say which kind of key this is; kept visible in a mask because they
# help the user without revealing anything (longest first, so the most specific wins).
KNOWN_PREFIXES = (
    "sk-proj-", "sk-svcacct-", "sk-service-", "sk-admin-", "sk-ant-", "sk-or-v1-", "sk-or-",
    "tgp_v1_", "gsk_", "xai-", "AIzaSy", "pplx-", "hf_", "r8_", "fw_", "csk-", "nvapi-", "sk-",
)

KEY_SHAPES = re.compile(
    r"(?<![A-Za-z0-9])(?:sk|gsk|xai|pplx|csk|nvapi)[-_][A-Za-z0-9_\-*]{16,}"
    r"|(?<![A-Za-z0-9])AIzaSy[A-Za-z0-9_\-]{20,}"
    r"|(?<![A-Za-z0-9])(?:hf|r8|fw|tgp_v1)_[A-Za-z0-9]{16,}"
    r"|[A-Za-z0-9_\-]{10,}T3BlbkFJ[A-Za-z0-9_\-]{10,}"
)
BEARER = re.compile(r"(?i)(bearer\s+)[^\s'\"]{8,}")
URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s:@]+:[^/\s@]+@")

# Values shorter than this are too common to mask by exact match (a model name, "1").
MIN_SECRET_LENGTH = 6


def fingerprint(value: str) -> str:
    """A short, stable id for a secret, so two reports can be compared without the secret."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def mask(value: str) -> str:
    """Shows a secret as its kind prefix, its last four characters and a fingerprint."""
    stripped = value.strip()
    prefix = next((p for p in KNOWN_PREFIXES if stripped.startswith(p)), "")
    if len(stripped) < 20:
        return f"{prefix}*** (fp {fingerprint(value)})"
    return f"{prefix}…{stripped[-4:]} (fp {fingerprint(value)})"


class Redactor:
    """Replaces known secrets and key-shaped text with masks."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: dict[str, str] = {}
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Registers a secret, with the variants a user's file or shell may hold."""
        if not secret:
            return
        for variant in {secret, secret.strip(), secret.strip().strip("'\"\u201c\u201d\u2018\u2019")}:
            if len(variant) >= MIN_SECRET_LENGTH:
                self._secrets.setdefault(variant, mask(secret))

    def redact(self, text: str) -> str:
        if not text:
            return text
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, self._secrets[secret])
        text = URL_USERINFO.sub(r"\1***@", text)
        text = BEARER.sub(r"\1***", text)
        return KEY_SHAPES.sub(lambda m: mask(m.group(0)), text)

    def redact_result(self, result: Result) -> Result:
        """A copy of a result with every text field masked."""
        fix = result.fix
        if fix is not None:
            fix = Fix(
                summary=self.redact(fix.summary),
                steps=tuple(self.redact(s) for s in fix.steps),
                commands=tuple(self.redact(c) for c in fix.commands),
                links=fix.links,
                guide=fix.guide,
            )
        return Result(
            status=result.status,
            message=self.redact(result.message),
            code=result.code,
            details=tuple(self.redact(d) for d in result.details),
            fix=fix,
            facts={k: self._redact_value(v) for k, v in result.facts.items()},
            duration_ms=result.duration_ms,
            tokens_used=result.tokens_used,
            traceback=self.redact(result.traceback) if result.traceback else None,
        )

    def _redact_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, (list, tuple)):
            return type(value)(self._redact_value(v) for v in value)
        if isinstance(value, dict):
            return {k: self._redact_value(v) for k, v in value.items()}
        return value
