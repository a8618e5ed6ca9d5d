"""Offline run vs. the cost of importing the SDK.

    python bench/offline_startup.py [--runs N]

Times `llm-doctor check --offline --format json` on the guide's project (ask.py,
requirements.txt, .env, a short git history: bench/common.py) against `python -c "import openai"`,
interleaved in one run, and prints the ratios of medians, twice: with the project on the doctor's
own interpreter (no probe process), and with the project's own venv, a real one built from the
registry (tests/realenvs.py), so the importability probe runs in its own process as on a user's
machine. Targets: at most 0.5, and at most 0.35 for the project's own venv (aim: 0.25).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import bench_env, doctor_command, guide_project, side_by_side, time_once  # noqa: E402

sys.path.insert(0, str(Path(__file__).parents[1]))
from tests.realenvs import ensure, python_of  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--before", metavar="SOURCE", help="also time the doctor of another source tree (e.g. "
                        "`git archive main | tar -x -C /tmp/before`) on the project's venv, for a before/after")
    args = parser.parse_args()
    venv_python = str(python_of(ensure("openai-3")))
    with tempfile.TemporaryDirectory() as tmp:
        project = guide_project(Path(tmp) / "project", venv_python)
        env = bench_env()
        doctor = [*doctor_command(), "check", "--offline", "--format", "json", "--project", str(project), "--python"]
        contenders = {
            "doctor, its own Python": lambda: time_once([*doctor, sys.executable], env),
            "doctor, the project's venv": lambda: time_once([*doctor, venv_python], env),
            'python -c "import openai"': lambda: time_once([sys.executable, "-c", "import openai"], env),
        }
        if args.before:
            # `python -m doctor` from a neutral folder with the other tree first on the path: the installed
            # script names this checkout's entry point, which an older tree may not have.
            before_env = bench_env(PYTHONPATH=str(Path(args.before).resolve()))
            before = [sys.executable, "-m", "doctor", *doctor[len(doctor_command()):]]
            contenders["before, the project's venv"] = lambda: time_once([*before, venv_python], before_env, cwd=tmp)
        medians = side_by_side(args.runs, contenders)
    for name, seconds in medians.items():
        print(f"{name:<32} median {seconds * 1000:7.1f} ms  ({args.runs} runs)")
    sdk = medians['python -c "import openai"']
    own, venv = medians["doctor, its own Python"] / sdk, medians["doctor, the project's venv"] / sdk
    print(f"ratio doctor (own Python) / import openai: {own:.2f}  (target <= 0.50)")
    print(f"ratio doctor (project venv, probe process) / import openai: {venv:.2f}  (target <= 0.35, aim 0.25)")
    if args.before:
        before = medians["before, the project's venv"] / sdk
        print(f"ratio before (project venv) / import openai: {before:.2f}")


if __name__ == "__main__":
    main()
