"""`llm-doctor explain`: a corpus of real error texts, codes, and bad input."""

from __future__ import annotations

import json
import time

import pytest

from checks import ALL_CHECKS
from checks.catalogue import CATALOGUE
from checks.explain import explain
from tests.conftest import CANARY_CORE, CANARY_KEY, doctor_cli
from tests.explain_corpus import CORPUS


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
    assert data["code"] == "timeout-exceeded" and data["fix"]["guide"] == "Troubleshooting common errors"


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
