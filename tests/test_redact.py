"""Masks: known secrets, key shapes, bearer tokens and credentials in URLs."""

from doctor.redact import Redactor, mask
from tests.conftest import CANARY_CORE, CANARY_KEY, leaks


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


def test_every_window_of_a_known_secret_is_masked_in_every_form():
    import base64
    from urllib.parse import quote

    r = Redactor([CANARY_KEY])
    pieces = [CANARY_KEY[20:40], CANARY_KEY[-12:], CANARY_KEY.upper(), CANARY_KEY[::-1], quote(CANARY_KEY),
              base64.b64encode(CANARY_KEY.encode()).decode(), base64.b64encode(CANARY_KEY[7:50].encode()).decode(),
              base64.urlsafe_b64encode(CANARY_KEY[2:].encode()).decode(), CANARY_KEY.encode().hex()]
    for piece in pieces:
        # Spread-out echoes are matched case aside, so a next word that goes on with the key's
        # letters (" t" after "g0Ty", then "T3Blbk") would be masked with it: this one does not.
        text = f"padding {'x' * 175}{piece} end"
        assert r.holds_secret(text)
        out = r.redact(text)
        assert not r.holds_secret(out), piece
        assert leaks(out, CANARY_KEY) == []
        assert out.endswith(" end") and out.startswith("padding ")


def test_fragments_shorter_than_the_window_are_left_alone():
    r = Redactor([CANARY_KEY])
    assert r.redact(f"x {CANARY_KEY[20:31]} y") == f"x {CANARY_KEY[20:31]} y"


def test_excerpt_redacts_before_it_cuts():
    r = Redactor([CANARY_KEY])
    cut = r.excerpt("x" * 175 + CANARY_KEY, 200)
    assert leaks(cut, CANARY_KEY) == []


def test_control_characters_are_escaped_not_obeyed():
    r = Redactor()
    out = r.clean("a\x1b]52;c;ZXZpbA==\x07b\x1b[2Jc\r\n::error::x\u2028d\x9be")
    assert out == "a\\x1b]52;c;ZXZpbA==\\x07b\\x1b[2Jc\\r\\n::error::x\\u2028d\\x9be"
    assert r.clean("one\ntwo", keep_newlines=True) == "one\ntwo"


def test_query_string_secrets_and_proxy_passwords():
    r = Redactor()
    assert r.redact("https://x.openai.azure.com/openai?api-key=abc123secret&v=1") == \
        "https://x.openai.azure.com/openai?api-key=***&v=1"
    assert r.redact("http://bob:p@ss:w0rd@proxy:8080") == "http://***@proxy:8080"


def test_a_shell_variable_after_bearer_is_kept_so_the_curl_to_try_sends_the_key():
    from doctor.redact import Redactor

    redactor = Redactor([CANARY_KEY])
    curl = 'curl -sS "https://api.openai.com/v1/models" -H "Authorization: Bearer $OPENAI_API_KEY"'
    assert redactor.redact(curl) == curl
    assert redactor.redact("Authorization: Bearer ${OPENAI_API_KEY}").endswith("${OPENAI_API_KEY}")
    assert "***" in redactor.redact("Authorization: Bearer abcdefghijklmnopqrstu")  # a token itself is masked
    assert "***" in redactor.redact("Authorization: Bearer $abc-defghijklmnop")  # not a variable's name
    assert CANARY_KEY[:20] not in redactor.redact(f"Authorization: Bearer {CANARY_KEY}")


def test_a_bearer_token_inside_json_text_keeps_the_escaped_quote_after_it():
    import json

    from doctor.redact import Redactor

    document = json.dumps({"detail": 'curl -H "Authorization: Bearer abcdefghijklmnopqrstu" and '
                                     'curl -H "Authorization: Bearer $OPENAI_API_KEY"'})
    cleaned = json.loads(Redactor([]).redact(document))["detail"]
    assert "abcdefghijklmnopqrstu" not in cleaned and cleaned.endswith('Bearer $OPENAI_API_KEY"')
