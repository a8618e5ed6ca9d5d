"""The context-length check: will the prompt plus the reply fit the model's window?

It runs offline. With tiktoken installed and its encoding already cached, the count is
exact; otherwise it is an approximation (four characters a token) and says so. The
doctor never lets tiktoken download an encoding: that would hang or fail offline.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from checks import guide
from checks.model_names import family
from doctor.files import read_bytes
from doctor.model import Finding, Fix, Result, Status, check, from_findings, skipped
from doctor.namedtuples import named_tuple

if TYPE_CHECKING:
    from checks.code_models import Chosen
    from doctor.context import Context

SAMPLE_MESSAGES = (
    ("system", "You are a concise, helpful assistant."),
    ("user", "Summarise what an LLM API does in two sentences."),
)
DEFAULT_MAX_OUTPUT = 200  # the guide's worked example caps replies at max_tokens=200
NEAR_LIMIT = 0.9
MAX_PROMPT_BYTES = 16 * 1024 * 1024  # four times the text of the largest context window
ENCODING_URL = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"


@named_tuple
class Window:
    context: int
    max_output: int
    input_cap: int | None
    encoding: str


# Published figures; a dated model name matches its family by the longest prefix.
WINDOWS = {
    "gpt-4o": Window(128_000, 16_384, None, "o200k_base"),
    "gpt-4o-mini": Window(128_000, 16_384, None, "o200k_base"),
    "gpt-4.1": Window(1_047_576, 32_768, None, "o200k_base"),
    "o1": Window(200_000, 100_000, None, "o200k_base"),
    "o3": Window(200_000, 100_000, None, "o200k_base"),
    "o4-mini": Window(200_000, 100_000, None, "o200k_base"),
    "gpt-5": Window(400_000, 128_000, 272_000, "o200k_base"),
    "gpt-5.4": Window(1_050_000, 128_000, 922_000, "o200k_base"),
    "gpt-5.5": Window(1_050_000, 128_000, 922_000, "o200k_base"),
    "gpt-4-turbo": Window(128_000, 4_096, None, "cl100k_base"),
    "gpt-4": Window(8_192, 8_192, None, "cl100k_base"),
    "gpt-3.5-turbo": Window(16_385, 4_096, None, "cl100k_base"),
}


def window_for(model: str) -> Window | None:
    name = family(model, WINDOWS, separators="-.")  # "gpt-5.4" is its own family, "gpt-5.1" is gpt-5's
    return WINDOWS[name] if name else None


def cached_encoding_file(encoding: str, environ: Mapping[str, str]) -> Path | None:
    """Where tiktoken caches an encoding, if it is there already (tiktoken/load.py's rules)."""
    if "TIKTOKEN_CACHE_DIR" in environ:
        folder = environ["TIKTOKEN_CACHE_DIR"]
    elif "DATA_GYM_CACHE_DIR" in environ:
        folder = environ["DATA_GYM_CACHE_DIR"]
    else:
        folder = str(Path(tempfile.gettempdir()) / "data-gym-cache")
    if not folder:
        return None
    path = Path(folder) / hashlib.sha1(ENCODING_URL.format(encoding).encode()).hexdigest()
    return path if path.is_file() else None


def count_tokens(messages: list[tuple[str, str]], encoding: str, environ: Mapping[str, str]) -> tuple[int, bool]:
    """Tokens in a chat request, and whether the count is exact (the cookbook's +3 a message, +3 priming).
    Without an encoding (a model served elsewhere, whose tokenizer is unknown) the count is approximate."""
    if encoding and cached_encoding_file(encoding, environ) is not None:
        try:
            import tiktoken

            enc = tiktoken.get_encoding(encoding)
            return sum(len(enc.encode(text, disallowed_special=())) + 3 for _, text in messages) + 3, True
        except Exception:  # noqa: BLE001 - a broken cache or tiktoken falls back to the estimate
            pass
    return sum(math.ceil(len(text) / 4) + 3 for _, text in messages) + 3, False


def _messages(ctx: Context) -> tuple[list[tuple[str, str]] | None, str]:
    """The messages to measure and where they came from; None when the prompt file cannot be read."""
    path = ctx.prompt_file
    if path is None:
        return list(SAMPLE_MESSAGES), "the guide's sample messages"
    found = read_bytes(path, MAX_PROMPT_BYTES)
    if not found.ok:
        return None, f"the prompt file {path.name} {found.problem}"
    return [SAMPLE_MESSAGES[0], ("user", (found.data or b"").decode("utf-8", "replace"))], str(path.name)


# Where servers put the context size in their /models answers: OpenRouter and Together (context_length),
# Groq (context_window), vLLM (max_model_len), LM Studio (max_context_length), llama.cpp (meta.n_ctx).
SERVER_WINDOW_FIELDS = ("context_length", "context_window", "max_model_len", "max_context_length")


def server_window(ctx: Context, model: str) -> tuple[int, str] | None:
    """The window the server itself states for the model, from the /models answer the live checks got."""
    from checks.api import model_entries
    from checks.probes import count

    future = ctx.cache.get("models")
    if future is None or not future.done() or future.cancelled() or future.exception() is not None:
        return None
    entries = model_entries(future.result())
    entry = next((e for e in entries if e["id"] == model), entries[0] if len(entries) == 1 else None)
    if entry is None:
        return None
    meta = entry.get("meta") if isinstance(entry.get("meta"), dict) else {}
    for name, value in [*((f, entry.get(f)) for f in SERVER_WINDOW_FIELDS), ("meta.n_ctx", meta.get("n_ctx"))]:
        if count(value):
            return int(value), f"{entry['id']}'s {name} in the server's /models answer"
    return None


def _window(ctx: Context, model: str) -> tuple[Window | None, str]:
    """The window to compare with, and where it comes from; None with the reason when it is unknown."""
    from urllib.parse import urlsplit

    from checks.providers import OPENAI_HOST

    stated = server_window(ctx, model)
    if stated is not None:
        return Window(stated[0], stated[0], None, ""), stated[1]
    host = urlsplit(ctx.base_url.value.strip()).hostname
    if host == OPENAI_HOST:
        card = window_for(model)
        return (card, "OpenAI's published figures") if card else \
            (None, f"the context window of {model!r} is not known to the doctor")
    why = "offline" if ctx.flags.offline else "its /models answer gives no size"
    return None, (f"the context window of {model!r} on {host} is unknown ({why}); OpenAI's figures hold only "
                  "for api.openai.com")


@check("context-length", title="Prompt fits the context window", group="API behaviour",
       codes=("context-over-limit", "context-near-limit", "prompt-file-unreadable"), timeout=30,
       after=("model-access",), reads=("code",))
async def context_length(ctx: Context) -> Result:
    """What it checks: the prompt (--prompt-file, or the guide's sample messages) plus the
    reply budget (max_tokens=200, as in the worked example) fits the model's context window:
    the size the server states in its /models answer, or, for api.openai.com, OpenAI's
    published figures. It counts offline (tiktoken when its encoding is cached).

    Why it fails: a long document pasted into the prompt exceeds the window, and the API
    answers 400 context_length_exceeded ("maximum context length is N tokens"); a local
    server may instead cut the prompt silently.

    How to fix: shorten or chunk the input, summarise long documents first, or lower
    max_tokens.
    """
    from checks.code_models import models_to_test

    chosen = await models_to_test(ctx)
    windows = [(c, *_window(ctx, c.name)) for c in chosen]
    known = [(c, w, origin) for c, w, origin in windows if w is not None]
    if not known:
        return skipped(windows[0][2])
    messages, source = await asyncio.to_thread(_messages, ctx)
    if messages is None:
        return Result(Status.FAIL, source, code="prompt-file-unreadable",
                      fix=Fix("Point prompt-file in [tool.llm-doctor] (or --prompt-file) at a regular text file.",
                              guide=guide.TROUBLESHOOTING))
    sample = "" if ctx.prompt_file else " for the guide's sample prompt (pass --prompt-file for yours)"
    findings, details, fits = [], [], []
    for chosen_model, window, origin in known:
        finding, fit = _fit(ctx, messages, chosen_model, window, sample)
        named = f" ({chosen_model.name})" if len(known) > 1 else ""
        details += [f"{source}{named}: {fit.prompt:,} prompt tokens ({fit.how}) + {fit.reply} reply tokens",
                    f"window{named}: {origin}"]
        fits.append(fit)
        if finding is not None:
            findings.append(finding)
    details += [f"{c.name}: not measured, {origin}" for c, w, origin in windows if w is None]
    ok = f"{fits[0].needed:,} of {known[0][0].name}'s {fits[0].context:,} tokens{sample}" if len(fits) == 1 else \
        f"the prompt fits all {len(fits)} models ({', '.join(c.name for c, _, _ in known)}){sample}"
    return from_findings(findings, ok, details=details)


@named_tuple
class Fit:
    prompt: int
    reply: int
    context: int
    how: str

    @property
    def needed(self) -> int:
        return self.prompt + self.reply


def _fit(ctx: Context, messages: list[tuple[str, str]], chosen: Chosen, window: Window,
         sample: str) -> tuple[Finding | None, Fit]:
    """One model's count, and a finding when the prompt does not fit it comfortably."""
    tokens, exact = count_tokens(messages, window.encoding, ctx.shell)
    fit = Fit(tokens, min(DEFAULT_MAX_OUTPUT, window.max_output), window.context,
              "counted with tiktoken" if exact else "approximate: 4 characters a token")
    fix = Fix("Shorten or split the input, or summarise it first; lower max_tokens if the reply can be shorter.",
              steps=("Send long documents in chunks and combine the answers.",
                     "Keep the conversation history short: send only the turns the model needs."),
              guide=guide.TROUBLESHOOTING)
    over_input = window.input_cap is not None and tokens > window.input_cap
    if fit.needed > window.context or over_input:
        limit = window.input_cap if over_input else window.context
        return Finding(Status.FAIL, "context-over-limit", f"{fit.needed:,} tokens{sample} do not fit "
                       f"{chosen.name}'s {limit:,}-token limit", fix, location=chosen.location), fit
    if fit.needed > NEAR_LIMIT * window.context:
        return Finding(Status.WARN, "context-near-limit", f"{fit.needed:,} of {window.context:,} tokens{sample}: "
                       f"close to {chosen.name}'s limit", fix, location=chosen.location), fit
    return None, fit
