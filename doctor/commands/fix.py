"""`check --fix`: the doctor's own fixes, headless. Diffs on stderr first, then a prompt or --yes.

`--fix` applies the safe fixes; `--fix --unsafe-fixes` those that may change behaviour beyond
the intended edit too (ruff's convention; see doctor/fixes/plan.py).
"""

from __future__ import annotations

import asyncio
import sys

from doctor.commands.check import collect


def apply_fixes(project, flags, config, checks, environ, yes: bool,  # noqa: ANN001 - prepare()'s values
                unsafe: bool = False) -> None:
    """Plans the fixes from an offline pass, shows each diff on stderr, and applies them when
    confirmed (a prompt in a terminal, --yes otherwise). The report that follows is fresh."""
    from doctor import fixes
    from doctor.session import Session

    session = Session(project, flags, config, environ, [c for c in checks if not c.live])
    ctx = session.new_context()
    session.results = asyncio.run(collect(ctx, session.checks))
    session.remember_interpreter(ctx)
    plans = session.plans(unsafe)
    if not plans:
        held_back = "" if unsafe or not session.plans(True) else " (unsafe fixes are offered with --unsafe-fixes)"
        print(f"llm-doctor: nothing the doctor can fix by itself{held_back}", file=sys.stderr)
        return
    redact = ctx.redactor.redact
    for plan in plans:
        label = " [unsafe]" if plan.safety == fixes.UNSAFE else ""
        # cleaned, not only redacted: a file's own escape sequences (OSC 52, ##vso[) stay inert
        print(f"llm-doctor: {plan.title}{label}\n{ctx.redactor.clean(plan.diff(), keep_newlines=True)}",
              file=sys.stderr)
    if not confirmed(len(plans), yes):
        return
    for plan in plans:
        try:
            backup = fixes.apply(plan, project, environ)
        except fixes.CommandFailed as error:
            print(f"llm-doctor: {plan.title}: not finished: {redact(str(error))}", file=sys.stderr)
            continue
        except (fixes.StaleFix, OSError) as error:
            print(f"llm-doctor: {plan.path.name} not changed: {redact(str(error))}", file=sys.stderr)
            continue
        kept = f" (the old file is kept as {session.shown(backup)})" if backup else ""
        ran = "".join(f"; ran {command.shown}" for command in plan.then)
        what = f"wrote {plan.path.name}{kept}" if plan.edits else "changed no file"
        print(f"llm-doctor: {what}{ran}", file=sys.stderr)


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
