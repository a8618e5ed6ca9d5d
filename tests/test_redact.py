"""Masks: known secrets, key shapes, bearer tokens and credentials in URLs."""

from doctor.redact import Redactor, mask
from tests.conftest import CANARY_CORE, CANARY_KEY


def test_mask_keeps_only_prefix_and_last_four():
    masked = mask(CANARY_KEY)
    assert masked.startswith("sk-proj-…" + CANARY_KEY[-4:]) and CANARY_CORE not in masked


def test_short_secrets_show_no_characters():
    assert mask("abc123") .startswith("***")


def test_known_secret_variants_are_masked():
    r = Redactor([f"  {CANARY_KEY}\n"])
    assert CANARY_KEY not in r.redact(f"key={CANARY_KEY}!")


def test_unknown_key_shapes_are_masked():
    r = Redactor()
    for text in (f"echo {CANARY_KEY}", "gsk_" + "a1B2" * 13, "Incorrect API key provided: sk-abc***wxyz1234abcd"):
        out = r.redact(text)
        assert out != text


def test_bearer_and_url_credentials():
    r = Redactor()
    assert r.redact("Authorization: Bearer abcdefghijklmnop") == "Authorization: Bearer ***"
    assert r.redact("http://bob:hunter2@proxy:8080") == "http://***@proxy:8080"


def test_ordinary_words_are_left_alone():
    text = "task-manager-for-everyone-today and gpt-4o-mini"
    assert Redactor().redact(text) == text


def test_redaction_is_idempotent():
    r = Redactor([CANARY_KEY])
    once = r.redact(CANARY_KEY)
    assert r.redact(once) == once
