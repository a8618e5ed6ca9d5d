"""What the installed openai SDK itself needs, read from its own metadata, never guessed from its version."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from doctor.project.record import parse_version

PROXIES_FIXED_IN = "1.55.3"  # openai below this passes `proxies=`, which httpx 0.28 removed
SDK_UPGRADE = f">={PROXIES_FIXED_IN},<2"  # the smallest working change: 1.x keeps the code's API
GUIDE_SDK_FLOOR = "1.40"

if TYPE_CHECKING:
    from doctor.project.installed import Distribution


def http_library(openai: Distribution | None, environment: Mapping[str, str] | None) -> str | None:
    """The HTTP library the installed openai declares: httpx before 3.0, httpx2 from 3.0 on."""
    if openai is None:
        return None
    needs = openai.dependencies(environment)
    return "httpx2" if "httpx2" in needs else "httpx" if "httpx" in needs else None


def within_versions(version: str | None, low: str, high: str | None = None) -> bool:
    """low <= version < high, for a version that parses (anything else is outside)."""
    have = parse_version(version or "")
    return have is not None and have >= parse_version(low) and (high is None or have < parse_version(high))  # type: ignore[operator]


def proxies_crash(openai: str | None, httpx: str | None) -> bool:
    """openai 1.x below 1.55.3 with httpx 0.28 or later: `unexpected keyword argument 'proxies'`."""
    return within_versions(openai, "1.0", PROXIES_FIXED_IN) and within_versions(httpx, "0.28")


def sdk_too_old(openai: str | None) -> bool:
    """Below the guide's floor (the 0.x SDK included)."""
    return within_versions(openai, "0", GUIDE_SDK_FLOOR)
