"""Which fixes the doctor can apply itself, and how safe each is: one list of planners.

A planner turns what a run found (`FixInputs`) into plans (see plan.py). Each is listed in
PLANNERS with the diagnosis codes it answers and its safety, and is named by "module:function"
so that its module (a code rewrite may import libcst) is imported only when one of its codes
was found: a healthy run imports none of them. A new kind of fix (a `.env` edit, a code
rewrite, `git rm --cached`) is one more entry here; the CLI, the app and the reports offer it
without further change.
"""

from __future__ import annotations

import importlib
import shlex
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping

from doctor.fixes.plan import SAFE, UNSAFE, FilePlan, Safety
from doctor.model import Finding, Fix, Result
from doctor.repairs import codes as repairs

if TYPE_CHECKING:
    from doctor.context import Context
    from doctor.project.interpreter import InterpreterFacts
    from doctor.project.tools import Tool

FIX_COMMAND = "llm-doctor check --fix"


@dataclass(frozen=True)
class FixInputs:
    """What planners know of the project: the codes found and the target's facts, read once per run."""

    project: Path
    codes: frozenset[str]
    tool: Tool
    installed: Mapping[str, str | None] = field(default_factory=dict)  # guide packages' installed versions
    http_library: str | None = None  # what the installed openai uses: httpx, or httpx2 from openai 3 on
    python: Path | None = None  # the project's interpreter, which runs pip
    findings: tuple[Finding, ...] = ()  # every problem found, with its place: the repairs edit those lines

    @classmethod
    def build(cls, project: Path, results: Mapping[str, Result], tool: Tool,
              facts: InterpreterFacts | None, python: Path | None) -> "FixInputs":
        from doctor.fixes.pins import GUIDE_PACKAGES
        from doctor.project.sdk import http_library

        usable = facts is not None and not facts.error and facts.installed_dists is not None
        installed = {name: facts.installed(name) for name in GUIDE_PACKAGES} if usable else {}
        http = http_library(facts.dist("openai"), facts.environment) if usable else None
        found = tuple(f for result in results.values() for f in result.problems)
        return cls(project, frozenset(found_codes(results)), tool, installed, http, python if usable else None, found)

    @classmethod
    def from_context(cls, ctx: Context, results: Mapping[str, Result]) -> "FixInputs":
        return cls.build(ctx.project, results, ctx.tool, ctx.interpreter_facts, ctx.target.path)


@dataclass(frozen=True)
class Planner:
    """A kind of fix: the codes it answers, how safe its plans are, and where its function lives."""

    codes: frozenset[str]
    safety: Safety
    function: str  # "module:function", taking FixInputs and returning a FilePlan, plans, or None

    def plans(self, inputs: FixInputs) -> list[FilePlan]:
        module, _, name = self.function.partition(":")
        made = getattr(importlib.import_module(module), name)(inputs)
        made = [made] if isinstance(made, FilePlan) else list(made or ())
        return [replace(plan, safety=self.safety) if plan.safety != self.safety else plan for plan in made]


def _planner(codes: Iterable[str], safety: Safety, function: str) -> Planner:
    return Planner(frozenset(codes), safety, function)


# Listed in the order their plans are shown and applied.
PLANNERS: tuple[Planner, ...] = (
    _planner(repairs.GITIGNORE, SAFE, "doctor.fixes.registry:_gitignore"),
    _planner(repairs.DOTENV_FROM_EXAMPLE, SAFE, "doctor.fixes.registry:_dotenv"),
    _planner(repairs.PINS, SAFE, "doctor.fixes.pins:record_plan"),
    # A file's safe repair comes before its unsafe one, which starts from the safe one's result.
    _planner(repairs.DOTENV_SAFE, SAFE, "doctor.repairs.plans:dotenv_safe"),
    _planner(repairs.TRACKED, SAFE, "doctor.repairs.plans:untrack_dotenv"),
    _planner(repairs.CODE_SAFE, SAFE, "doctor.repairs.plans:code_safe"),
    _planner(repairs.DOTENV_UNSAFE, UNSAFE, "doctor.repairs.plans:dotenv_unsafe"),
    _planner(repairs.CODE_UNSAFE, UNSAFE, "doctor.repairs.plans:code_unsafe"),
)
PLANNED_CODES = frozenset(code for planner in PLANNERS for code in planner.codes)  # repairs.PLANNED, as listed


def _gitignore(inputs: FixInputs) -> FilePlan | None:
    from doctor.fixes.dotfiles import gitignore_plan

    return gitignore_plan(inputs.project)


def _dotenv(inputs: FixInputs) -> FilePlan | None:
    from doctor.fixes.dotfiles import dotenv_plan

    return dotenv_plan(inputs.project)


def found_codes(results: Mapping[str, Result]) -> set[str]:
    found: set[str] = set()
    for result in results.values():
        found.update(f.code for f in result.problems)
        if result.code:
            found.add(result.code)
    return found


def plan(inputs: FixInputs, unsafe: bool = False) -> list[FilePlan]:
    """The plans for what this run found: the safe ones, and the unsafe ones too when asked."""
    made: list[FilePlan] = []
    for planner in PLANNERS:
        if planner.codes & inputs.codes and (unsafe or planner.safety == SAFE):
            made += planner.plans(replace(inputs, codes=inputs.codes & planner.codes))
    return made


def plans_for(project: Path, results: Mapping[str, Result], installed: Mapping[str, str | None],
              tool: str = "pip", unsafe: bool = False) -> list[FilePlan]:
    """The plans for a project from what a run found and the installed versions (no project Python:
    a plan that must install something is not offered)."""
    from doctor.project.tools import Tool

    inputs = FixInputs(project, frozenset(found_codes(results)), Tool(tool), installed,
                       "httpx" if installed.get("httpx") else None)
    return plan(inputs, unsafe)


def fix_command(safety: Safety, python: str | None = None, project: Path | None = None, offline: bool = False) -> str:
    """How to ask for the fix on the command line. --python is repeated when the run was given it, since
    the project's Python cannot be found without it; --project when the project is not the current folder;
    --offline when the run was offline, so a command copied from an offline run never goes online."""
    words = [FIX_COMMAND, *(["--unsafe-fixes"] if safety == UNSAFE else []), "--yes", *(["--offline"] if offline else [])]
    if project is not None:
        words.append(f"--project {shlex.quote(str(project))}")
    if python is not None:
        words.append(f"--python {shlex.quote(python)}")
    return " ".join(words)


def offered(ctx: Context, result: Result) -> Result:
    """The result with each fix the doctor can apply marked so (its `applicability`), and that fix's
    commands replaced by the one command that applies it; the commands by hand move into its steps."""
    codes = {f.code for f in result.problems if f.fix is not None} & PLANNED_CODES
    if not codes:
        return result
    inputs = FixInputs.from_context(ctx, {"": result})
    safety: dict[str, Safety] = {}
    if codes & set(repairs.CODE_UNSAFE):
        from doctor.repairs.applies import certain_levels

        # Decided with `ast`, without building the rewrite: no libcst (0.3 s to import) on a plain run...
        safety = {code: level for code, level in certain_levels(inputs).items() if code in codes}
        if codes & repairs.PORT_CODES:
            from doctor.repairs.plans import repaired_levels

            # ...but for the 0.28 port, which declines in more ways than `ast` reproduces: its plans are built
            # to say (a user who follows the commands must find `--fix` offered), and once libcst is loaded
            # the codes left undecided are decided by the real plans too.
            safety.update(repaired_levels(inputs, codes & set(repairs.CODE_UNSAFE) - safety.keys()))
    for planner in PLANNERS:
        covered = planner.codes & codes - set(repairs.CODE_UNSAFE)
        if covered and planner.plans(replace(inputs, codes=frozenset(covered))):
            for code in covered:
                safety.setdefault(code, planner.safety)
    if not safety:
        return result
    here = None if ctx.project == Path.cwd().resolve() else ctx.project
    command = {level: fix_command(level, ctx.flags.python, here, ctx.flags.offline) for level in set(safety.values())}

    def marked(code: str, fix: Fix | None) -> Fix | None:
        if fix is None or code not in safety:
            return fix
        level = safety[code]
        by_hand = tuple(f"Or by hand: {c}" for c in fix.commands)
        return replace(fix, commands=(command[level],), steps=(*fix.steps, *by_hand), applicability=level)

    return replace(result, fix=marked(result.code or "", result.fix),
                   findings=tuple(replace(f, fix=marked(f.code, f.fix)) for f in result.findings))
