"""How many broken projects get well by doing what the doctor says, in how many rounds, and how long a round takes.

Runs the convergence harness (tests/convergence.py) on each of its broken projects, both ways:
the first problem's commands as written, and `llm-doctor check --fix --yes` first. Prints one line
per treatment, then the totals.

    .venv/bin/python bench/convergence.py            # every patient, both ways
    .venv/bin/python bench/convergence.py --way fix  # one way only
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from doctor.sandbox import Sandbox  # noqa: E402
from tests.convergence import PATIENTS, Treatment  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--way", choices=("commands", "fix"), action="append")
    parser.add_argument("--doctor-bin", type=Path, default=Path(sys.executable).parent,
                        help="the folder whose `llm-doctor` is tested (default: this Python's)")
    args = parser.parse_args()
    ways = args.way or ["commands", "fix"]
    outcomes = []
    started = time.monotonic()
    with Sandbox("healthy") as sandbox, tempfile.TemporaryDirectory(prefix="llm-doctor-convergence-") as tmp:
        for number, patient in enumerate(PATIENTS):
            for way in ways:
                treatment = Treatment(patient, Path(tmp) / f"{number}-{way}", sandbox.url, args.doctor_bin)
                treatment.prepare()
                outcome = treatment.run(way)
                outcomes.append(outcome)
                expected = "" if patient.converges_today else "  (expected to fail until the doctor repairs code and .env)"
                print(f"{'healthy' if outcome.healthy else outcome.problem:>15}  {outcome.rounds} round(s)  "
                      f"{way:<8}  {patient.name}{expected}", flush=True)
    rounds = [s for o in outcomes for s in o.round_seconds]
    healthy = [o for o in outcomes if o.healthy]
    print(f"\n{len(healthy)} of {len(outcomes)} treatments reach healthy "
          f"({len({o.patient for o in healthy})} of {len(PATIENTS)} projects); rounds each: "
          f"{', '.join(str(o.rounds) for o in healthy)}")
    if rounds:
        print(f"a round takes {statistics.median(rounds):.1f} s (median; {min(rounds):.1f}-{max(rounds):.1f} s) "
              f"on {len(rounds)} rounds; all in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
