"""The run's settings: flags first, then the environment and `.env`, then
`[tool.llm-doctor]` in the project's pyproject.toml, then defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_TIMEOUT = 30.0  # the guide's worked example passes timeout=30.0


class ConfigError(ValueError):
    """The project's `[tool.llm-doctor]` table is not what the doctor understands."""


@dataclass(frozen=True)
class Flags:
    """What the command line asked for; None means "not given"."""

    python: str | None = None
    model: str | None = None
    base_url: str | None = None
    timeout: float | None = None
    prompt_file: str | None = None
    offline: bool = False
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectConfig:
    """`[tool.llm-doctor]` from the project's pyproject.toml."""

    model: str | None = None
    timeout: float | None = None
    prompt_file: str | None = None
    skip: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict)


_KNOWN_KEYS = {"model", "timeout", "prompt-file", "skip", "warn", "reason", "reasons"}


def read_project_config(project: Path) -> ProjectConfig:
    """Reads `[tool.llm-doctor]`; no pyproject.toml or no table means defaults."""
    path = project / "pyproject.toml"
    if not path.is_file():
        return ProjectConfig()
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path} cannot be read: {error}") from None
    table = data.get("tool", {}).get("llm-doctor", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.llm-doctor] must be a table")
    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown keys in [tool.llm-doctor]: {', '.join(unknown)}")
    timeout = table.get("timeout")
    if timeout is not None and (not isinstance(timeout, (int, float)) or timeout <= 0):
        raise ConfigError(f"{path}: [tool.llm-doctor] timeout must be a positive number of seconds")
    skip = table.get("skip", [])
    if not isinstance(skip, list) or not all(isinstance(s, str) for s in skip):
        raise ConfigError(f"{path}: [tool.llm-doctor] skip must be a list of check ids")
    return ProjectConfig(
        model=table.get("model"),
        timeout=float(timeout) if timeout is not None else None,
        prompt_file=table.get("prompt-file"),
        skip=tuple(skip),
        raw=table,
    )
