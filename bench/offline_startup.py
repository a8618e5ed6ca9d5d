"""Offline run vs. the cost of importing the SDK (issue: the engine and the headless CLI).

    python bench/offline_startup.py [--runs N]

Times `llm-doctor check --offline --format json` on a healthy project against
`python -c "import openai"`, interleaved in one run, and prints the ratio of medians.
Target: at most 0.5.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import bench_env, doctor_command, healthy_project, side_by_side, time_once  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = healthy_project(Path(tmp) / "project")
        env = bench_env()
        doctor = [*doctor_command(), "check", "--offline", "--format", "json", "--project", str(project),
                  "--python", sys.executable]
        medians = side_by_side(args.runs, {
            "llm-doctor check --offline": lambda: time_once(doctor, env),
            'python -c "import openai"': lambda: time_once([sys.executable, "-c", "import openai"], env),
        })
    for name, seconds in medians.items():
        print(f"{name:<32} median {seconds * 1000:7.1f} ms  ({args.runs} runs)")
    ratio = medians["llm-doctor check --offline"] / medians['python -c "import openai"']
    print(f"ratio doctor / import openai: {ratio:.2f}  (target <= 0.50)")


if __name__ == "__main__":
    main()
