"""What the installed openai SDK itself needs, read from its own metadata, never guessed from its version."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    from doctor.project.installed import Distribution


def http_library(openai: Distribution | None, environment: Mapping[str, str] | None) -> str | None:
    """The HTTP library the installed openai declares: httpx before 3.0, httpx2 from 3.0 on."""
    if openai is None:
        return None
    needs = openai.dependencies(environment)
    return "httpx2" if "httpx2" in needs else "httpx" if "httpx" in needs else None
