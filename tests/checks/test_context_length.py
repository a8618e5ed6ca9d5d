"""context-length: offline estimates against known context windows."""

from __future__ import annotations

import hashlib

from checks.context_length import ENCODING_URL, cached_encoding_file, context_length, count_tokens, window_for
from doctor.model import Status
from doctor.settings import Flags
from tests.conftest import base_environ, facts, make_ctx, run_check, write_project


def measure(tmp_path, prompt: str | None = None, model: str = "gpt-4o-mini"):
    project = write_project(tmp_path)
    if prompt is not None:
        (project / "prompt.txt").write_text(prompt)
    flags = Flags(model=model, prompt_file="prompt.txt" if prompt is not None else None)
    environ = base_environ(TIKTOKEN_CACHE_DIR=str(tmp_path / "no-cache"))
    return run_check(context_length, make_ctx(project, flags=flags, environ=environ, interpreter=facts(project)))


def test_sample_messages_fit(tmp_path):
    result = measure(tmp_path)
    assert result.status is Status.PASS
    assert "approximate" in result.details[0]
    assert "of gpt-4o-mini's 128,000 tokens" in result.message  # the model tested, named


def test_a_long_prompt_does_not_fit(tmp_path):
    result = measure(tmp_path, "word " * 110_000)  # about 137k tokens at 4 characters a token
    assert (result.status, result.code) == (Status.FAIL, "context-over-limit")
    assert "128,000" in result.message


def test_near_the_limit_warns(tmp_path):
    result = measure(tmp_path, "x" * 4 * 118_000)
    assert (result.status, result.code) == (Status.WARN, "context-near-limit")


def test_gpt5_input_cap(tmp_path):
    result = measure(tmp_path, "x" * 4 * 280_000, model="gpt-5-mini")
    assert result.code == "context-over-limit" and "272,000" in result.message


def test_unknown_model_is_a_skip(tmp_path):
    assert measure(tmp_path, model="llama-3.1-8b-instant").status is Status.SKIP


def test_dated_and_prefixed_model_names_find_their_family():
    assert window_for("gpt-4o-2024-08-06").context == 128_000
    assert window_for("openai/gpt-4.1-mini").context == 1_047_576
    assert window_for("gpt-4-0613").context == 8_192


def test_tiktoken_cache_is_looked_up_without_downloading(tmp_path):
    name = hashlib.sha1(ENCODING_URL.format("o200k_base").encode()).hexdigest()
    assert cached_encoding_file("o200k_base", {"TIKTOKEN_CACHE_DIR": str(tmp_path)}) is None
    (tmp_path / name).write_bytes(b"not a real encoding")
    assert cached_encoding_file("o200k_base", {"TIKTOKEN_CACHE_DIR": str(tmp_path)}) == tmp_path / name
    # A broken cached file falls back to the labelled estimate instead of failing.
    tokens, exact = count_tokens([("user", "hello world")], "o200k_base", {"TIKTOKEN_CACHE_DIR": str(tmp_path)})
    assert tokens > 0 and exact is False
