"""key-format: key shapes, providers and base URLs."""

from __future__ import annotations

import pytest

from checks.key import SHORTEST_OPENAI_KEY, key_format
from doctor.model import Status
from doctor.settings import Flags
from tests.conftest import CANARY_KEY, base_environ, facts, make_ctx, run_check, write_project

GROQ_KEY = "gsk_" + "Ab3De6Gh9Jk2Mn5Pq8St1Vw4Yz7Bc0Ef3Hi6Kl9No2Qr5Tu8Wx1Za4"


def key_result(tmp_path, value: str, flags: Flags | None = None, **env: str):
    project = write_project(tmp_path, env=f'OPENAI_API_KEY="{value}"\n')
    ctx = make_ctx(project, environ=base_environ(**env), interpreter=facts(project), flags=flags)
    return run_check(key_format, ctx)


def test_a_real_looking_key_passes_and_is_masked(tmp_path):
    result = key_result(tmp_path, CANARY_KEY)
    assert result.status is Status.PASS
    assert CANARY_KEY not in result.message and CANARY_KEY[-4:] in result.message


@pytest.mark.parametrize("value", ["sk-your-real-key-goes-here", "sk-xxxxxxxxxxxxxxxxxxxx", "<your key>",
                                   "sk-proj-REPLACE-ME-" + "a" * 30, "sk-abc...xyz"])
def test_placeholders(tmp_path, value):
    assert key_result(tmp_path, value).code == "key-placeholder"


@pytest.mark.parametrize("value,what", [(CANARY_KEY + "\\n", "newline"), (" " + CANARY_KEY, "spaces")])
def test_whitespace(tmp_path, value, what):
    result = key_result(tmp_path, value)
    assert (result.status, result.code) == (Status.FAIL, "key-whitespace")
    assert what in result.message


def test_smart_quotes(tmp_path):
    result = key_result(tmp_path, f"\u201c{CANARY_KEY}\u201d")
    assert (result.status, result.code) == (Status.FAIL, "key-non-ascii")
    assert "typographic quotes" in result.message


def test_non_ascii_inside_names_the_character_not_the_key(tmp_path):
    result = key_result(tmp_path, CANARY_KEY[:20] + "\u00e9" + CANARY_KEY[20:])
    assert result.code == "key-non-ascii" and "LATIN SMALL LETTER E WITH ACUTE at position 21" in result.message


def test_bearer_prefix(tmp_path):
    assert key_result(tmp_path, "Bearer " + CANARY_KEY).code == "key-bad-prefix"


def test_not_an_openai_shape(tmp_path):
    assert key_result(tmp_path, "Zk3" + CANARY_KEY[3:]).code == "key-bad-prefix"


def test_groq_key_sent_to_openai(tmp_path):
    result = key_result(tmp_path, GROQ_KEY)
    assert (result.status, result.code) == (Status.FAIL, "key-wrong-provider")
    assert "Groq" in result.message and "https://api.groq.com/openai/v1" in result.fix.steps[0]


def test_openai_key_sent_to_groq(tmp_path):
    result = key_result(tmp_path, CANARY_KEY, flags=Flags(base_url="https://api.groq.com/openai/v1"))
    assert result.code == "key-wrong-provider"


def test_groq_key_to_groq_passes(tmp_path):
    assert key_result(tmp_path, GROQ_KEY, OPENAI_BASE_URL="https://api.groq.com/openai/v1").status is Status.PASS


def test_any_word_is_fine_for_a_local_server(tmp_path):
    assert key_result(tmp_path, "ollama", OPENAI_BASE_URL="http://localhost:11434/v1").status is Status.PASS


@pytest.mark.parametrize("url,fragment", [
    ("", "empty"),
    ("api.openai.com/v1", "not an http(s) URL"),
    ("https://api.openai.com/v1/chat/completions", "endpoint URL"),
    ("https://api.openai.com", "lacks /v1"),
])
def test_invalid_base_urls(tmp_path, url, fragment):
    result = key_result(tmp_path, CANARY_KEY, OPENAI_BASE_URL=url)
    assert (result.status, result.code) == (Status.FAIL, "base-url-invalid")
    assert fragment in result.message


def test_plain_http_to_a_remote_host_warns(tmp_path):
    result = key_result(tmp_path, CANARY_KEY, OPENAI_BASE_URL="http://llm.internal.example:8000/v1")
    assert (result.status, result.code) == (Status.WARN, "base-url-insecure")


def test_plain_http_to_loopback_is_fine(tmp_path):
    assert key_result(tmp_path, "anything-goes-1", OPENAI_BASE_URL="http://127.0.0.1:8000/v1").status is Status.PASS


def test_legacy_variable_name_warns(tmp_path):
    result = key_result(tmp_path, CANARY_KEY, OPENAI_API_BASE="https://api.openai.com/v1")
    assert (result.status, result.code) == (Status.WARN, "env-legacy-name")


def test_no_key_is_a_skip(tmp_path):
    project = write_project(tmp_path)
    result = run_check(key_format, make_ctx(project, interpreter=facts(project)))
    assert result.status is Status.SKIP


def test_an_azure_deployment_url_with_the_plain_client_needs_an_api_version(tmp_path):
    url = "https://acme.openai.azure.com/openai/deployments/gpt4o-prod"
    result = key_result(tmp_path, CANARY_KEY, Flags(base_url=url))
    assert result.code == "azure-api-version-missing"
    assert "AzureOpenAI" in result.fix.summary and "gpt4o-prod" in " ".join(result.fix.steps)
    assert key_result(tmp_path, CANARY_KEY, Flags(base_url=url + "?api-version=2024-10-21")).code != "azure-api-version-missing"


@pytest.mark.parametrize("url", ["http://host.docker.internal:11434/v1", "http://vllm:8000/v1", "http://ollama:11434/v1"])
def test_local_service_names_are_not_insecure(tmp_path, url):
    assert key_result(tmp_path, "sk-local-anything-will-do-123", Flags(base_url=url)).code != "base-url-insecure"


def test_a_remote_plain_http_host_is_insecure(tmp_path):
    assert key_result(tmp_path, CANARY_KEY, Flags(base_url="http://llm.example.com/v1")).code == "base-url-insecure"


@pytest.mark.parametrize("length", [20, SHORTEST_OPENAI_KEY - 1])
def test_a_project_key_shorter_than_any_openai_key_looks_cut_off(tmp_path, length):
    """A key copied from a wrapped line loses its end; the API would only say 401."""
    result = key_result(tmp_path, CANARY_KEY[:length])
    assert (result.status, result.code) == (Status.FAIL, "key-bad-prefix")
    assert "the key looks cut off" in result.message and CANARY_KEY[8:length] not in result.message


def test_a_key_as_long_as_a_legacy_key_is_not_called_cut_off(tmp_path):
    assert key_result(tmp_path, CANARY_KEY[:SHORTEST_OPENAI_KEY]).code != "key-bad-prefix"


def test_a_short_key_for_a_local_server_is_fine(tmp_path):
    assert key_result(tmp_path, CANARY_KEY[:20], OPENAI_BASE_URL="http://localhost:8000/v1").status is Status.PASS


@pytest.mark.parametrize("value,url,message,fix", [
    ("sk-ant-api03-" + "Ab3De6Gh9Jk2" * 4, None, "this looks like an Anthropic key", "Point the client at Anthropic"),
    (CANARY_KEY, "https://openrouter.ai/api/v1", "this looks like an OpenAI key", "Use an OpenRouter key"),
    (CANARY_KEY, "https://api.groq.com/openai/v1", "this looks like an OpenAI key", "Use a Groq key"),
])
def test_providers_take_the_article_they_are_said_with(tmp_path, value, url, message, fix):
    result = key_result(tmp_path, value, Flags(base_url=url))
    assert message in result.message and result.fix.summary.startswith(fix)


def test_no_key_skip_names_the_check_by_its_title(tmp_path):
    project = write_project(tmp_path)
    result = run_check(key_format, make_ctx(project, interpreter=facts(project)))
    assert result.message == "no key to check (see .env file and key)"
