"""The command line: argument parsing, exit codes, and which front end runs.

stdout carries only the report; every diagnostic goes to stderr. Exit codes:
0 no failure (warnings allowed), 1 a check failed (or warned, with --strict),
2 usage error, 3 the doctor itself broke (a check in `error`), 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Callable, Mapping, Sequence, TextIO

from doctor import __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BROKEN, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
FORMATS = ("text", "json", "markdown", "junit")
EXPLAIN_KEEP_BYTES = 256 * 1024  # of a huge paste, its start and its end (where a traceback's error is)


class UsageError(Exception):
    """Bad input on the command line: reported in one line, exit code 2."""


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("must be between 0 and 3600 seconds")
    return value


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _run_options() -> argparse.ArgumentParser:
    """Options shared by `llm-doctor` and `llm-doctor check`; SUPPRESS lets either place set them."""
    p = argparse.ArgumentParser(add_help=False)
    s = argparse.SUPPRESS
    p.add_argument("--project", metavar="DIR", default=s, help="the project to diagnose (default: current directory)")
    p.add_argument("--python", metavar="PATH", default=s, help="the interpreter your code runs on")
    p.add_argument("--format", choices=FORMATS, default=s, help="report format (default: text)")
    p.add_argument("--offline", action="store_true", default=s, help="skip every check that uses the network")
    p.add_argument("--only", metavar="IDS", type=_ids, action="extend", default=s, help="run only these checks")
    p.add_argument("--skip", metavar="IDS", type=_ids, action="extend", default=s, help="do not run these checks")
    p.add_argument("--model", metavar="NAME", default=s, help="model to test (default: gpt-4o-mini)")
    p.add_argument("--base-url", metavar="URL", default=s, help="API base URL (default: OPENAI_BASE_URL or OpenAI)")
    p.add_argument("--timeout", metavar="SECONDS", type=_positive_seconds, default=s,
                   help="timeout your code uses (default: 30)")
    p.add_argument("--prompt-file", metavar="FILE", default=s, help="a prompt to measure against the context window")
    p.add_argument("--strict", action="store_true", default=s, help="exit 1 on warnings too")
    p.add_argument("-v", "--verbose", action="store_true", default=s, help="details, timings and tracebacks")
    p.add_argument("--no-color", action="store_true", default=s, help="no colour (NO_COLOR is honoured too)")
    p.add_argument("--fix", action="store_true", default=s,
                   help="apply the safe fixes (shows each diff first; asks, or needs --yes without a terminal)")
    p.add_argument("--yes", action="store_true", default=s, help="with --fix: apply without asking")
    return p


DEFAULTS = dict(project=None, python=None, format="text", offline=False, only=[], skip=[], model=None,
                base_url=None, timeout=None, prompt_file=None, strict=False, verbose=False, no_color=False,
                fix=False, yes=False)


def build_parser() -> argparse.ArgumentParser:
    options = _run_options()
    parser = argparse.ArgumentParser(
        prog="llm-doctor", parents=[options],
        description="Finds out why calls to the OpenAI API (or a compatible API) fail, and how to fix them.",
    )
    parser.add_argument("--version", action="version", version=f"llm-doctor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("check", parents=[options], help="run the checks headless (for CI; never prompts)")
    lister = sub.add_parser("list", help="list every check")
    lister.add_argument("--format", choices=FORMATS, default="text")
    explain = sub.add_parser("explain", help="what a code means, or the diagnosis of a pasted error or traceback")
    explain.add_argument("topic", metavar="CODE|TEXT|-", nargs="*",
                         help="a diagnosis code (e.g. key-shadowed), a check id, an error message, or - for stdin")
    explain.add_argument("--format", choices=("text", "json"), default="text")
    report = sub.add_parser("report", parents=[options], help="a redacted Markdown bundle for a support ticket")
    report.add_argument("-o", "--output", metavar="FILE", help="write it to FILE (default: stdout)")
    demo = sub.add_parser("demo", parents=[options], help="the guided run against the built-in sandbox API")
    demo.add_argument("scenario", nargs="?", default="healthy", metavar="SCENARIO",
                      help="what the sandbox API does (default healthy; --list shows them all)")
    demo.add_argument("--list", action="store_true", dest="list_scenarios", help="list the scenarios")
    demo.add_argument("--latency", type=float, default=0.0, metavar="SECONDS", help="added delay per request")
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    from doctor.context import environ_snapshot

    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    parser = build_parser()
    args = parser.parse_args(argv)
    for name, value in DEFAULTS.items():
        if not hasattr(args, name):
            setattr(args, name, value)
    environ = environ_snapshot()
    commands: dict[str | None, Callable[[argparse.Namespace, Mapping[str, str], TextIO], int]] = {
        None: _check, "check": _check, "list": _list, "explain": _explain, "demo": _demo, "report": _report,
    }
    try:
        return commands[args.command](args, environ, stdout)
    except UsageError as error:
        print(f"llm-doctor: error: {error}", file=stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("llm-doctor: interrupted", file=stderr)
        return EXIT_INTERRUPTED


def _wants_colour(args: argparse.Namespace, environ: Mapping[str, str], stream: TextIO) -> bool:
    if args.no_color or environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def _can_print_unicode(stream: TextIO) -> bool:
    try:
        "✓✗☠•·".encode(getattr(stream, "encoding", None) or "ascii")
        return True
    except (UnicodeEncodeError, LookupError):
        return False


def _prepare(args: argparse.Namespace) -> tuple:
    """Validates the run's inputs; every problem is a one-line usage error."""
    from checks import ALL_CHECKS
    from doctor.runner import SelectionError, select
    from doctor.settings import ConfigError, Flags, read_project_config

    project = Path(args.project or ".").expanduser()
    if not project.is_dir():
        raise UsageError(f"project directory {project} does not exist" if not project.exists()
                         else f"{project} is not a directory")
    project = project.resolve()
    if args.python and not Path(args.python).expanduser().exists():
        raise UsageError(f"--python {args.python}: no such file")
    if args.prompt_file and not (project / args.prompt_file).is_file():
        raise UsageError(f"--prompt-file {args.prompt_file}: no such file")
    try:
        config = read_project_config(project)
        checks = select(ALL_CHECKS, args.only, args.skip)
        select(ALL_CHECKS, skip=config.skip)  # a typo in [tool.llm-doctor] skip is a usage error too
    except (ConfigError, SelectionError) as error:
        raise UsageError(str(error)) from None
    flags = Flags(python=str(Path(args.python).expanduser()) if args.python else None, model=args.model,
                  base_url=args.base_url, timeout=args.timeout, prompt_file=args.prompt_file,
                  offline=args.offline, only=tuple(args.only), skip=tuple(args.skip))
    return project, flags, config, checks


def _interactive(stdout: TextIO) -> bool:
    """The TUI only where a person is looking: stdout and stdin are both terminals."""
    return bool(getattr(stdout, "isatty", lambda: False)() and sys.stdin.isatty())


def _check(args: argparse.Namespace, environ: Mapping[str, str], stdout: TextIO) -> int:
    from doctor.context import Context

    project, flags, config, checks = _prepare(args)
    if args.command in (None, "demo") and args.format == "text" and _interactive(stdout):
        return _tui(project, flags, config, checks, environ, ask_before_live=args.command != "demo")
    if args.yes and not args.fix:
        raise UsageError("--yes goes with --fix")
    if args.fix:
        _fix(project, flags, config, checks, environ, yes=args.yes)
    ctx = Context.build(project, flags, config, environ=environ)
    return asyncio.run(_diagnose(ctx, checks, args, environ, stdout))


def _fix(project, flags, config, checks, environ, yes: bool) -> None:  # noqa: ANN001 - _prepare's values
    """Plans the safe fixes from an offline pass, shows each diff on stderr, and applies them
    when confirmed (a prompt in a terminal, --yes otherwise). The report that follows is fresh."""
    from doctor import fixes
    from doctor.session import Session

    session = Session(project, flags, config, environ, [c for c in checks if not c.live])
    ctx = session.new_context()
    session.results = asyncio.run(_collect(ctx, session.checks))
    session.remember_interpreter(ctx)
    plans = session.plans()
    if not plans:
        print("llm-doctor: nothing the doctor can fix by itself", file=sys.stderr)
        return
    for plan in plans:
        print(f"llm-doctor: {plan.title}\n{ctx.redactor.redact(plan.diff())}", file=sys.stderr)
    if not _confirmed(len(plans), yes):
        return
    for plan in plans:
        try:
            backup = fixes.apply(plan)
        except (fixes.StaleFix, OSError) as error:
            raise UsageError(f"not applied: {error}") from None
        kept = f" (the old file is kept as {backup.name})" if backup else ""
        print(f"llm-doctor: wrote {plan.path.name}{kept}", file=sys.stderr)


def _confirmed(count: int, yes: bool) -> bool:
    """--yes, or a y from a person at a terminal; without a terminal, never. The prompt goes to stderr."""
    if yes:
        return True
    if not sys.stdin.isatty():
        print("llm-doctor: not applied: add --yes to apply fixes without a terminal", file=sys.stderr)
        return False
    sys.stderr.write(f"Apply {'this change' if count == 1 else f'these {count} changes'}? [y/N] ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


async def _collect(ctx, checks, offline: bool = False) -> dict:  # noqa: ANN001 - a Context and its checks
    from doctor.runner import Finished, run

    try:
        return {e.check.id: e.result async for e in run(checks, ctx, offline=offline) if isinstance(e, Finished)}
    finally:
        await ctx.aclose()


def _report(args: argparse.Namespace, environ: Mapping[str, str], stdout: TextIO) -> int:
    """Runs the checks and writes the support bundle, or refuses if anything key-shaped is left in it."""
    import json

    from doctor import support
    from doctor.context import Context
    from doctor.model import Report
    from doctor.render import markdown

    if args.format not in ("text", "markdown", "json"):
        raise UsageError("report writes markdown (the default) or json")
    project, flags, config, checks = _prepare(args)
    ctx = Context.build(project, flags, config, environ=environ)
    start = time.perf_counter()
    results = asyncio.run(_collect(ctx, checks, args.offline))
    report = Report(__version__, str(project), str(ctx.target.path), tuple((c, results[c.id]) for c in checks),
                    int((time.perf_counter() - start) * 1000))
    bundle = support.gather(ctx, report)
    text = json.dumps(bundle, indent=2, ensure_ascii=False) + "\n" if args.format == "json" else \
        support.render_markdown(bundle, markdown.body(report))
    text = support.scrub(text, ctx)
    try:
        support.assert_clean(text, ctx)
    except support.LeakError as error:
        print(f"llm-doctor: refusing to write the report: {error}; please report this", file=sys.stderr)
        return EXIT_BROKEN
    if args.output:
        _write_atomically(Path(args.output).expanduser(), text)
        print(f"llm-doctor: wrote {args.output}; it is redacted and safe to attach to a ticket", file=sys.stderr)
    else:
        stdout.write(text)
    return report.exit_code(args.strict)


def _write_atomically(path: Path, text: str) -> None:
    """The whole file or nothing: a temporary file beside it, then a rename."""
    import os
    import tempfile

    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as error:
        raise UsageError(f"cannot write the report to {path}: {error.strerror or error}") from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise UsageError(f"cannot write the report to {path}: {error.strerror or error}") from None


def _tui(project, flags, config, checks, environ, ask_before_live: bool) -> int:  # noqa: ANN001 - _prepare's values
    """The guided TUI; the demo's sandbox costs nothing, so it does not ask before live checks."""
    from doctor.session import Session
    from doctor.tui.app import DoctorApp

    app = DoctorApp(Session(project, flags, config, environ, checks), ask_before_live=ask_before_live,
                    version=__version__)
    return app.run() or 0


def _demo(args: argparse.Namespace, environ: Mapping[str, str], stdout: TextIO) -> int:
    import tempfile

    from doctor.demo import SANDBOX_ONLY_ENVIRON, sample_project
    from doctor.sandbox import DEMO_SCENARIOS, SCENARIOS, Sandbox

    if args.list_scenarios:
        for name in DEMO_SCENARIOS:
            stdout.write(f"{name:<18} {SCENARIOS[name]}\n")
        return EXIT_OK
    if args.scenario not in SCENARIOS:
        raise UsageError(f"unknown scenario {args.scenario!r}; `llm-doctor demo --list` shows them")
    if args.project or args.python:
        raise UsageError("demo builds its own sample project; use `llm-doctor check` for yours")
    with tempfile.TemporaryDirectory(prefix="llm-doctor-demo-") as tmp, \
            Sandbox(args.scenario, latency=args.latency) as sandbox:
        args.project = str(sample_project(Path(tmp), sandbox.url))
        args.python = sys.executable
        print(f"llm-doctor demo: scenario {args.scenario!r} ({SCENARIOS[args.scenario]}); sandbox API at "
              f"{sandbox.url}; sample project {args.project}", file=sys.stderr)
        demo_environ = {k: v for k, v in environ.items() if k not in SANDBOX_ONLY_ENVIRON}
        return _check(args, demo_environ, stdout)


async def _diagnose(ctx, checks, args, environ, stdout) -> int:  # noqa: ANN001 - types live in _check
    from doctor.model import Report
    from doctor.render import text
    from doctor.runner import Finished, run

    style = text.TextStyle(colour=_wants_colour(args, environ, stdout), unicode=_can_print_unicode(stdout),
                           verbose=args.verbose)
    streaming = args.format == "text"
    start = time.perf_counter()
    results: dict[str, object] = {}
    order = [c.id for c in checks]
    printed = 0
    if streaming:
        stdout.write(text.header(__version__, str(ctx.project), str(ctx.target.path), style))
    group_of_last, shown = None, set()
    try:
        async for event in run(checks, ctx, offline=args.offline):
            if not isinstance(event, Finished):
                continue
            results[event.check.id] = event.result
            while streaming and printed < len(order) and order[printed] in results:
                check = checks[printed]
                stdout.write(ctx.redactor.redact(text.section(check, results[check.id], style, group_of_last, shown)))
                group_of_last = check.group
                stdout.flush()
                printed += 1
    finally:
        await ctx.aclose()
    report = Report(__version__, str(ctx.project), str(ctx.target.path),
                    tuple((c, results[c.id]) for c in checks), int((time.perf_counter() - start) * 1000))
    if streaming:
        stdout.write(ctx.redactor.redact(text.summary(report, style)))
    else:
        stdout.write(ctx.redactor.redact(_render(report, args.format, args.strict)))
    if environ.get("GITHUB_ACTIONS") == "true":
        from doctor.render import annotations

        # The runner reads workflow commands from the log; stdout stays one document for the data formats.
        stream = stdout if streaming else sys.stderr
        stream.write(ctx.redactor.redact(annotations.render(report, ctx.project, environ.get("GITHUB_WORKSPACE"))))
        if args.verbose:
            for _, result in report.entries:
                if result.traceback:
                    sys.stderr.write(ctx.redactor.redact(result.traceback))
    return report.exit_code(args.strict)


def _render(report, fmt: str, strict: bool) -> str:  # noqa: ANN001 - a Report
    """The whole report in a non-streaming format."""
    if fmt == "json":
        from doctor.render import json as json_render

        return json_render.render(report, strict)
    if fmt == "junit":
        from doctor.render import junit

        return junit.render(report, strict)
    from doctor.render import markdown

    return markdown.render(report)


def _read_head_and_tail(stream, keep: int = EXPLAIN_KEEP_BYTES) -> str:  # noqa: ANN001 - a binary stream
    """Reads any amount of input in bounded memory, keeping its first and last `keep` bytes."""
    head = stream.read(keep)
    tail = bytearray()
    while chunk := stream.read(65536):
        tail += chunk
        del tail[: max(0, len(tail) - keep)]
    joined = head + (b"\n...\n" if tail else b"") + bytes(tail)
    return joined.decode("utf-8", "replace")


def _list(args: argparse.Namespace, environ: Mapping[str, str], stdout: TextIO) -> int:
    from checks import ALL_CHECKS

    if args.format == "json":
        import json

        rows = [{"id": c.id, "title": c.title, "group": c.group, "live": c.live, "spends_tokens": c.spends_tokens,
                 "needs": list(c.needs), "codes": list(c.codes)} for c in ALL_CHECKS]
        stdout.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    width = max(len(c.id) for c in ALL_CHECKS)
    for c in ALL_CHECKS:
        kind = "live, spends tokens" if c.spends_tokens else "live" if c.live else "offline"
        stdout.write(f"{c.id:<{width}}  {c.title}  ({c.group}; {kind})\n")
    return EXIT_OK


def _explain(args: argparse.Namespace, environ: Mapping[str, str], stdout: TextIO) -> int:
    """Explains a code, a check id or a pasted error; works offline and never echoes a key."""
    from checks import ALL_CHECKS
    from checks.explain import explain
    from doctor.redact import Redactor

    words = args.topic
    text = _read_head_and_tail(sys.stdin.buffer) if words == ["-"] else " ".join(words)
    if not text.strip():
        raise UsageError("nothing to explain: give a code, an error message, or - to read stdin")
    check = next((c for c in ALL_CHECKS if c.id == text.strip().lower()), None)
    if check is not None:
        stdout.write(f"{check.id}: {check.title}\n\n{check.doc}\n\nCodes: {', '.join(check.codes)}\n")
        return EXIT_OK
    from doctor.render import explanation

    result = explain(text)
    render = explanation.to_json if args.format == "json" else explanation.to_text
    stdout.write(Redactor().redact(render(result)))
    return EXIT_OK if result.diagnosis is not None else EXIT_FAILED