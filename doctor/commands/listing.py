"""`llm-doctor list`: every check, whether it goes online or spends tokens, and what a live check sends."""

from __future__ import annotations

import argparse
from typing import Mapping, TextIO

from doctor.cli import EXIT_OK


def run(args: argparse.Namespace, environ: Mapping[str, str], stdout: TextIO) -> int:
    from checks import ALL_CHECKS

    if args.format == "json":
        import json

        rows = [{"id": c.id, "title": c.title, "group": c.group, "live": c.live, "spends_tokens": c.spends_tokens,
                 "sends": c.sends or None, "needs": list(c.needs), "codes": list(c.codes)} for c in ALL_CHECKS]
        stdout.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    width = max(len(c.id) for c in ALL_CHECKS)
    for c in ALL_CHECKS:
        kind = "live, spends tokens" if c.spends_tokens else "live" if c.live else "offline"
        stdout.write(f"{c.id:<{width}}  {c.title}  ({c.group}; {kind})\n")
        if c.sends:
            stdout.write(f"{'':<{width}}    sends: {c.sends}\n")
    stdout.write(f"\n{budget()}\n")
    return EXIT_OK


def budget() -> str:
    """The whole live run's traffic, from the probes' own caps."""
    from checks.probes import JSON_MAX_TOKENS, STREAM_MAX_TOKENS
    from checks.sample import SAMPLE_MAX_TOKENS

    asked = STREAM_MAX_TOKENS + JSON_MAX_TOKENS + SAMPLE_MAX_TOKENS
    return (f"A live run sends GET /models once and at most 3 chat completions, {asked} max_tokens in all, to the "
            "base URL only, and retries nothing. --offline sends nothing.")
