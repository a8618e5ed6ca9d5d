"""`llm-doctor explain`: a corpus of real error texts, codes, and bad input."""

from __future__ import annotations

import json
import time

import pytest

from checks import ALL_CHECKS, guide
from checks.catalogue import CATALOGUE
from checks.explain import explain, topic
from tests.conftest import CANARY_CORE, CANARY_KEY, doctor_cli
from tests.explain_corpus import CORPUS, TRACEBACK_QUOTA_WITH_RETRIES


def test_corpus_accuracy(capsys):
    assert len(CORPUS) >= 40
    wrong = [(label, expected, (explain(text).diagnosis or CATALOGUE["check-crashed"]).code)
             for label, text, expected in CORPUS
             if (explain(text).diagnosis is None or explain(text).diagnosis.code != expected)]
    right = len(CORPUS) - len(wrong)
    with capsys.disabled():
        print(f"\nexplain corpus accuracy: {right}/{len(CORPUS)} ({100 * right / len(CORPUS):.0f}%)")
    assert wrong == []


@pytest.mark.parametrize("label,text,expected", [c for c in CORPUS if "traceback" in c[0] or c[0].startswith("3.x")],
                         ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "")
def test_structured_parts_lead_to_confident_answers(label, text, expected):
    assert explain(text).confidence in ("high", "medium")


def test_every_code_in_the_registry_is_catalogued_and_explained():
    for code in {c for check in ALL_CHECKS for c in check.codes}:
        assert code in CATALOGUE, code
        assert explain(code).confidence == "exact"
        entry = CATALOGUE[code]
        assert entry.fix.guide and entry.cause and entry.fix.summary, code


def test_json_output_shape():
    done = doctor_cli("explain", "--format", "json", "openai.APITimeoutError: Request timed out.")
    data = json.loads(done.stdout)
    assert set(data) >= {"code", "title", "confidence", "fix", "alternatives"}
    assert data["code"] == "timeout-exceeded" and data["fix"]["guide"] == guide.TROUBLESHOOTING


def test_stdin_and_a_traceback():
    from tests.explain_corpus import TRACEBACK_401

    done = doctor_cli_stdin(TRACEBACK_401.encode())
    assert done.returncode == 0 and done.stdout.startswith("auth-invalid-key")


def doctor_cli_stdin(data: bytes, *args: str):
    import subprocess
    import sys

    from tests.conftest import base_environ

    done = subprocess.run([sys.executable, "-m", "doctor", "explain", *args, "-"], input=data, capture_output=True,
                          env=base_environ(), timeout=60)
    done.stdout, done.stderr = done.stdout.decode(), done.stderr.decode()
    return done


def test_empty_input_is_a_usage_error():
    for data in (b"", b"   \n\t"):
        done = doctor_cli_stdin(data)
        assert done.returncode == 2 and "nothing to explain" in done.stderr


def test_ten_megabytes_are_handled_quickly():
    noise = ("INFO:httpx:HTTP Request: POST https://api.openai.com/v1/chat/completions \"HTTP/1.1 200 OK\"\n" * 120_000)
    data = (noise + "openai.RateLimitError: Error code: 429 - {'error': {'code': 'insufficient_quota'}}\n").encode()
    assert len(data) > 10 * 2**20 - 2**20
    start = time.perf_counter()
    done = doctor_cli_stdin(data)
    assert time.perf_counter() - start < 10
    assert done.stdout.startswith("quota-exhausted")


def test_binary_input_is_not_guessed_at():
    done = doctor_cli_stdin(bytes(range(256)) * 400)
    assert done.returncode == 1 and "binary" in done.stdout


def test_text_in_another_language_without_clues_is_an_honest_unknown():
    done = doctor_cli("explain", "Das Programm ist abgestürzt, keine Ahnung warum.")
    assert done.returncode == 1 and done.stdout.startswith("unknown")


def test_a_typo_in_a_code_gets_the_closest_candidates():
    done = doctor_cli("explain", "key-shadow")
    assert done.returncode == 1 and "key-shadowed" in done.stdout


def test_a_pasted_key_is_never_echoed():
    text = f"openai.AuthenticationError: Error code: 401 - Incorrect API key provided: {CANARY_KEY}"
    for fmt in ("text", "json"):
        done = doctor_cli("explain", "--format", fmt, text)
        assert "auth-invalid-key" in done.stdout
        assert CANARY_KEY not in done.stdout + done.stderr and CANARY_CORE not in done.stdout


def test_a_check_id_prints_its_documentation():
    done = doctor_cli("explain", "dotenv-present")
    assert done.returncode == 0 and "load_dotenv" in done.stdout


@pytest.mark.parametrize("text,causes", [
    ("429", {"rate-limited", "quota-exhausted", "request-too-large"}),
    ("quota", {"quota-exhausted", "rate-limited"}),
    ("401", {"auth-invalid-key", "key-shadowed", "key-wrong-provider", "key-missing"}),
    ("403", {"auth-forbidden", "region-unsupported", "model-not-found", "unexpected-response",
             "org-verification-required"}),
    ("404", {"model-not-found", "base-url-invalid", "azure-api-version-missing", "wrong-endpoint"}),
    ("timeout", {"timeout-exceeded", "network-unreachable", "server-error"}),
    ("Error code: 429", {"rate-limited", "quota-exhausted", "request-too-large"}),
    ("HTTP 404 Not Found", {"model-not-found", "base-url-invalid", "azure-api-version-missing", "wrong-endpoint"}),
    ("openai.RateLimitError", {"rate-limited", "quota-exhausted", "request-too-large"}),
    ("openai.APIConnectionError: Connection error.", {"network-unreachable", "proxy-error", "tls-error",
                                                       "key-whitespace"}),
])
def test_a_bare_status_or_word_names_every_cause_and_how_to_tell_them_apart(text, causes):
    """`429` alone cannot be diagnosed, but it is not unknown either: it is one of a few causes."""
    found = topic(text)
    assert {c.diagnosis.code for c in found.causes} == causes
    tells = [c.how_to_tell for c in found.causes]
    assert len(set(tells)) == len(tells) and all(tells)


def test_every_topic_resolves_to_catalogued_causes():
    from checks import explain as module

    for name in [*map(str, module._STATUS_CAUSES), *module._WORD_CAUSES]:
        assert topic(name).causes, name


def test_each_topic_tells_its_causes_apart_by_what_the_error_shows():
    tells = {c.diagnosis.code: c.how_to_tell for c in topic("429").causes}
    assert "rate_limit_exceeded" in tells["rate-limited"] and "insufficient_quota" in tells["quota-exhausted"]
    tells = {c.diagnosis.code: c.how_to_tell for c in topic("timeout").causes}
    assert "APITimeoutError" in tells["timeout-exceeded"] and "ConnectTimeout" in tells["network-unreachable"]


@pytest.mark.parametrize("text", ["500 tokens", "key-shadowed", "insufficient_quota", TRACEBACK_QUOTA_WITH_RETRIES,
                                  "openai.APITimeoutError: Request timed out."])
def test_an_error_with_more_in_it_is_diagnosed_not_a_topic(text):
    assert topic(text) is None


def test_explain_429_lists_the_causes_with_their_tells_and_fixes():
    done = doctor_cli("explain", "429")
    assert done.returncode == 0 and done.stdout.startswith("HTTP 429 Too Many Requests: 3 possible causes")
    assert "unknown" not in done.stdout
    for code in ("rate-limited", "quota-exhausted", "request-too-large"):
        assert f"\n{code}: {CATALOGUE[code].title}\n  How to tell: " in done.stdout
        assert f"  Fix: {CATALOGUE[code].fix.summary}" in done.stdout


def test_explain_quota_as_json_keeps_the_keys_and_lists_the_causes():
    data = json.loads(doctor_cli("explain", "--format", "json", "quota").stdout)
    assert data["code"] is None and data["title"] == "Quota errors"
    assert [a["code"] for a in data["alternatives"]] == ["quota-exhausted", "rate-limited"]
    assert all(a["how_to_tell"] and a["fix"]["summary"] for a in data["alternatives"])


def test_explain_timeout_gives_the_causes_then_what_the_check_measures():
    done = doctor_cli("explain", "timeout")
    assert done.stdout.index("How to tell") < done.stdout.index("timeout: Latency and timeout")


def test_a_check_id_as_json_is_json():
    assert json.loads(doctor_cli("explain", "--format", "json", "dotenv-present").stdout)["check"] == "dotenv-present"


def test_evidence_is_not_repeated():
    """One clue (status 429, RateLimitError) weighs for two codes; it is still one clue."""
    text = "openai.RateLimitError: Error code: 429 - You exceeded your current quota"
    assert len(explain(text).evidence) == len(set(explain(text).evidence)) == 3
    evidence = json.loads(doctor_cli("explain", "--format", "json", text).stdout)["evidence"]
    assert len(evidence) == len(set(evidence))


def test_a_clue_is_listed_once_though_two_rules_match_its_words():
    """Two rules matched the same message cut at two lengths; the evidence listed both."""
    text = ('Traceback (most recent call last):\n  File "ask.py", line 14, in <module>\n'
            "    data = json.loads(response.choices[0].message.content)\n"
            "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)\n")
    found = explain(text)
    mentions = [clue for clue in found.evidence if clue.startswith("message mentions")]
    assert found.diagnosis.code == "json-invalid" and len(mentions) == 1, found.evidence
