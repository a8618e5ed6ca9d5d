"""A small table of list prices, to show what the sample call cost. An estimate: check your dashboard."""

from __future__ import annotations

from urllib.parse import urlsplit

from checks.model_names import family
from checks.providers import OPENAI_HOST

# US dollars per million tokens: (input, output). Longest matching prefix wins.
PRICES = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5": (1.25, 10.00),
    "o4-mini": (1.10, 4.40),
    "o3": (2.00, 8.00),
    "gpt-3.5-turbo": (0.50, 1.50),
}


def estimate_cost(model: str, prompt_tokens: int, completion_tokens: int, base_url: str) -> float | None:
    """Dollars for one call, or None when the price is not known: the table holds OpenAI's list
    prices, which say nothing of a model another host serves under the same name."""
    if urlsplit(base_url.strip()).hostname != OPENAI_HOST:
        return None
    name = family(model, PRICES)
    if name is None:
        return None
    per_input, per_output = PRICES[name]
    return (prompt_tokens * per_input + completion_tokens * per_output) / 1_000_000
