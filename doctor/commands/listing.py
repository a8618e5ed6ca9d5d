"""`llm-doctor list`: every check, and whether it goes online or spends tokens."""

from __future__ import annotations

import argparse
from typing import Mapping, TextIO

from doctor.cli import EXIT_OK


def run(args: argparse.Namespace, environ: Mapping[str, str], stdout: TextIO) -> int:
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
