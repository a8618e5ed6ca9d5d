"""`check --fix`: the safe fixes, headless. Diffs on stderr first, then a prompt or --yes."""

from __future__ import annotations

import asyncio
import sys

from doctor.commands.check import collect


def apply_fixes(project, flags, config, checks, environ, yes: bool) -> None:  # noqa: ANN001 - prepare()'s values
    """Plans the safe fixes from an offline pass, shows each diff on stderr, and applies them
    when confirmed (a prompt in a terminal, --yes otherwise). The report that follows is fresh."""
    from doctor import fixes
    from doctor.session import Session

    session = Session(project, flags, config, environ, [c for c in checks if not c.live])
    ctx = session.new_context()
    session.results = asyncio.run(collect(ctx, session.checks))
    session.remember_interpreter(ctx)
    plans = session.plans()
    if not plans:
        print("llm-doctor: nothing the doctor can fix by itself", file=sys.stderr)
        return
    for plan in plans:
        print(f"llm-doctor: {plan.title}\n{ctx.redactor.clean(plan.diff(), keep_newlines=True)}", file=sys.stderr)
    if not confirmed(len(plans), yes):
        return
    for plan in plans:
        try:
            backup = fixes.apply(plan, project, environ)
        except (fixes.StaleFix, OSError) as error:
            print(f"llm-doctor: {plan.path.name} not changed: {error}", file=sys.stderr)
            continue
        kept = f" (the old file is kept as {session.shown(backup)})" if backup else ""
        print(f"llm-doctor: wrote {plan.path.name}{kept}", file=sys.stderr)


def confirmed(count: int, yes: bool) -> bool:
    """--yes, or a y from a person at a terminal; without a terminal, never. The prompt goes to stderr."""
    if yes:
        return True
    if not sys.stdin.isatty():
        print("llm-doctor: not applied: add --yes to apply fixes without a terminal", file=sys.stderr)
        return False
    sys.stderr.write(f"Apply {'this change' if count == 1 else f'these {count} changes'}? [y/N] ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")
