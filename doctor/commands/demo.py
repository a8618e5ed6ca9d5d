"""`llm-doctor demo`: a throwaway sample project diagnosed against the sandbox API."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Mapping, TextIO

from doctor.cli import EXIT_OK, UsageError
from doctor.commands import check


def run(args: argparse.Namespace, environ: Mapping[str, str], stdout: TextIO) -> int:
    import tempfile

    from doctor.demo import DEMO_MODEL, SANDBOX_ONLY_ENVIRON, missing_sdk, sample_project
    from doctor.sandbox import DEMO_SCENARIOS, SCENARIOS, TEST_SCENARIOS, Sandbox

    if args.list_scenarios:
        for name in DEMO_SCENARIOS:
            stdout.write(f"{name:<18} {SCENARIOS[name]}\n")
        stdout.write(f"\nFor the tests, and they run too: {', '.join(TEST_SCENARIOS)}\n")
        return EXIT_OK
    if args.scenario not in SCENARIOS:
        raise UsageError(f"unknown scenario {args.scenario!r}; `llm-doctor demo --list` shows them")
    if (problem := missing_sdk()) is not None:
        raise UsageError(problem)
    with tempfile.TemporaryDirectory(prefix="llm-doctor-demo-") as tmp, \
            Sandbox(args.scenario, latency=args.latency) as sandbox:
        local = args.scenario in ("local-model", "small-context")  # a local server's one model, as a user meets it
        args.project = str(sample_project(Path(tmp), sandbox.url, None if local else DEMO_MODEL))
        args.python = sys.executable
        args.python_label = "the demo runs the sample project on llm-doctor's own Python"
        print(f"llm-doctor demo: scenario {args.scenario!r} ({SCENARIOS[args.scenario]}); sandbox API at "
              f"{sandbox.url}; sample project {args.project}", file=sys.stderr)
        demo_environ = {k: v for k, v in environ.items() if k not in SANDBOX_ONLY_ENVIRON}
        return check.run(args, demo_environ, stdout)
