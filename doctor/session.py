"""A diagnosis session: what an interactive front end keeps between runs.

The TUI re-runs single checks, toggles offline and applies fixes; each run gets a
fresh Context, so a `.env` edited in another window is read again. Nothing here
imports textual, so the session is tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

from doctor.model import Check, Result
from doctor.settings import Flags, ProjectConfig

if TYPE_CHECKING:
    from doctor.context import Context
    from doctor.fixes import FilePlan
    from doctor.project.interpreter import InterpreterFacts
    from doctor.project.tools import Tool

# What the live checks may spend, as front ends tell the user before they run (see checks/probes.py).
LIVE_BUDGET = ("one GET /models and at most 3 chat completions (one streamed, one in JSON mode, one by the SDK), "
               "100 max_tokens in all, nothing retried: a fraction of a cent on gpt-4o-mini")


@dataclass
class Session:
    project: Path
    flags: Flags
    config: ProjectConfig
    environ: Mapping[str, str]
    checks: Sequence[Check]
    results: dict[str, Result] = field(default_factory=dict)
    interpreter: InterpreterFacts | None = None
    tool: Tool | None = None  # the project's package tool, from the last run
    python: Path | None = None  # the project's interpreter, which runs the tool's pip

    @property
    def offline(self) -> bool:
        return self.flags.offline

    def set_offline(self, offline: bool) -> None:
        self.flags = replace(self.flags, offline=offline)

    def new_context(self) -> Context:
        """A fresh context: `.env` and the environment are read again."""
        from doctor.context import Context  # after the first frame: the TUI paints before it reads anything

        return Context.build(self.project, self.flags, self.config, environ=self.environ)

    def check(self, check_id: str) -> Check:
        return next(c for c in self.checks if c.id == check_id)

    def rerun_set(self, check_ids: Sequence[str]) -> list[Check]:
        """The given checks and everything that needs them, transitively, in registry order."""
        wanted = set(check_ids)
        for c in self.checks:
            if wanted & set(c.needs):
                wanted.add(c.id)
        return [c for c in self.checks if c.id in wanted]

    def remember_interpreter(self, ctx: Context) -> None:
        """Keeps the target's facts and the project's tool: the package fix writes what is installed,
        only into a record pip owns, and syncs the environment with the project's own Python."""
        self.tool, self.python = ctx.tool, ctx.target.path
        if ctx.interpreter_facts is not None and not ctx.interpreter_facts.error:
            self.interpreter = ctx.interpreter_facts

    def plans(self, unsafe: bool = False) -> list[FilePlan]:
        from doctor.fixes import FixInputs, plan
        from doctor.project.tools import Tool

        inputs = FixInputs.build(self.project, self.results, self.tool or Tool("pip"), self.interpreter, self.python)
        return plan(inputs, unsafe)

    def shown(self, path: Path) -> str:
        """A path as the user can find it (relative to the project, or with ~)."""
        from doctor.fixes import shown_path

        return shown_path(path, self.project, self.environ)

    def plan_for(self, check_id: str) -> FilePlan | None:
        return next((p for p in self.plans() if check_id in p.rechecks), None)
