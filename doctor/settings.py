"""The run's settings: flags first, then the environment and `.env`, then
`[tool.llm-doctor]` in the project's pyproject.toml, then defaults."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from doctor.model import Result, Status

if TYPE_CHECKING:
    from doctor.project.pyproject import Pyproject

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_TIMEOUT = 30.0  # the guide's worked example passes timeout=30.0
MAX_TIMEOUT = 3600.0


class ConfigError(ValueError):
    """The project's `[tool.llm-doctor]` table is not what the doctor understands."""


@dataclass(frozen=True)
class Flags:
    """What the command line asked for; None means "not given"."""

    python: str | None = None
    python_label: str | None = None  # how --python was chosen, when not by the user (the demo)
    model: str | None = None
    base_url: str | None = None
    timeout: float | None = None
    prompt_file: str | None = None
    offline: bool = False
    untrusted: bool = False
    staged: bool = False  # search the files as staged for the next commit (the pre-commit hook)
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectConfig:
    """`[tool.llm-doctor]` from the project's pyproject.toml.

    `skip` maps check ids and `warn` maps diagnosis codes to the reason the project gives,
    so every suppression shows up in reports with its why.
    """

    model: str | None = None
    timeout: float | None = None
    prompt_file: str | None = None
    skip: Mapping[str, str] = field(default_factory=dict)
    warn: Mapping[str, str] = field(default_factory=dict)


_KNOWN_KEYS = {"model", "timeout", "prompt-file", "skip", "warn", "reason"}
NO_REASON = "no reason given"


def _reasons(path: Path, table: Mapping[str, Any], name: str, key: str) -> dict[str, str]:
    """Entries are plain ids, or tables {id = "...", reason = "..."}; a bare entry takes the table's `reason`."""
    entries = table.get(name, [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: [tool.llm-doctor] {name} must be a list")
    default = str(table.get("reason") or NO_REASON)
    found: dict[str, str] = {}
    for entry in entries:
        if isinstance(entry, str):
            found[entry] = default
        elif isinstance(entry, dict) and isinstance(entry.get(key), str):
            found[entry[key]] = str(entry.get("reason") or default)
        else:
            raise ConfigError(f"{path}: [tool.llm-doctor] {name} entries are {key} strings or "
                              f'{{{key} = "...", reason = "..."}} tables')
    return found


def valid_timeout(value: object) -> float | None:
    """Seconds as the doctor accepts them anywhere: a real number with 0 < t <= MAX_TIMEOUT."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        seconds = float(value)
    except OverflowError:  # an integer of hundreds of digits
        return None
    return seconds if math.isfinite(seconds) and 0 < seconds <= MAX_TIMEOUT else None


def read_project_config(pyproject: Pyproject) -> ProjectConfig:
    """Reads `[tool.llm-doctor]`; no pyproject.toml or no table means defaults.

    A pyproject.toml that cannot be parsed at all (or whose `tool` is not a table) is not a
    usage error: the project's own tools cannot read it either, and packages-pinned reports it.
    """
    path = pyproject.path
    tool = pyproject.table("tool")
    if pyproject.problem or not isinstance(tool, dict):
        return ProjectConfig()
    table = tool.get("llm-doctor", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.llm-doctor] must be a table")
    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown keys in [tool.llm-doctor]: {', '.join(unknown)}")
    timeout = table.get("timeout")
    if timeout is not None and valid_timeout(timeout) is None:
        raise ConfigError(f"{path}: [tool.llm-doctor] timeout must be a number of seconds greater than 0 "
                          f"and at most {MAX_TIMEOUT:g}")
    for name in ("model", "prompt-file"):
        if name in table and not isinstance(table[name], str):
            raise ConfigError(f"{path}: [tool.llm-doctor] {name} must be a string")
    return ProjectConfig(
        model=table.get("model"),
        timeout=valid_timeout(timeout),
        prompt_file=table.get("prompt-file"),
        skip=_reasons(path, table, "skip", "id"),
        warn=_reasons(path, table, "warn", "code"),
    )


def skipped_by_config(check_id: str, config: ProjectConfig, only: tuple[str, ...]) -> Result | None:
    """The skip the project asked for, or None; naming the check in --only overrides it."""
    if check_id in config.skip and check_id not in only:
        return Result(Status.SKIP, f"skipped by [tool.llm-doctor]: {config.skip[check_id]}")
    return None


def downgrade(result: Result, config: ProjectConfig) -> Result:
    """Failures whose code the project counts as a warning, each marked with the project's reason.
    The result stays a failure while any problem the project did not excuse still fails."""
    excused = [code for code in dict.fromkeys((result.code, *(f.code for f in result.findings)))
               if code in config.warn]
    if result.status is not Status.FAIL or not excused:
        return result
    findings = tuple(replace(f, status=Status.WARN) if f.status is Status.FAIL and f.code in config.warn else f
                     for f in result.findings)
    still_failing = any(f.status is Status.FAIL for f in findings) if findings else result.code not in config.warn
    notes = tuple(f"{code} counted as a warning by [tool.llm-doctor]: {config.warn[code]}" for code in excused)
    findings = tuple(sorted(findings, key=lambda f: -f.status.severity))  # what still fails leads
    lead = findings[0] if findings and findings[0].code != result.code else None
    led = dict(code=lead.code, message=lead.message, fix=lead.fix, cause=lead.cause) if lead else {}
    return replace(result, status=Status.FAIL if still_failing else Status.WARN, findings=findings,
                   details=(*result.details, *notes), **led)
