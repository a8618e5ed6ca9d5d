"""Helpers the benchmarks share: a healthy sample project and side-by-side timing."""

from __future__ import annotations

import importlib.metadata as md
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
EXAMPLE_KEY = "sk-proj-" + "Bench0Key1Not2Real3Key4Ab5Cd6Ef7Gh" * 2 + "T3BlbkFJ" + "Bench8Key9Zz0Yy1Xx2W"


def healthy_project(root: Path, python: str | None = None) -> Path:
    """A project whose pins match this interpreter's packages (or, given `python`, that venv's)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / ".env").write_text(f"OPENAI_API_KEY={EXAMPLE_KEY}\n")
    (root / ".gitignore").write_text(".env\n")
    if python is None:
        pins = "".join(f"{n}=={md.version(n)}\n" for n in ("openai", "httpx", "python-dotenv"))
    else:
        pins = subprocess.run([python, "-m", "pip", "freeze"], capture_output=True, text=True, check=True).stdout
    (root / "requirements.txt").write_text(pins)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


GUIDE_ASK = '''"""Asks the model one question, as the guide's worked example does."""
import os

from dotenv import load_dotenv
from openai import OpenAI

load_dotenv()
client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"), timeout=30.0)


def ask(prompt: str) -> str:
    response = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}], max_tokens=200)
    return response.choices[0].message.content or ""


if __name__ == "__main__":
    print(ask("Summarise what an LLM API does in two sentences."))
'''


def guide_project(root: Path, python: str) -> Path:
    """The guide's project as a user has it after a few days: ask.py, requirements.txt pinned from
    the project's venv (`python`), .env ignored, and a short git history (five commits)."""
    project = healthy_project(root, python)
    env = {**os.environ, "GIT_AUTHOR_NAME": "dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
           "GIT_COMMITTER_NAME": "dev", "GIT_COMMITTER_EMAIL": "dev@example.com"}
    for step in range(5):
        (project / "ask.py").write_text(GUIDE_ASK.replace("two sentences", f"{step + 2} sentences"))
        (project / "notes.md").write_text(f"# Notes\n\nstep {step}\n")
        subprocess.run(["git", "add", "."], cwd=project, check=True, env=env)
        subprocess.run(["git", "commit", "-q", "-m", f"step {step}"], cwd=project, check=True, env=env)
    return project


def doctor_command() -> list[str]:
    script = Path(sys.executable).with_name("llm-doctor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "doctor"]


def bench_env(**extra: str) -> dict[str, str]:
    """The environment the contenders run in: no real key, and bytecode cached as on a user's machine.

    With PYTHONDONTWRITEBYTECODE set (some CI images set it), every run would compile the
    project's own modules from source, a cost no installed copy pays after its first run.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "PYTHONDONTWRITEBYTECODE")}
    env.update(VIRTUAL_ENV=sys.prefix, **extra)
    return env


def time_once(command: Sequence[str], env: dict[str, str], cwd: str | None = None) -> float:
    return measure_once(command, env, cwd)[0]


def measure_once(command: Sequence[str], env: dict[str, str], cwd: str | None = None) -> tuple[float, float]:
    """One run's wall time, and the CPU time (user and system) it and the processes it waited for used.
    The CPU time is the steadier of the two on a shared machine: time spent waiting for a core the
    host gave to someone else is not counted in it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def instructions_once(command: Sequence[str], env: dict[str, str], cwd: str | None = None) -> int:
    """The instructions one run executes, counted by valgrind (the doctor's process only, not the git
    it starts), with a fixed hash seed: the same code gives the same count within a few tenths of a
    percent, so two versions of the doctor compare without the machine's noise. A count, not a time:
    it leaves out cache misses and the system's own work."""
    answer = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                             *command], env={**env, "PYTHONHASHSEED": "0"}, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, check=False)
    counted = re.search(r"I\s+refs:\s+([\d,]+)", answer.stderr)
    if counted is None:
        raise SystemExit(f"valgrind counted nothing: {answer.stderr[-300:]}")
    return int(counted.group(1).replace(",", ""))


def side_by_side(runs: int, contenders: dict[str, Callable[[], float]]) -> dict[str, float]:
    """Runs the contenders interleaved, `runs` rounds after one untimed warm-up, and returns medians."""
    return {name: statistics.median(values) for name, values in rounds(runs, contenders).items()}


def rounds(runs: int, contenders: dict[str, Callable[[], T]]) -> dict[str, list[T]]:
    """Every contender's time in each of `runs` rounds, after one untimed warm-up. Each round runs them
    all, starting with a different one each time, so that none always follows the same other."""
    for measure in contenders.values():
        measure()  # writes bytecode and warms the disk cache, as any earlier run would have
    names = list(contenders)
    samples: dict[str, list[T]] = {name: [] for name in names}
    for number in range(runs):
        for name in names[number % len(names):] + names[:number % len(names)]:
            samples[name].append(contenders[name]())
    return samples


def added(samples: list[float], base: list[float]) -> tuple[float, float, float]:
    """What a contender adds to `base`, from the differences within each round (which a machine's
    slow drift cancels out of): their median, and a 95% interval for it (order statistics)."""
    differences = sorted(a - b for a, b in zip(samples, base))
    count = len(differences)
    rank = max(1, int((count - 1.96 * count ** 0.5) / 2))  # the sign test's: ranks r and n - r + 1, from 1
    return statistics.median(differences), differences[rank - 1], differences[count - rank]
