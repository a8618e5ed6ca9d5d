"""`llm-doctor report`: the redacted support bundle, written whole or not at all."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Mapping, TextIO

from doctor.atomic import write_text_atomically
from doctor.cli import EXIT_BROKEN, UsageError, prepare
from doctor.commands.check import collect


def run(args: argparse.Namespace, environ: Mapping[str, str], stdout: TextIO) -> int:
    """Runs the checks and writes the support bundle, or refuses if anything key-shaped is left in it."""
    import json

    from doctor import support
    from doctor.context import Context
    from doctor.render import markdown

    pasted = read_error(args.error) if args.error else None
    project, flags, config, checks = prepare(args)
    if not args.offline:
        warn_before_live_requests(checks)
    ctx = Context.build(project, flags, config, environ=environ)
    start = time.perf_counter()
    results = asyncio.run(collect(ctx, checks, args.offline))
    report = ctx.report(checks, results, int((time.perf_counter() - start) * 1000))
    bundle = support.gather(ctx, report)
    if pasted is not None:
        bundle = {"user_error": support.user_error(pasted), **bundle}
    text = json.dumps(bundle, indent=2, ensure_ascii=False) + "\n" if args.format == "json" else \
        support.render_markdown(bundle, markdown.body(report))
    text = support.scrub(text, ctx)
    try:
        support.assert_clean(text, ctx)
    except support.LeakError as error:
        print(f"llm-doctor: refusing to write the report: {error}; please report this", file=sys.stderr)
        return EXIT_BROKEN
    if args.output:
        path = Path(args.output).expanduser()
        try:
            write_text_atomically(path, text, within=project)  # not through a symlink out of the project
        except OSError as error:
            raise UsageError(f"cannot write the report to {path}: {error.strerror or error}") from None
        print(f"llm-doctor: wrote {args.output}; it is redacted and safe to attach to a ticket", file=sys.stderr)
    else:
        stdout.write(text)
    return report.exit_code(args.strict)


def warn_before_live_requests(checks) -> None:  # noqa: ANN001 - the selected checks
    """`report` is often run by a user at a support engineer's request, who may not expect it to call the
    API with their key; say so on stderr before anything is sent, and how to avoid it."""
    if not any(c.live for c in checks):
        return
    spends = ", and spend a few tokens (3 short completions at most)" if any(c.spends_tokens for c in checks) else ""
    print(f"llm-doctor: the report runs the live checks: they send requests to the API with your key{spends}. "
          "Add --offline to send nothing.", file=sys.stderr)


def read_error(source: str) -> str:
    """The error the user saw: stdin for `-`, else a regular file (never a FIFO or a device, which
    could block forever), in bounded memory: its head and tail, where a traceback's error is."""
    from doctor import files
    from doctor.commands.explain import read_head_and_tail

    if source == "-":
        text = read_head_and_tail(sys.stdin.buffer)
    else:
        path = Path(source).expanduser()
        kind = files.probe(path)
        if kind != "file":
            raise UsageError(f"--error {source} {files.KINDS.get(kind, files.KINDS['special'])}")
        try:
            with open(path, "rb") as stream:
                text = read_head_and_tail(stream)
        except OSError as error:
            raise UsageError(f"--error {source} cannot be read: {error.strerror or error}") from None
    if not text.strip():
        raise UsageError(f"--error {source}: the error is empty; paste the whole traceback")
    return text
