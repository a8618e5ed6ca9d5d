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

    if args.format not in ("text", "markdown", "json"):
        raise UsageError("report writes markdown (the default) or json")
    project, flags, config, checks = prepare(args)
    ctx = Context.build(project, flags, config, environ=environ)
    start = time.perf_counter()
    results = asyncio.run(collect(ctx, checks, args.offline))
    report = ctx.report(checks, results, int((time.perf_counter() - start) * 1000))
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
        path = Path(args.output).expanduser()
        try:
            write_text_atomically(path, text)
        except OSError as error:
            raise UsageError(f"cannot write the report to {path}: {error.strerror or error}") from None
        print(f"llm-doctor: wrote {args.output}; it is redacted and safe to attach to a ticket", file=sys.stderr)
    else:
        stdout.write(text)
    return report.exit_code(args.strict)
