"""`llm-doctor check` (and `llm-doctor` itself): the headless run, or the terminal app in a terminal.

Text output streams in registry order as checks finish; the other formats print one
document at the end. Under GitHub Actions the problems are also printed as annotations.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Mapping, TextIO

from doctor import __version__
from doctor.cli import UsageError, interactive, is_terminal, prepare, terminal_too_small
from doctor.words import counted

FRAME_SLICE_SECONDS = 0.001


def run(args: argparse.Namespace, environ: Mapping[str, str], stdout: TextIO) -> int:
    """The terminal app for `llm-doctor` and `demo` where a person is looking; else the headless run."""
    if args.yes and not args.fix:
        raise UsageError("--yes goes with --fix")
    if args.unsafe_fixes and not args.fix:
        raise UsageError("--unsafe-fixes goes with --fix")
    if args.command in (None, "demo") and args.format == "text":
        if interactive(stdout, environ):
            return run_tui(args, environ)
        too_small = terminal_too_small(stdout) if is_terminal(stdout, environ) else None
        if too_small:
            print(f"llm-doctor: {too_small}; here is the text report instead", file=sys.stderr)
    from doctor.commands.fix import apply_fixes
    from doctor.context import Context

    project, flags, config, checks = prepare(args)
    if args.fix:
        apply_fixes(project, flags, config, checks, environ, yes=args.yes, unsafe=args.unsafe_fixes)
    ctx = Context.build(project, flags, config, environ=environ)
    return asyncio.run(diagnose(ctx, checks, args, environ, stdout))


def run_tui(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    """The guided TUI; the demo's sandbox costs nothing, so it does not ask before live checks.

    Loading Textual allocates a great many objects that live as long as the app; collecting
    garbage among them is wasted work, so the collector stays off until the first frame is
    on screen (DoctorApp turns it back on).

    Textual draws in this thread and hands each frame to a writer thread. With Python's
    default 5 ms thread slice, a frame waits for the GIL while the app keeps working (the
    first one waited ~8 ms while the checks started); a 1 ms slice delivers it within ~2 ms.
    """
    import gc

    gc.disable()
    sys.setswitchinterval(FRAME_SLICE_SECONDS)
    project, flags, config, checks = prepare(args)
    from doctor.session import Session
    from doctor.tui.app import DoctorApp

    app = DoctorApp(Session(project, flags, config, environ, checks), ask_before_live=args.command != "demo",
                    version=__version__)
    code = app.run() or 0
    if app.unfinished:
        total = len(checks)
        print(f"llm-doctor: quit before {app.unfinished} of {counted(total, 'check')} finished; "
              "run `llm-doctor check` for the whole report", file=sys.stderr)
    return code


async def diagnose(ctx, checks, args, environ, stdout) -> int:  # noqa: ANN001 - a Context, checks, the args
    """Runs the checks and prints the report; text streams as results arrive, in registry order."""
    from doctor.render import text
    from doctor.runner import Finished, run as run_checks

    style = text.TextStyle(colour=wants_colour(args, environ, stdout), unicode=can_print_unicode(stdout),
                           verbose=args.verbose)
    streaming = args.format == "text"
    start = time.perf_counter()
    results: dict[str, object] = {}
    order = [c.id for c in checks]
    printed = 0
    if streaming:
        stdout.write(text.header(__version__, str(ctx.project), ctx.target.described, style))
    group_of_last, shown = None, {}
    try:
        async for event in run_checks(checks, ctx, offline=args.offline):
            if not isinstance(event, Finished):
                continue
            results[event.check.id] = offered(ctx, event.result)
            while streaming and printed < len(order) and order[printed] in results:
                check = checks[printed]
                chunk = text.section(check, results[check.id], style, group_of_last, shown)
                stdout.write(ctx.redactor.redact(chunk))
                group_of_last = check.group
                stdout.flush()
                printed += 1
    finally:
        await ctx.aclose()
    report = ctx.report(checks, results, int((time.perf_counter() - start) * 1000))
    if streaming:
        stdout.write(ctx.redactor.redact(text.summary(report, style)))
    else:
        stdout.write(ctx.redactor.redact(render(report, args.format, args.strict)))
        if args.verbose:  # the text report shows tracebacks inline; the data formats keep them off stdout
            for _, result in report.entries:
                if result.traceback:
                    sys.stderr.write(ctx.redactor.redact(result.traceback))
    if environ.get("GITHUB_ACTIONS") == "true":
        from doctor.render import annotations

        # The runner reads workflow commands from the log; stdout stays one document for the data formats.
        stream = stdout if streaming else sys.stderr
        stream.write(ctx.redactor.redact(annotations.render(report, ctx.project, environ.get("GITHUB_WORKSPACE"))))
    return report.exit_code(args.strict)


def render(report, fmt: str, strict: bool) -> str:  # noqa: ANN001 - a Report
    """The whole report in a non-streaming format."""
    if fmt == "json":
        from doctor.render import json as json_render

        return json_render.render(report, strict)
    if fmt == "junit":
        from doctor.render import junit

        return junit.render(report, strict)
    if fmt == "sarif":
        from doctor.render import sarif

        return sarif.render(report)
    from doctor.render import markdown

    return markdown.render(report)


async def collect(ctx, checks, offline: bool = False) -> dict:  # noqa: ANN001 - a Context and its checks
    from doctor.runner import Finished, run as run_checks

    try:
        events = run_checks(checks, ctx, offline=offline)
        return {e.check.id: offered(ctx, e.result) async for e in events if isinstance(e, Finished)}
    finally:
        await ctx.aclose()


def offered(ctx, result):  # noqa: ANN001, ANN201 - a Context and a Result
    """The result with the fixes the doctor can apply itself marked so, and named by their command.
    The fixes' registry is imported only for a result with a fix for a code some fix answers."""
    from doctor.repairs.codes import PLANNED

    if not any(f.fix is not None and f.code in PLANNED for f in result.problems):
        return result
    from doctor.fixes.registry import offered as mark

    return mark(ctx, result)


def wants_colour(args: argparse.Namespace, environ: Mapping[str, str], stream: TextIO) -> bool:
    if args.no_color or environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def can_print_unicode(stream: TextIO) -> bool:
    try:
        "✓✗☠•·".encode(getattr(stream, "encoding", None) or "ascii")
        return True
    except (UnicodeEncodeError, LookupError):
        return False
