"""Masks secrets, and defuses control characters, in everything that leaves the process.

Two nets for secrets: the values the doctor knows (the key from the shell and from
`.env`, other `.env` secrets, proxy passwords, secrets in the base URL), and patterns for
anything shaped like a key or a bearer token, since a proxy or a server may echo a key
we never saw. A known secret is matched by every window of WINDOW characters, in its
plain, upper-case, lower-case, reversed, percent-encoded, hex and base64 forms: a server
that cuts, wraps or encodes the key it echoes leaks no part of it either.

A server may also echo the key spread out: a character at a time with separators between,
in fullwidth forms, with zero-width characters, or percent-encoded a byte at a time. So a
second view of every text, its skeleton (letters and digits only, fullwidth folded, `%XX`
decoded), is matched, case aside, against the skeletons of every form of every secret.

Every pass is linear in the text: the patterns start only where a token starts (no
unanchored repeat that is retried at every position), the secret windows are dictionary
lookups, and a text longer than MAX_TEXT_CHARS is cut, on a token boundary, before any
of it is matched: a key that straddled the cut leaves with none of its characters.

Every text that leaves the process is redacted, so redaction is on every run's path and
must cost little: the windows are looked up at every GRAM-th position only, the skeleton is
built at C speed and mapped back to the text only where it holds a secret, and the values
matched whole are looked for with `in` first (see `Windows` and `fold`).

Text from a server, a model, a file or the project's configuration may hold control
characters: an ESC sequence can clear the terminal or write the clipboard, and a line
break can forge a line of a CI log (`::error::`); Azure Pipelines obeys `##vso[` anywhere
in a line. `clean` escapes them; every result passes through it before any renderer sees it.
"""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
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
    # Starts only where a token starts: unanchored, `{10,}` was retried at every position (quadratic).
    r"|(?<![A-Za-z0-9_\-])[A-Za-z0-9_\-]{10,}T3BlbkFJ[A-Za-z0-9_\-]{10,}"
)
# Every key shape is made of these characters, at least this many: the shapes are looked for only in
# such runs (a shape's look-behind sees the same character there), which costs a tenth of a whole-text search.
_KEY_RUN = re.compile(r"[A-Za-z0-9_\-*]{19,}")
# A bearer token is masked, but not a shell variable that names one (`Bearer $OPENAI_API_KEY` in a
# curl line to try by hand is no secret, and `***` there would send the literal `***`).
# A backslash ends the token too: in JSON text the closing quote is escaped (`$OPENAI_API_KEY\"`).
BEARER = re.compile(r"((?i:bearer)\s+)(?!\$\{?[A-Za-z_][A-Za-z0-9_]{0,64}\}?(?![^\s'\"\\]))[^\s'\"\\]{8,}")
# Up to the last @, since a password may hold one; a scheme starts only where a run of scheme characters does.
# (Case is spelled out rather than ignored: a case-blind Unicode pattern with negated classes takes
# ~2 ms to compile, on every start-up.)
URL_USERINFO = re.compile(r"(?<![A-Za-z0-9+.\-])([A-Za-z][A-Za-z0-9+.\-]*://)[^/\s]+@")
# `?api-key=...` and friends in a URL: Azure and some gateways take the key this way.
URL_SECRET_PARAMETER = re.compile(
    r"(?i)([?&](?:api[-_]?key|key|token|access[-_]?token|auth|sig|signature|secret|password|code)=)[^&#\s'\"]+")

# Values shorter than this are too common to mask by exact match (a model name, "1").
MIN_SECRET_LENGTH = 6
# No run of this many characters of a known secret may leave the process.
WINDOW = 12
# Any WINDOW-long run of a text holds a whole GRAM-long slice that starts at a multiple of GRAM.
GRAM = WINDOW // 2
# Longer texts are cut before any pattern meets them: no message, detail or excerpt needs more.
MAX_TEXT_CHARS = 256 * 1024
# A secret's windows are kept for this many characters of each form (keys are under 300), and
# for at most WINDOW_BUDGET characters of forms in all (a few hundred keys), so a .env of huge or
# countless values costs neither minutes nor gigabytes. The run's own key is registered first.
MAX_SECRET_CHARS = 4096
WINDOW_BUDGET = 1_000_000
# Values matched whole that share their first MIN_SECRET_LENGTH characters: a secret among more
# than this many look-alikes is still masked by its windows (`add`), a weak value is not.
MAX_ALIKE = 32
# Characters that show nothing: a key with them between its characters still reads as the key.
_INVISIBLE = "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"
# The units of a skeleton: a percent-encoded ASCII byte, a letter or digit, or any non-ASCII character.
_SKELETON_UNIT = re.compile(r"%([0-7][0-9A-Fa-f])|[A-Za-z0-9]|[^\x00-\x7f]")
# The units `fold` turns into something else; ASCII letters and digits stay, any other ASCII goes.
_FOLDED_UNIT = re.compile(r"%([0-7][0-9A-Fa-f])|[^\x00-\x7f]")
_NOT_ALNUM = bytes(byte for byte in range(128) if not chr(byte).isalnum())
# Values matched whole are first looked for with `in`, one pass each, when there are no more than this.
MAX_SCANNED_VALUES = 64
# Where a token ends: a cut moves back to one, so no fragment of a key is left at the cut.
_TOKEN_BREAKS = "'\"<>()[]{}|,;"
_AZURE_COMMAND = re.compile(r"(?i)##vso\[")

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROLS_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": " "}


def escape_controls(text: str, *, keep_newlines: bool = False) -> str:
    """Makes control characters visible (`\\x1b`, `\\n`), so text cannot drive a terminal or forge a
    line, and breaks `##vso[` (`##vso\\[`), which Azure Pipelines obeys wherever it sits in a line."""
    pattern = _CONTROLS_BUT_NEWLINE if keep_newlines else _CONTROLS
    text = pattern.sub(lambda m: _NAMED.get(m.group(0)) or
                       (f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 0x100 else f"\\u{ord(m.group(0)):04x}"), text)
    return _AZURE_COMMAND.sub(lambda m: m.group(0)[:-1] + "\\[", text)


def cut_to_cap(text: str, cap: int = MAX_TEXT_CHARS) -> str:
    """At most `cap` characters, cut before the token the cap would split (a key across the cut
    leaves none of its characters), and marked as cut. Done before any pattern runs."""
    if len(text) <= cap:
        return text
    end = cap
    while end > cap - 400 and not text[end].isspace() and text[end] not in _TOKEN_BREAKS:
        end -= 1
    head = text[:end]
    return f"{head}… (cut at {cap // 1024} KB of {len(text) // 1024} KB)"


def skeleton(text: str) -> tuple[str, list[int], list[int]]:
    """The letters and digits of `text`, with fullwidth and other compatibility forms
    folded, invisible characters dropped and `%XX` decoded; and where each came from (start and
    end in `text`), so a match in the skeleton masks the right span of the text."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for unit in _SKELETON_UNIT.finditer(text):
        for char in _unit_folded(unit):
            if char.isascii() and char.isalnum():
                chars.append(char)
                starts.append(unit.start())
                ends.append(unit.end())
    return "".join(chars), starts, ends


def fold(text: str) -> str:
    """The skeleton's letters and digits alone (`skeleton(text)[0]`), built at C speed: the
    skeleton's positions are needed only where a secret sits, which is almost never."""
    if not text.isascii() or "%" in text:
        text = _FOLDED_UNIT.sub(_unit_folded, text)  # ASCII from here on
    return text.encode("ascii").translate(None, _NOT_ALNUM).decode("ascii")


def _unit_folded(unit: re.Match[str]) -> str:
    """What one unit of a skeleton (see _SKELETON_UNIT) stands for, ASCII only: a `%XX` byte decoded,
    an ASCII letter or digit as it is, an invisible character dropped, any other character's ASCII
    letters and digits in its compatibility form (fullwidth folded). `skeleton` and `fold` share it."""
    if unit.group(1):
        return chr(int(unit.group(1), 16))
    found = unit.group(0)
    if found.isascii():
        return found
    if found in _INVISIBLE:
        return ""
    return "".join(char for char in unicodedata.normalize("NFKC", found) if char.isascii() and char.isalnum())


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


def _mask_key_shapes(run: re.Match[str]) -> str:
    return KEY_SHAPES.sub(lambda shape: mask(shape.group(0)), run.group(0))


class Windows:
    """Every WINDOW-long slice of some forms of secrets, and the mask each shows.

    A text is looked up at every GRAM-th position only: a window anywhere in it covers
    a whole GRAM-long slice starting at a multiple of GRAM, which must then be a slice of
    a form too; only around such a slice is every position looked up.
    """

    def __init__(self) -> None:
        self.shown: dict[str, str] = {}
        self.grams: set[str] = set()

    def add(self, form: str, shown: str) -> None:
        end = min(len(form), MAX_SECRET_CHARS)
        for start in range(end - WINDOW + 1):
            self.shown.setdefault(form[start:start + WINDOW], shown)
        if end >= WINDOW:
            self.grams.update(form[start:start + GRAM] for start in range(end - GRAM + 1))

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Every run of `text` covered by windows, merged, in order."""
        spans: list[list[Any]] = []
        if not self.shown:
            return []
        last = len(text) - WINDOW
        for gram in range(0, len(text) - GRAM + 1, GRAM):
            if text[gram:gram + GRAM] not in self.grams:
                continue
            for start in range(max(gram - GRAM + 1, 0), min(gram, last) + 1):
                shown = self.shown.get(text[start:start + WINDOW])
                if shown is None:
                    continue
                if spans and start <= spans[-1][1]:
                    spans[-1][1] = start + WINDOW
                else:
                    spans.append([start, start + WINDOW, shown])
        return [(start, stop, shown) for start, stop, shown in spans]


class Redactor:
    """Replaces known secrets (whole, in part, encoded or spread out) and key-shaped text with masks."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._heads: dict[str, list[tuple[str, str]]] = {}  # first MIN_SECRET_LENGTH characters -> (value, mask)
        self._values: list[str] = []  # every value matched whole, while there are few enough to scan for each
        self._windows = Windows()  # of every form
        self._skeletons = Windows()  # of every form's skeleton, lower-cased: an echo may change case too
        self._budget = WINDOW_BUDGET  # characters of forms still to be cut into windows
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
            # Whole, each variant shows its own fingerprint: a fix that strips the spaces around the key
            # shows a change in its preview, where one mask for both made the two lines look the same.
            self._add_exact(variant, mask(variant))
            if len(variant) < WINDOW or self._budget <= 0:
                continue
            for form in encoded_forms(variant[:MAX_SECRET_CHARS]):
                self._budget -= len(form)
                self._windows.add(form, shown)
                self._skeletons.add(fold(form).lower(), shown)

    def add_weak(self, value: str | None) -> None:
        """A value that is private but may be ordinary text (a `.env` setting): masked only whole."""
        if value and len(value.strip()) >= MIN_SECRET_LENGTH:
            self._add_exact(value.strip(), mask(value))

    def _add_exact(self, value: str, shown: str) -> None:
        """Values by their first characters, longest first (the longest wins where two start alike);
        at most MAX_ALIKE that start alike, so a .env of thousands of `xxxxxx...` values stays linear."""
        candidates = self._heads.setdefault(value[:MIN_SECRET_LENGTH], [])
        if len(candidates) < MAX_ALIKE and all(known != value for known, _ in candidates):
            candidates.append((value, shown))
            candidates.sort(key=lambda pair: -len(pair[0]))
            self._values.append(value)

    def holds_secret(self, text: str) -> bool:
        """Whether any known secret, whole or a window of it in any of its forms, is in `text`."""
        return bool(self._spans(text))

    def redact(self, text: str) -> str:
        if not text:
            return text
        text = cut_to_cap(text)
        pieces, end = [], 0
        for start, stop, shown in self._spans(text):
            pieces += [text[end:start], shown]
            end = stop
        text = "".join(pieces) + text[end:]
        # Each pattern only where the text could hold a match: most texts hold none, and these checks are C speed.
        if "://" in text:
            text = URL_USERINFO.sub(r"\1***@", text)
        if "=" in text:
            text = URL_SECRET_PARAMETER.sub(r"\1***", text)
        if "bearer" in text.lower():
            text = BEARER.sub(r"\1***", text)
        return _KEY_RUN.sub(_mask_key_shapes, text)

    def _spans(self, text: str) -> list[tuple[int, int, str]]:
        """Where known secrets sit in `text`, merged: (start, end, the mask to show), in order. Where a
        value matched whole starts, its own mask is shown."""
        found = [(start, 0, stop, shown) for start, stop, shown in self._exact_spans(text)]
        found += [(start, 1, stop, shown) for start, stop, shown in self._windows.spans(text)]
        if self._skeletons.shown and len(text) >= WINDOW:
            spread = self._skeletons.spans(fold(text).lower())
            if spread:
                _, starts, ends = skeleton(text)  # the same letters and digits as `fold`, with where they sit
                found += [(starts[a], 1, ends[b - 1], shown) for a, b, shown in spread]
        merged: list[list[Any]] = []
        for start, _, stop, shown in sorted(found):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], stop)
            else:
                merged.append([start, stop, shown])
        return [(start, stop, shown) for start, stop, shown in merged]

    def _exact_spans(self, text: str) -> list[tuple[int, int, str]]:
        spans: list[tuple[int, int, str]] = []
        if not self._heads:
            return spans
        if len(self._values) <= MAX_SCANNED_VALUES and not any(value in text for value in self._values):
            return spans
        position = 0
        while position <= len(text) - MIN_SECRET_LENGTH:
            for value, shown in self._heads.get(text[position:position + MIN_SECRET_LENGTH], ()):
                if text.startswith(value, position):
                    spans.append((position, position + len(value), shown))
                    position += len(value) - 1
                    break
            position += 1
        return spans

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
            cleaned = [self._clean_value(v) for v in value]
            return type(value)(*cleaned) if hasattr(value, "_fields") else type(value)(cleaned)  # a NamedTuple
        if isinstance(value, dict):
            return {k: self._clean_value(v) for k, v in value.items()}
        return value
