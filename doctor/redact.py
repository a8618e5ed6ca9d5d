"""Masks secrets, and defuses control characters, in everything that leaves the process.

Two nets for secrets: the values the doctor knows (the key from the shell and from
`.env`, other `.env` secrets, proxy passwords, secrets in the base URL), and patterns for
anything shaped like a key or a bearer token, since a proxy or a server may echo a key
we never saw. A known secret is matched by every window of WINDOW characters, in its
plain, upper-case, lower-case, reversed, percent-encoded, hex and base64 forms: a server
that cuts, wraps or encodes the key it echoes leaks no part of it either.

Text from a server, a model, a file or the project's configuration may hold control
characters: an ESC sequence can clear the terminal or write the clipboard, and a line
break can forge a line of a CI log (`::error::`). `clean` escapes them; every result
passes through it before any renderer sees it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from typing import Any, Iterable
from urllib.parse import quote, quote_plus

from doctor.model import Finding, Fix, Result

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
URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s]+@")  # up to the last @: a password may hold one
# `?api-key=...` and friends in a URL: Azure and some gateways take the key this way.
URL_SECRET_PARAMETER = re.compile(
    r"(?i)([?&](?:api[-_]?key|key|token|access[-_]?token|auth|sig|signature|secret|password|code)=)[^&#\s'\"]+")

# Values shorter than this are too common to mask by exact match (a model name, "1").
MIN_SECRET_LENGTH = 6
# No run of this many characters of a known secret may leave the process.
WINDOW = 12

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROLS_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": " "}


def escape_controls(text: str, *, keep_newlines: bool = False) -> str:
    """Makes control characters visible (`\\x1b`, `\\n`), so text cannot drive a terminal or forge a line."""
    pattern = _CONTROLS_BUT_NEWLINE if keep_newlines else _CONTROLS
    return pattern.sub(lambda m: _NAMED.get(m.group(0)) or
                       (f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 0x100 else f"\\u{ord(m.group(0)):04x}"), text)


def shorten(text: object, limit: int = 200) -> str:
    """Text on one line, cut with an ellipsis. Only for text already cleaned: see Redactor.excerpt."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


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


def encoded_forms(secret: str) -> set[str]:
    """The forms a secret can take on its way back to us: cased, reversed, percent, hex, base64."""
    raw = secret.encode("utf-8", "surrogatepass")
    forms = {secret, secret.upper(), secret.lower(), secret[::-1], quote(secret, safe=""), quote_plus(secret),
             raw.hex(), raw.hex().upper()}
    for offset in range(3):  # base64 of any slice lines up with one of three alignments
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            forms.add(encode(raw[offset:]).decode("ascii").rstrip("="))
    return forms


class Redactor:
    """Replaces known secrets (whole, in part, or encoded) and key-shaped text with masks."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._exact: dict[str, str] = {}
        self._windows: dict[str, str] = {}  # every WINDOW-long slice of every form -> the mask shown
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Registers a secret, with the variants a user's file or shell may hold."""
        if not secret:
            return
        shown = mask(secret)
        for variant in {secret, secret.strip(), secret.strip().strip("'\"\u201c\u201d\u2018\u2019")}:
            if len(variant) < MIN_SECRET_LENGTH:
                continue
            self._exact.setdefault(variant, shown)
            if len(variant) < WINDOW:
                continue
            for form in encoded_forms(variant):
                for start in range(len(form) - WINDOW + 1):
                    self._windows.setdefault(form[start:start + WINDOW], shown)

    def add_weak(self, value: str | None) -> None:
        """A value that is private but may be ordinary text (a `.env` setting): masked only whole."""
        if value and len(value.strip()) >= MIN_SECRET_LENGTH:
            self._exact.setdefault(value.strip(), mask(value))

    def holds_secret(self, text: str) -> bool:
        """Whether any window of a known secret, in any of its forms, is in `text`."""
        return any(text[i:i + WINDOW] in self._windows for i in range(len(text) - WINDOW + 1)) or \
            any(secret in text for secret in self._exact)

    def redact(self, text: str) -> str:
        if not text:
            return text
        for secret in sorted(self._exact, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, self._exact[secret])
        text = self._mask_windows(text)
        text = URL_USERINFO.sub(r"\1***@", text)
        text = URL_SECRET_PARAMETER.sub(r"\1***", text)
        text = BEARER.sub(r"\1***", text)
        return KEY_SHAPES.sub(lambda m: mask(m.group(0)), text)

    def _mask_windows(self, text: str) -> str:
        """Replaces every run of text covered by secret windows with the secret's mask."""
        if not self._windows or len(text) < WINDOW:
            return text
        spans: list[list[Any]] = []
        for start in range(len(text) - WINDOW + 1):
            shown = self._windows.get(text[start:start + WINDOW])
            if shown is None:
                continue
            if spans and start <= spans[-1][1]:
                spans[-1][1] = start + WINDOW
            else:
                spans.append([start, start + WINDOW, shown])
        for start, end, shown in reversed(spans):
            text = text[:start] + shown + text[end:]
        return text

    def clean(self, text: str, *, keep_newlines: bool = False) -> str:
        """Text from outside (a server, a model, a file), safe to show: redacted, then control characters escaped."""
        return escape_controls(self.redact(text), keep_newlines=keep_newlines)

    def excerpt(self, text: object, limit: int = 200) -> str:
        """Outside text cleaned first and cut after, so a cut can never leave a fragment of a secret."""
        return shorten(self.clean(str(text)), limit)

    def redact_result(self, result: Result) -> Result:
        """A copy of a result with every text field masked and its control characters escaped."""
        return replace(
            result,
            message=self.clean(result.message),
            details=tuple(self.clean(d) for d in result.details),
            fix=self._clean_fix(result.fix),
            facts={k: self._clean_value(v) for k, v in result.facts.items()},
            traceback=self.clean(result.traceback, keep_newlines=True) if result.traceback else None,
            findings=tuple(self._clean_finding(f) for f in result.findings),
        )

    def _clean_fix(self, fix: Fix | None) -> Fix | None:
        if fix is None:
            return None
        return Fix(summary=self.clean(fix.summary), steps=tuple(self.clean(s) for s in fix.steps),
                   commands=tuple(self.clean(c) for c in fix.commands),
                   links=tuple(self.clean(link) for link in fix.links), guide=fix.guide)

    def _clean_finding(self, finding: Finding) -> Finding:
        where = finding.location
        return replace(finding, message=self.clean(finding.message), fix=self._clean_fix(finding.fix),
                       details=tuple(self.clean(d) for d in finding.details),
                       location=where._replace(file=self.clean(where.file)) if where else None)

    def _clean_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.clean(value)
        if isinstance(value, (list, tuple)):
            return type(value)(self._clean_value(v) for v in value)
        if isinstance(value, dict):
            return {k: self._clean_value(v) for k, v in value.items()}
        return value
