"""Reading a pasted error the way a person does, before any rule looks at it.

Users paste what their terminal, log viewer or framework shows: ANSI colours, log prefixes, lines
wrapped in the middle of a phrase (or of `Error code: 400`), JSON escaped once or twice inside
another JSON or a Python repr, box-drawing frames from TUIs. `views` gives the rules two flat
readings of the same text, so a phrase is found however it was broken:
- `flat`: every run of whitespace (line breaks included) becomes one space;
- `joined`: a line break and the indentation after it are removed, which mends a word or a number
  a terminal cut in two.

Besides the words, three parts of an error carry a cause on their own, and each has a reader here:
the masked key OpenAI echoes in a 401 (`masked_key_cause`), the limit and the request size in a
429 (`over_the_limit`), and the traceback's last frames (`last_frames`).

Every pattern is linear: no nested quantifiers, bounded repeats, input cut before matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ANSI = re.compile(r"\x1b\[[0-9;?]{0,40}[ -/]{0,4}[@-~]")
_FRAMING = str.maketrans({ch: " " for ch in "│┃║╎┆⎿▏|"})
_INDENTED_BREAK = re.compile(r"[ \t]*\r?\n[ \t]*")


@dataclass(frozen=True)
class Views:
    lines: str  # cleaned, line breaks kept (for tracebacks and anchored rules)
    flat: str
    joined: str

    def each(self) -> tuple[str, ...]:
        """The flat readings every pattern runs on (one when the text has a single line)."""
        return (self.flat,) if self.flat == self.joined else (self.flat, self.joined)

    def lowered(self) -> tuple[str, ...]:
        """The same, lowercased, for the phrase rules."""
        return tuple(view.lower() for view in self.each())


def views(text: str) -> Views:
    """The cleaned text, and its two flat readings."""
    text = _ANSI.sub("", text)
    for _ in range(2):  # JSON inside JSON: escaped once per level
        text = text.replace("\\\\", "\\")
    text = text.replace('\\"', '"').replace("\\'", "'").replace("\\r\\n", "\n").replace("\\n", "\n")
    text = text.replace("\\t", " ").replace("\u2019", "'").translate(_FRAMING)
    return Views(text, " ".join(text.split()), _INDENTED_BREAK.sub("", text))


# --- the masked key in "Incorrect API key provided: sk-abc***wxyz" -----------------------------------

# The key follows a colon; "Incorrect API key provided" with no colon shows no key at all (a proxy's or
# an older server's wording), and what follows it then is the text's own quote, not the key.
_MASKED_KEY = re.compile(r"(?:incorrect api key provided|your api key): ?([^\s.,]{0,200}(?:[.,][^\s.,]{1,40}){0,3})",
                         re.I)
_OTHER_PROVIDERS = (("gsk_", "a Groq key"), ("sk-ant-", "an Anthropic key"), ("sk-or-", "an OpenRouter key"),
                    ("aiza", "a Google key"), ("xai-", "an xAI key"), ("pplx-", "a Perplexity key"),
                    ("nvapi-", "an NVIDIA key"), ("hf_", "a Hugging Face token"))
_PLACEHOLDER_WORDS = ("your", "here", "xxxx", "replace", "example", "insert", "api-key", "api_key", "apikey",
                      "changeme", "dummy", "test-key", "sk-...")


_NOT_A_KEY_START = ("bearer", '"', "'", "{", "$", "`", "%", "<")  # quotes, braces, a variable, a header


@dataclass(frozen=True)
class KeyClue:
    code: str
    why: str


def masked_key_cause(flat: str) -> KeyClue | None:
    """What the key the server received says (OpenAI's "Incorrect API key provided: sk-ab***wxyz", DeepSeek's
    "Your api key: ****wxyz"), when it is not simply a wrong key: nothing was loaded, a placeholder, a URL
    or other text, or another provider's key. None for an ordinary-looking key."""
    found = _MASKED_KEY.search(flat)
    if not found:
        return None
    key = found.group(1).rstrip(".").strip()
    low = key.lower()
    shown = low.lstrip("*")  # DeepSeek shows only the end: "****null"
    if not low:
        return None
    if shown in ("undefined", "null", "none", "nil", '""', "''"):
        return KeyClue("key-missing", f"the key OpenAI received was {key!r}: nothing was loaded")
    if low.startswith(("http://", "https://", "www.")):
        return KeyClue("key-bad-prefix", "the key OpenAI received is a URL")
    if any(word in low for word in _PLACEHOLDER_WORDS):
        return KeyClue("key-placeholder", "the key OpenAI received is a placeholder")
    for prefix, what in _OTHER_PROVIDERS:
        if low.startswith(prefix):
            return KeyClue("key-wrong-provider", f"the key OpenAI received is {what}")
    if shown in ("true", "false") or low.startswith(_NOT_A_KEY_START) or any(ch in low for ch in ':{}"'):
        return KeyClue("key-bad-prefix", "the key OpenAI received is not shaped like a key (quotes, braces, a "
                                         "variable or a flag's value)")
    return None


# --- "Limit 30000, Used 29000, Requested 3000" ----------------------------------------------------------

_LIMIT = re.compile(r"\blimit:? ?(\d[\d,]{0,12})\b[^.;]{0,60}?\brequested:? ?~?(\d[\d,]{0,12})", re.I)


def over_the_limit(flat: str) -> bool | None:
    """True when one request asks for more than the whole limit (waiting never helps), False when it
    fits and the minute was simply full, None when the text gives no figures."""
    found = _LIMIT.search(flat)
    if not found:
        return None
    limit, requested = (int(part.replace(",", "")) for part in found.groups())
    return requested > limit


# --- the traceback's last frames ------------------------------------------------------------------------

_FRAME = re.compile(r'^[ \t]{0,8}File "([^"\n]{1,400})", line \d{1,7}, in [^\n]{1,200}\n([^\n]{0,400})', re.M)
_LAST_FRAMES = 8


@dataclass(frozen=True)
class Frame:
    path: str
    source: str  # the failing source line, stripped ("" when the traceback does not show it)


def last_frames(lines: str) -> list[Frame]:
    """The last frames of the (last) traceback, innermost last."""
    frames = [Frame(m.group(1).replace("\\", "/"), m.group(2).strip()) for m in _FRAME.finditer(lines)]
    return [f if not f.source.startswith("File ") else Frame(f.path, "") for f in frames[-_LAST_FRAMES:]]
