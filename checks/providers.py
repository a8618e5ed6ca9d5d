"""Which provider a key or a base URL belongs to, from the shapes providers publish.

OpenAI keys carry `T3BlbkFJ` (base64 for "OpenAI"); other providers announce
themselves with a prefix. That is enough to catch the commonest day-one mistake:
a key from one provider sent to another provider's URL.
"""

from __future__ import annotations

import ipaddress

from doctor.namedtuples import named_tuple

OPENAI_HOST = "api.openai.com"
OPENAI_MARKER = "T3BlbkFJ"


@named_tuple
class Provider:
    name: str
    prefixes: tuple[str, ...]
    base_url: str | None
    host: str | None

    @property
    def article(self) -> str:
        """"an Anthropic", "a Groq": as the name is said aloud."""
        return f"{'an' if self.name in ('Anthropic', 'OpenRouter', 'OpenAI', 'xAI', 'NVIDIA') else 'a'} {self.name}"


# Most specific prefixes first: "sk-ant-" and "sk-or-" must win over OpenAI's "sk-".
PROVIDERS = (
    Provider("Anthropic", ("sk-ant-",), "https://api.anthropic.com/v1/", "api.anthropic.com"),
    Provider("OpenRouter", ("sk-or-",), "https://openrouter.ai/api/v1", "openrouter.ai"),
    Provider("Groq", ("gsk_",), "https://api.groq.com/openai/v1", "api.groq.com"),
    Provider("xAI", ("xai-",), "https://api.x.ai/v1", "api.x.ai"),
    Provider("Google Gemini", ("AIzaSy",), "https://generativelanguage.googleapis.com/v1beta/openai/",
             "generativelanguage.googleapis.com"),
    Provider("Perplexity", ("pplx-",), "https://api.perplexity.ai", "api.perplexity.ai"),
    Provider("Hugging Face", ("hf_",), "https://router.huggingface.co/v1", "router.huggingface.co"),
    Provider("Replicate", ("r8_",), None, None),
    Provider("Fireworks", ("fw_",), "https://api.fireworks.ai/inference/v1", "api.fireworks.ai"),
    Provider("Together", ("tgp_v1_",), "https://api.together.xyz/v1", "api.together.xyz"),
    Provider("Cerebras", ("csk-",), "https://api.cerebras.ai/v1", "api.cerebras.ai"),
    Provider("NVIDIA", ("nvapi-",), "https://integrate.api.nvidia.com/v1", "integrate.api.nvidia.com"),
    Provider("OpenAI", ("sk-",), "https://api.openai.com/v1", OPENAI_HOST),
)


def provider_of_key(key: str) -> Provider | None:
    for provider in PROVIDERS:
        if key.startswith(provider.prefixes):
            return provider
    return None


def provider_of_host(host: str | None) -> Provider | None:
    if not host:
        return None
    return next((p for p in PROVIDERS if p.host and host.lower() == p.host), None)


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_local(host: str | None) -> bool:
    """A server on this machine or beside it: loopback, Docker's host.docker.internal, or a single-label
    name such as `vllm` or `ollama` (a compose service, reached inside one machine's network)."""
    if not host:
        return False
    name = host.lower().rstrip(".")
    if is_loopback(name) or name in ("host.docker.internal", "gateway.docker.internal", "host.containers.internal"):
        return True
    try:
        ipaddress.ip_address(name.strip("[]"))
        return False
    except ValueError:
        return "." not in name
