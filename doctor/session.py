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
    applied: list[str] = field(default_factory=list)  # the fixes the doctor applied in this session, by title

    @property
    def offline(self) -> bool:
        return self.flags.offline

    def set_offline(self, offline: bool) -> None:
        self.flags = replace(self.flags, offline=offline)

    def new_context(self) -> Context:
        """A fresh context: `.env` and the environment are read again."""
        from doctor.context import Context  # after the first frame: the TUI paints before it reads anything

        return Context.build(self.project, self.flags, self.config, environ=self.environ)

    def base_url(self) -> str:
        """Where the live checks send their requests, as the consent question names it: not known when
        `.env` may set it and was not read in time (see doctor/project/unread.py)."""
        from doctor.model import NotFinished

        try:
            return self.new_context().base_url.value.strip()
        except NotFinished:
            return "the base URL that .env may set (not known: .env was not read in time)"

    def check(self, check_id: str) -> Check:
        return next(c for c in self.checks if c.id == check_id)

    def rerun_set(self, check_ids: Sequence[str]) -> list[Check]:
        """What to run again after the user changed something the given checks looked at, in registry order.

        The given checks; every check that reads the same part of the project (a `.env` just
        created changes what the key and git checks say, not only the `.env` check); and
        everything that needs or waits for any of those, transitively. So no panel keeps an
        answer about the project as it was.
        """
        given = set(check_ids)
        inputs = {part for c in self.checks if c.id in given for part in c.reads}
        wanted = given | {c.id for c in self.checks if inputs & set(c.reads)}
        return [c for c in self.checks if c.id in wanted or c.id in self._dependents(wanted)]

    def _dependents(self, ids: set[str]) -> set[str]:
        """Every check that needs or waits for one of `ids`, transitively (a need always comes earlier)."""
        found: set[str] = set()
        for c in self.checks:
            if (ids | found) & {*c.needs, *c.after}:
                found.add(c.id)
        return found

    def waits_on_live(self, checks: Sequence[Check]) -> set[str]:
        """The checks among `checks` that are live or wait, transitively, on a live one: those to run once
        the user has said whether the doctor may go online (the context check waits for the model's facts)."""
        live = {c.id for c in checks if c.live}
        return live | (self._dependents(live) & {c.id for c in checks})

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
        """The fix to offer for a check: a safe one when there is one, else an unsafe one (which the app
        offers with a warning, as `--unsafe-fixes` does on the command line)."""
        plans = [p for p in self.plans(unsafe=True) if check_id in p.rechecks]
        return next((p for p in plans if p.safety == "safe"), plans[0] if plans else None)
