"""code-usage: the guide's mistakes in the project's own code, found by reading it (never running it).

The rules are in checks/code_rules.py. This check joins what the code says with what the
doctor knows of the project: the names `.env` and the shell really define, and the openai
version installed in the project's environment (0.28-style code is only a mistake on 1.x).
Every finding carries its file and line, and its fix is the catalogue's, the same one
`llm-doctor explain` gives for the error that mistake causes. A run on code that has not
changed since the last run takes that run's conclusions (checks/code_memo.py).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Mapping

from doctor.model import Finding, Result, Status, check, from_findings, skipped
from doctor.namedtuples import named_tuple
from doctor.words import counted

if TYPE_CHECKING:
    from checks.code_models import CodeModel
    from checks.code_rules import Hit
    from doctor.context import Context
    from doctor.project.code_base import CodeBase

MAX_PER_CODE = 20  # findings of one code shown; the rest are counted
STATIC_CODES = (
    "code-pre-v1", "sdk-dict-access", "dotenv-not-loaded", "dotenv-loaded-late", "env-name-mismatch",
    "json-word-missing", "json-without-mode", "reply-unguarded", "client-no-timeout", "max-tokens-missing",
    "retry-on-quota", "param-out-of-range", "key-placeholder", "messages-invalid",
)


@named_tuple
class Environment:
    """What the code will find: the names `.env` and the shell define, and the installed SDK."""

    dotenv: frozenset[str]
    shell: frozenset[str]
    openai_major: int | None  # None: not known
    sdk: str = ""  # what 0.28-style code will meet, in words: "the project's SDK is 1.x"

    @property
    def legacy_breaks(self) -> bool:
        """Whether 0.28-style code breaks here: a 1.x SDK installed, or none installed while the
        record does not keep openai below 1.0 (a fresh install gets the newest)."""
        return self.openai_major is not None and self.openai_major >= 1


@named_tuple
class Conclusions:
    """What the project's code says, as plain data (checks/code_memo.py keeps it between runs):
    code-usage's verdict, and the models the code names, which the live checks test."""

    skip: str | None  # why no file was judged; None when some were
    findings: tuple[Finding, ...]
    ok: str  # the verdict when nothing was found
    details: tuple[str, ...]
    facts: dict[str, Any]
    models: tuple[CodeModel, ...]
    legacy: bool  # 0.28-style code was found, so the SDK it will meet mattered

    def result(self) -> Result:
        if self.skip is not None:
            return skipped(self.skip)
        return from_findings(self.findings, self.ok, details=self.details, facts=self.facts)


def start_reading(ctx: Context) -> None:
    """What the code says is worked out from the run's start, while the other checks do their first
    work: listing, reading, parsing and judging, begun only when code-usage's turn came, made the
    guide's one file cost the run twice what its work does."""
    _concluding(ctx)


async def code_conclusions(ctx: Context) -> Conclusions:
    """The run's one reading of the project's code (code-usage and the live checks share it)."""
    return await asyncio.shield(_concluding(ctx))


def _concluding(ctx: Context) -> asyncio.Task[Conclusions]:
    return ctx.once("code-conclusions", lambda: _conclude(ctx))


@check(
    "code-usage",
    title="Code follows the guide",
    group="Your code",
    codes=(*STATIC_CODES, "file-unreadable"),
    reads=("code", "dotenv", "environment", "record"),
    warmup=start_reading,
)
async def code_usage(ctx: Context) -> Result:
    """What it checks: the project's Python files and notebooks, read with `ast` and never run,
    for the mistakes behind the guide's troubleshooting errors: 0.28-style calls on a 1.x SDK,
    a reply read as a dict, .env never loaded or loaded after the client is built, a variable
    name nothing sets, JSON parsed without JSON mode, a reply's text used unchecked, no
    timeout, no token cap, retries on an empty account, parameters the API rejects.

    Why it fails: each of these breaks on the first run or on the first bad day (a refusal,
    a hang, a 429 that is really an empty wallet), far from the line that causes it.

    How to fix: each finding names its file and line and the guide's step.
    """
    return (await code_conclusions(ctx)).result()


async def _conclude(ctx: Context) -> Conclusions:
    """The conclusions remembered for this code, names and SDK (see checks/code_memo.py), else a reading."""
    from doctor.project.code_base import PYTHON_SUFFIXES
    from doctor.project.source_files import project_files

    files = await project_files(ctx)
    if not files.with_suffix(*PYTHON_SUFFIXES):  # no code to read: remembering would cost more than reading
        return (await _judge(ctx))[0]
    from checks.code_memo import open_memo

    memo = await asyncio.to_thread(open_memo, files, ctx.shell)
    remembered = memo.remembered
    if remembered is not None:
        if remembered.skip is not None:  # no file was judged: nothing of .env or the SDK mattered
            return remembered
        if memo.answers(await _environment(ctx, with_version=remembered.legacy)):
            return remembered
    conclusions, env = await _judge(ctx)
    memo.keep(conclusions, env, ctx.redactor)
    return conclusions


async def _judge(ctx: Context) -> tuple[Conclusions, Environment | None]:
    """Reads the project's code and runs every rule on it; also the names and SDK the rules were given."""
    from checks.code_models import code_models
    from doctor.project.code_base import project_code

    code = await project_code(ctx)
    if not code.modules and not code.unreadable:
        return Conclusions(f"no Python file of the project uses the openai SDK, python-dotenv or the environment "
                           f"({_files(code.python_files)} looked at)", (), "", (), {}, (), False), None
    from checks.code_rules import RULES, pre_v1
    legacy = any(True for _ in pre_v1(code, Environment(frozenset(), frozenset(), 1)))
    env = await _environment(ctx, with_version=legacy)  # the SDK's version matters only to 0.28-style code
    hits, deep = [], []
    for rule in RULES:
        try:
            hits += list(rule(code, env))
        except RecursionError:  # code nested deeper than the rule's walk can follow: said, never a crash
            deep.append(rule.__name__.replace("_", "-"))
    findings, details = _findings(hits, code)
    details += [f"the {name} rule stopped at code nested too deeply to follow" for name in deep]
    details += _coverage(code)
    used = sum(1 for m in code.modules if m.usage.api_calls or m.usage.clients)
    ok = f"no known mistakes in the {_files(used)} that call the API" if used else \
        f"no known mistakes ({_files(len(code.modules))} read)"
    facts = {"files": code.python_files, "parsed": len(code.modules)}
    return Conclusions(None, tuple(findings), ok, tuple(details), facts, tuple(code_models(code)), legacy), env


async def _environment(ctx: Context, *, with_version: bool) -> Environment:
    """The names .env and the shell define, and (when asked: it waits for the interpreter's probe)
    the openai SDK that 0.28-style code will meet: the one installed in the project's environment,
    else what a fresh install of the project's record gets."""
    from doctor.project.record import parse_version

    defined = frozenset(e.key for e in ctx.dotenv.entries if e.value) if ctx.dotenv.readable else frozenset()
    if not with_version:
        return Environment(defined, frozenset(ctx.shell), None)
    facts = await ctx.interpreter()
    installed = facts.installed("openai") if facts.error is None else None
    version = parse_version(installed) if installed else None
    if version is not None:
        return Environment(defined, frozenset(ctx.shell), version.major, f"the project's SDK is {version.major}.x")
    why = "no openai is installed in the project's environment" if facts.error is None else \
        "the project's environment was not read" if facts.from_files or ctx.flags.untrusted else \
        "no project environment was found"
    below = _record_keeps_below_1(ctx, facts.environment)
    if below is not None:
        return Environment(defined, frozenset(ctx.shell), 0, f"{why}, and the record pins {below}")
    return Environment(defined, frozenset(ctx.shell), 1, f"{why}, and nothing in the project's record keeps openai "
                                                          "below 1.0, so an install gets a 1.x or later SDK")


def _record_keeps_below_1(ctx: Context, environment: Mapping[str, str] | None) -> str | None:
    """The record's pin of openai below 1.0 ("openai==0.28.1 in requirements.txt"), or None when
    the record allows 1.x (or names no openai at all)."""
    from doctor.project.record import parse_version

    record = ctx.record
    locked = record.locked_for("openai", environment)
    if locked:
        versions = [parse_version(p.version) for p in locked]
        return f"openai {locked[0].version} in {locked[0].where.file}" \
            if all(v is not None and v.major < 1 for v in versions) else None
    declared = [d for d in record.declared_for("openai", environment) if not d.constraint]
    if declared and all(_excludes_1x(d.spec) for d in declared):
        return f"openai{declared[0].spec.strip()} in {declared[0].where.file}"
    return None


def _excludes_1x(spec: str) -> bool:
    """Whether a version specifier allows no openai from 1.0 on (`<1`, `==0.28.1`, `~=0.27`)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        allowed = SpecifierSet(spec)
    except InvalidSpecifier:
        return False
    return bool(spec.strip()) and not any(allowed.contains(v, prereleases=True)
                                          for v in ("1.0.0", "1.55.3", "1.99.9", "2.9.0", "3.99.0", "9.0"))


def _findings(hits: list[Hit], code: CodeBase) -> tuple[list[Finding], list[str]]:
    from checks.catalogue import CATALOGUE

    findings: list[Finding] = []
    counted: dict[str, int] = {}
    for hit in sorted(hits, key=lambda h: (h.module.path, getattr(h.node, "lineno", 0))):
        counted[hit.code] = counted.get(hit.code, 0) + 1
        if counted[hit.code] > MAX_PER_CODE:
            continue
        where = hit.module.source.position(hit.node)
        label = f"{where.label}: " if hit.module.source.notebook else ""
        findings.append(Finding(Status.FAIL if hit.severe else Status.WARN, hit.code, f"{label}{hit.message}",
                                CATALOGUE[hit.code].fix,
                                location=(hit.module.path, where.line, where.column, where.cell, where.cell_line)))
    for bad in code.unreadable:
        if bad.broken:
            at = f" line {bad.line}" if bad.line else ""
            findings.append(Finding(Status.WARN, "file-unreadable", f"could not read {bad.path}{at}: it {bad.reason}",
                                    CATALOGUE["file-unreadable"].fix, location=(bad.path, bad.line)))
    details = [f"{n - MAX_PER_CODE} more {code_} findings not shown" for code_, n in counted.items()
               if n > MAX_PER_CODE]
    details += [f"not read: {bad.path} {bad.reason}" for bad in code.unreadable if not bad.broken][:10]
    return findings, details


def _coverage(code: CodeBase) -> list[str]:
    """What the reading covered, so a pass says how much it is worth."""
    lines = [f"read {_files(code.python_files)} listed by {code.files.listed_by}; parsed the "
             f"{len(code.modules)} that mention the SDK, python-dotenv or the environment"]
    if code.not_reached:
        parsed = code.relevant - len(code.not_reached)
        lines.append(f"parsed {parsed} of the {code.relevant} files that mention them: the first {parsed} in path "
                     f"order, the doctor's limit for one run; not parsed: {', '.join(code.not_reached[:3])}"
                     + (f" and {len(code.not_reached) - 3} more" if len(code.not_reached) > 3 else ""))
    if code.files.left_out:
        lines.append(f"the project lists {code.files.left_out} more files than the doctor reads")
    return lines


def _files(count: int) -> str:
    return counted(count, "file")
