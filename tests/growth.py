"""Tests that a reader stays linear and within memory, without a flaky absolute limit.

`assert_linear` times the same work on an input of 10 KB and of 100 KB (built by the test)
and requires the ratio to stay near 10: a quadratic path shows a ratio near 100 however
fast or loaded the machine is. `run_limited` runs a snippet in a child Python whose address
space is capped (resource.setrlimit), so a reader that wants gigabytes fails the test
instead of the machine.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any, Callable

SMALL, LARGE = 10 * 1024, 100 * 1024
# Linear work gives 10; noise on a shared machine adds a little. Quadratic work gives about 100.
MAX_RATIO = 30
MEMORY_LIMIT = 1024 * 1024 * 1024
ROOT = Path(__file__).resolve().parent.parent


def best_time(work: Callable[[], Any], repeat: int = 3) -> float:
    """The fastest of a few runs: the one least disturbed by other processes."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def growth(make: Callable[[int], Any], work: Callable[[Any], Any]) -> float:
    """How much longer `work` takes on an input of LARGE than of SMALL bytes, as `make` builds them.
    The small input is worked LARGE // SMALL times in each timing, so both timings are long enough
    for the machine's noise to matter little."""
    small, large = make(SMALL), make(LARGE)
    work(small)  # imports and caches warm up outside the timing
    times = LARGE // SMALL
    small_time = best_time(lambda: [work(small) for _ in range(times)]) / times
    return best_time(lambda: work(large)) / max(small_time, 1e-5)


def assert_linear(make: Callable[[int], Any], work: Callable[[Any], Any]) -> None:
    ratio = growth(make, work)
    if ratio > MAX_RATIO:  # one retry: a burst of load on a shared machine is not a quadratic path
        ratio = growth(make, work)
    assert ratio <= MAX_RATIO, f"10x the input took {ratio:.0f}x the time: not linear"


def run_limited(code: str, memory: int = MEMORY_LIMIT, timeout: float = 60) -> subprocess.CompletedProcess:
    """Runs `code` in a child Python that may use at most `memory` bytes of address space."""
    prelude = f"import resource\nresource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))\n"
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
