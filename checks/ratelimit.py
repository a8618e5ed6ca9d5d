"""Reads `x-ratelimit-*` headers, including Go-style reset durations such as `6m0s`, `1s` and `20ms`."""

from __future__ import annotations

import math
import re
from typing import Mapping

from doctor.namedtuples import named_tuple

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def parse_duration(text: str) -> float | None:
    """Seconds in a reset header: `6m0s`, `1s`, `20ms`, `1h2m3.5s`, or a bare number of seconds."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(float(n) * _SECONDS[u] for n, u in parts)


@named_tuple
class Limit:
    """One rate limit (requests or tokens): the ceiling, what is left, and when it resets."""

    name: str
    limit: int | None
    remaining: int | None
    reset: str | None

    @property
    def headroom(self) -> float | None:
        if not self.limit or self.remaining is None:
            return None
        return self.remaining / self.limit

    def describe(self) -> str:
        left = f"{self.remaining}/{self.limit}" if self.limit is not None else f"{self.remaining}"
        reset = f", resets in {self.reset}" if self.reset else ""
        return f"{self.name}: {left} left{reset}"


def _int(value: str | None) -> int | None:
    """A count from a header, or None for anything that is not a plausible one ("1e400", "-3", "lots")."""
    try:
        number = float(value) if value is not None else math.nan
    except ValueError:
        return None
    return int(number) if math.isfinite(number) and 0 <= number < 1e15 else None


def parse_limits(headers: Mapping[str, str]) -> list[Limit]:
    """The request and token limits the headers announce; empty when there are none."""
    limits = []
    for name in ("requests", "tokens"):
        limit, remaining = headers.get(f"x-ratelimit-limit-{name}"), headers.get(f"x-ratelimit-remaining-{name}")
        if limit is None and remaining is None:
            continue
        limits.append(Limit(name, _int(limit), _int(remaining), headers.get(f"x-ratelimit-reset-{name}")))
    return limits
