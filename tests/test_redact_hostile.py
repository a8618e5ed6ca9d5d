"""Redaction against hostile text: linear time on every shape of input, keys echoed spread out,
folded or encoded, texts cut before any pattern meets them, and CI log commands made inert."""

from __future__ import annotations

import pytest

from doctor.context import looks_secret
from doctor.redact import GRAM, KEY_SHAPES, MAX_TEXT_CHARS, WINDOW, Redactor, cut_to_cap, fold, skeleton
from tests.conftest import CANARY_KEY, leaks
from tests.growth import assert_linear, run_limited

# Inputs that made a pattern retry its repeat at every position (quadratic), each as (name, unit).
HOSTILE_UNITS = [
    ("letters", "a"),
    ("letters with dashes", "a-"),
    ("key-shaped runs", "sk-"),
    ("scheme-shaped runs", "a."),
    ("schemes", "a://"),
    ("bearer words", "bearer "),
    ("percent escapes", "%41"),
    ("fullwidth letters", "\uff41"),
    ("zero-width joins", "a\u200b"),
    ("openai marker", "T3BlbkFJ-"),
]


def _repeat(unit: str):
    return lambda size: (unit * (size // len(unit) + 1))[:size]


@pytest.mark.parametrize("name,unit", HOSTILE_UNITS, ids=[n for n, _ in HOSTILE_UNITS])
def test_redaction_is_linear_in_the_text(name, unit):
    redactor = Redactor([CANARY_KEY, "hunter2-secret"])
    assert_linear(_repeat(unit), redactor.clean)


@pytest.mark.parametrize("name,unit", HOSTILE_UNITS, ids=[n for n, _ in HOSTILE_UNITS])
def test_judging_a_value_by_its_shape_is_linear(name, unit):
    assert_linear(_repeat(unit), lambda value: looks_secret("NAME", value))


def test_url_credentials_before_a_long_run_are_linear():
    assert_linear(lambda size: "x://" + "a" * size, Redactor().redact)
    assert_linear(lambda size: "http://" + "a:" * (size // 2), Redactor().redact)


def test_a_text_full_of_the_key_is_masked_in_linear_time():
    redactor = Redactor([CANARY_KEY])
    assert_linear(lambda size: (CANARY_KEY + " ") * (size // len(CANARY_KEY)), redactor.redact)
    assert leaks(redactor.redact((CANARY_KEY + " ") * 50), CANARY_KEY) == []


@pytest.mark.parametrize("echo", [
    " ".join(CANARY_KEY),  # a character at a time
    "-".join(CANARY_KEY),
    "\u200b".join(CANARY_KEY),  # zero-width characters between
    "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in CANARY_KEY),  # fullwidth forms
    "".join(f"%{b:02X}" for b in CANARY_KEY.encode()),  # percent-encoded, every byte
    "".join(f"%{b:02x}" for b in CANARY_KEY.encode()),
    "\u200d".join("".join(f"%{b:02X}" for b in CANARY_KEY[:40].encode())),
], ids=["spaces", "dashes", "zero-width", "fullwidth", "percent-upper", "percent-lower", "mixed"])
def test_a_key_echoed_spread_out_or_encoded_is_masked(echo):
    redactor = Redactor([CANARY_KEY])
    text = f"The server said: invalid key {echo} (check it)"
    out = redactor.clean(text)
    assert redactor.holds_secret(text)
    assert not redactor.holds_secret(out)
    assert out.startswith("The server said: invalid key ") and out.endswith(" (check it)")
    assert CANARY_KEY[8:20] not in skeleton(out)[0]


def test_a_key_echoed_spread_out_in_mixed_case_is_masked():
    """A gateway that upper-cases some letters and spaces them out still echoes the key."""
    redactor = Redactor([CANARY_KEY])
    echo = " ".join(c.swapcase() if i % 2 else c for i, c in enumerate(CANARY_KEY))  # no form has this case
    out = redactor.clean(f"key {echo} refused")
    assert redactor.holds_secret(echo) and not redactor.holds_secret(out)
    assert CANARY_KEY[8:20].lower() not in skeleton(out)[0].lower()


FOLD_ALPHABET = "aZ9-_ %%417fF\u200b\uff41\uff10\u00e9e\u0301\u2460\ufb01\u00ad\n"


@pytest.mark.parametrize("seed", range(40))
def test_fold_gives_the_letters_and_digits_of_the_skeleton(seed):
    """`fold` is the skeleton's text at C speed: the spans found in one are mapped through the other."""
    import random

    rng = random.Random(seed)
    text = "".join(rng.choice(FOLD_ALPHABET) for _ in range(rng.randrange(0, 300)))
    assert fold(text) == skeleton(text)[0]


@pytest.mark.parametrize("spread", [False, True], ids=["plain", "spread out"])
def test_a_window_of_the_key_is_found_at_every_offset(spread):
    """The windows are looked up at every GRAM-th position: a window at any offset of the text,
    of any part of the key, is still found."""
    redactor = Redactor([CANARY_KEY])
    key = fold(CANARY_KEY) if spread else CANARY_KEY  # spread out, a window is twelve letters and digits
    for offset in range(2 * GRAM):
        for part in range(0, len(key) - WINDOW + 1, 5):
            piece = key[part:part + WINDOW]
            shown = " ".join(piece) if spread else piece
            text = "x" * offset + " " + shown + " y"
            assert redactor.holds_secret(text), (offset, part)
            assert not redactor.holds_secret(redactor.redact(text)), (offset, part)


def test_an_eleven_character_piece_of_the_key_is_no_window():
    redactor = Redactor([CANARY_KEY])
    text = "see " + CANARY_KEY[20:20 + WINDOW - 1] + " here"
    assert not redactor.holds_secret(text)


def test_ordinary_spread_out_text_is_left_alone():
    redactor = Redactor([CANARY_KEY])
    text = "s e e   t h e   g u i d e ,  ｆｕｌｌｗｉｄｔｈ  and 100%25 done"
    assert redactor.clean(text) == text


def test_a_long_text_is_cut_before_matching_and_a_key_across_the_cut_leaves_nothing():
    redactor = Redactor([CANARY_KEY])
    for offset in range(0, len(CANARY_KEY), 7):
        text = "word " * ((MAX_TEXT_CHARS - offset) // 5) + "x" * ((MAX_TEXT_CHARS - offset) % 5) + CANARY_KEY + " tail"
        out = redactor.redact(text)
        assert len(out) < MAX_TEXT_CHARS + 100 and "(cut at 256 KB" in out
        assert leaks(out, CANARY_KEY) == [], offset


def test_an_unknown_key_across_the_cut_leaves_nothing():
    key = "sk-" + "Zq7Wm3Xp9Lk2" * 8
    text = "word " * (MAX_TEXT_CHARS // 5 - 2) + "ab " + key
    out = cut_to_cap(text)
    assert key[:12] not in out and out.startswith("word word")


def test_azure_log_commands_are_broken_anywhere_in_a_line():
    out = Redactor().clean("file name ##vso[task.setvariable variable=x]evil and ##VSO[task.complete]")
    assert "##vso[" not in out.lower() and "##vso\\[task.setvariable" in out
    assert Redactor().clean(out) == out


def test_many_long_secrets_stay_within_memory():
    """A .env of a thousand 64 KB secrets: every value is still masked whole, and the windows stop at a cap."""
    done = run_limited("""
        from doctor.redact import Redactor
        values = [f"{i:06d}" + "Zq7Wm3Xp9Lk2" * 5500 for i in range(1000)]
        r = Redactor(values)
        out = r.redact("x " + values[-1] + " y")
        assert values[-1][:12] not in out and out.startswith("x …") and out.endswith(" y"), "masked whole"
        assert r.redact("x " + values[0][:40] + " y") != "x " + values[0][:40] + " y", "first value's windows"
        print("ok")
    """)
    assert done.stdout.strip() == "ok", done.stderr[-2000:]


def test_the_secrets_scan_is_linear():
    from doctor.project.secrets import find_secrets

    assert_linear(_repeat("azure"), find_secrets)  # `azure\w*key` retried the word at every "azure"
    assert_linear(_repeat("azure_key=0123456789abcdef0123456789abcdef "), find_secrets)
    assert_linear(_repeat("AzureOpenAI(x, (y), "), find_secrets)  # a client's arguments: bounded per call
    assert_linear(_repeat("my_api_key = 'abcdefghij"), find_secrets)
    hexkey = "9f3a7c1e5b2d8f4a6c0e9b7d3f1a5c8e"
    assert [h.value for h in find_secrets(f"AZURE_OPENAI_KEY = '{hexkey}'")] == [hexkey]


def test_a_file_of_many_keys_is_scanned_in_linear_time():
    import hashlib

    from doctor.project.secrets import find_secrets

    def keys(size: int) -> str:
        return "".join(f"sk-proj-{hashlib.sha256(str(i).encode()).hexdigest()[:48]}\n" for i in range(size // 57))

    assert_linear(keys, find_secrets)
    assert len(find_secrets(keys(5700))) == 100


def test_thousands_of_values_that_start_alike_are_registered_and_matched_in_linear_time():
    def values(size: int) -> Redactor:
        redactor = Redactor()
        for length in range(6, 6 + size // 20):
            redactor.add_weak("x" * length)
        return redactor

    assert_linear(values, lambda redactor: redactor.redact("x" * 2000))
    assert_linear(lambda size: size, lambda size: values(size))
