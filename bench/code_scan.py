"""What reading the project's code and files adds to the offline run.

    python bench/code_scan.py [--runs N] [--files N] [--doctor PATH] [--instructions]

Times `llm-doctor check --offline --format json` on three copies of one healthy project, in
one interleaved run: with no code, with only the guide's worked example (ask.py), and with a
generated code base of 1,000 Python files (a package of ordinary modules, a few of which
call the API, plus notebooks and config files), committed to git as a real project is.
Prints what each adds to the run without code: the median of the differences within each
round, with a 95% interval, since this machine's noise from run to run (10 ms and more) is
larger than the smaller target. Each is given for the wall time (what the user waits) and for
the CPU time the run used, which a busy host disturbs less. Targets: ask.py at most 10 ms,
1,000 files at most 150 ms.

Each code base is timed twice: as a run again on unchanged code finds it (code-usage's
conclusions remembered from the run before, checks/code_memo.py), and as the first run on
that code (the remembered conclusions deleted before each run, so the code is read, parsed
and judged). The other caches (the history scan's, Python's bytecode) are warm in both.

`--instructions` counts instead what the guide's ask.py adds in instructions, under valgrind: a
count with almost no noise, to tell whether a change to the doctor made the reading cheaper.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import (  # noqa: E402
    added, bench_env, doctor_command, healthy_project, instructions_once, measure_once, rounds,
)

GUIDE = Path(__file__).parents[1] / "tests" / "fixtures" / "code_corpus" / "guide_ask" / "ask.py"
ORDINARY = '''"""Module {n}: bookkeeping helpers for the {topic} screens."""
from __future__ import annotations

import dataclasses
import logging
from typing import Iterable

log = logging.getLogger(__name__)


@dataclasses.dataclass
class {cls}:
    name: str
    amount: float = 0.0
    tags: tuple[str, ...] = ()

    def total(self, others: Iterable["{cls}"]) -> float:
        return self.amount + sum(o.amount for o in others)

    def label(self) -> str:
        return f"{{self.name}} ({{len(self.tags)}} tags)"


def summarise(rows: list[{cls}]) -> dict[str, float]:
    out: dict[str, float] = {{}}
    for row in rows:
        out[row.name] = out.get(row.name, 0.0) + row.amount
        if row.amount < 0:
            log.warning("negative amount in %s", row.name)
    return out


def merge(left: dict[str, float], right: dict[str, float]) -> dict[str, float]:
    merged = dict(left)
    for key, value in right.items():
        merged[key] = merged.get(key, 0.0) + value
    return merged
'''
CALLER = '''"""Module {n}: asks the model to tag {topic} notes."""
import os

from openai import OpenAI

client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"), timeout=20)


def tag(note: str) -> str:
    reply = client.chat.completions.create(
        model="gpt-4o-mini", max_tokens=50,
        messages=[{{"role": "system", "content": "Give three tags."}}, {{"role": "user", "content": note}}])
    return reply.choices[0].message.content or ""
'''


def code_base(root: Path, files: int) -> None:
    """`files` Python modules in nested packages, one in fifty calling the API, and a few other files."""
    pick = random.Random(7)
    topics = ["billing", "invoices", "reports", "users", "search", "exports", "alerts", "settings"]
    for n in range(files):
        folder = root / "app" / f"area{n % 20}" / f"part{n % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        template = CALLER if n % 50 == 0 else ORDINARY
        (folder / f"module_{n}.py").write_text(template.format(n=n, topic=pick.choice(topics), cls=f"Row{n}"))
    (root / "config.yaml").write_text("database:\n  host: localhost\n  port: 5432\n")
    (root / "Dockerfile").write_text("FROM python:3.12-slim\nCOPY . /app\n")


def commit(root: Path) -> None:
    env = {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.invalid", "GIT_COMMITTER_NAME": "b",
           "GIT_COMMITTER_EMAIL": "b@example.invalid", "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "code"], cwd=root, check=True, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--doctor", metavar="PATH", help="the llm-doctor program to time (default: this venv's), "
                        "for example one installed with pipx as the README says")
    parser.add_argument("--instructions", action="store_true",
                        help="count the instructions of the guide's project under valgrind instead of timing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bare = healthy_project(Path(tmp) / "bare")
        guide = healthy_project(Path(tmp) / "guide")
        (guide / "ask.py").write_text(GUIDE.read_text())
        big = healthy_project(Path(tmp) / "big")
        code_base(big, args.files)
        for project in (bare, guide, big):
            commit(project)
        doctor = [args.doctor] if args.doctor else doctor_command()

        def run(project: Path, remembered: bool = True) -> tuple[float, float]:
            return measure_once(*offline_run(doctor, project, remembered))

        if args.instructions:
            count_instructions(args.runs, doctor, bare, guide)
            return
        big_name = f"{args.files} files"
        samples = rounds(args.runs, {
            "no code": lambda: run(bare), "ask.py": lambda: run(guide), big_name: lambda: run(big),
            "ask.py, first run": lambda: run(guide, False), f"{big_name}, first run": lambda: run(big, False)})
    for name, values in samples.items():
        print(f"{name:<22} median {statistics.median(wall for wall, _ in values) * 1000:7.1f} ms, CPU "
              f"{statistics.median(cpu for _, cpu in values) * 1000:7.1f} ms  ({args.runs} runs)")
    for when, suffix in (("run again on unchanged code", ""), ("first run on the code", ", first run")):
        for name, target in (("ask.py", 10), (big_name, 150)):
            for kind, part in (("wall", 0), ("CPU", 1)):
                middle, low, high = added([s[part] for s in samples[name + suffix]],
                                          [s[part] for s in samples["no code"]])
                print(f"{when}: {name} adds {middle * 1000:+.1f} ms of {kind} time (95% interval "
                      f"{low * 1000:+.1f} to {high * 1000:+.1f}; target <= {target} ms)")


def offline_run(doctor: list[str], project: Path, remembered: bool) -> tuple[list[str], dict[str, str]]:
    """The command and environment of one offline run on `project`, its cache made ready for it."""
    cache = project.with_name(f"{project.name}-cache")  # each project's own: a deletion touches no other
    if not remembered:  # the first run on this code: nothing of code-usage's is remembered
        shutil.rmtree(cache / "llm-doctor" / "code", ignore_errors=True)
    return ([*doctor, "check", "--offline", "--format", "json", "--project", str(project), "--python", sys.executable],
            bench_env(XDG_CACHE_HOME=str(cache)))


def count_instructions(runs: int, doctor: list[str], bare: Path, guide: Path) -> None:
    """What ask.py adds, in instructions (median of `runs` rounds): noise-free, to compare two versions."""
    def count(project: Path, remembered: bool = True) -> int:
        return instructions_once(*offline_run(doctor, project, remembered))

    samples = rounds(runs, {"no code": lambda: count(bare), "ask.py": lambda: count(guide),
                            "ask.py, first run": lambda: count(guide, False)})
    base = statistics.median(samples["no code"])
    print(f"no code: {base / 1e6:.1f} M instructions ({runs} runs under valgrind)")
    for name in ("ask.py", "ask.py, first run"):
        print(f"{name}: adds {(statistics.median(samples[name]) - base) / 1e6:+.1f} M instructions")


if __name__ == "__main__":
    main()
