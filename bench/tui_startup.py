"""TUI start-up vs. the headless offline run (issue: the guided TUI).

    python bench/tui_startup.py [--runs N]

Runs `llm-doctor --offline` in a pseudo-terminal (80x24) and measures the time to the
first painted frame (the check list's border title appears) and to all offline results
shown (the summary bar says "done"), side by side with `llm-doctor check --offline`.
Target: first frame within 1.5 times the headless run. The last line, first frame over the
trivial app, is what the app itself adds: a faster headless run does not raise it.

For scale it also times bench/trivial_app.py: the same shared start-up, then the plainest
Textual app. Its first frame is the floor that any Textual front end starts from.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import bench_env, doctor_command, healthy_project, side_by_side, time_once  # noqa: E402

FIRST_FRAME = b"Checks"
ALL_SHOWN = "done · ".encode()


def time_tui(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds to the first frame and to all results, read off the terminal's output."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the terminal has its size before the app starts, as a real one does
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        os.execvpe(command[0], command, env)
    seen, first, done = b"", None, None
    try:
        while done is None and time.perf_counter() - start < 30:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
            now = time.perf_counter() - start
            if first is None and FIRST_FRAME in seen:
                first = now
            if ALL_SHOWN in seen:
                done = now
        os.write(fd, b"q")
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline and os.waitpid(pid, os.WNOHANG) == (0, 0):
            select.select([fd], [], [], 0.05)
            try:
                os.read(fd, 65536)
            except OSError:
                break
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)
    return first or float("nan"), done or float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = healthy_project(Path(tmp) / "project")
        env = bench_env(TERM="xterm-256color")
        common = ["--offline", "--project", str(project), "--python", sys.executable]
        tui_times: list[tuple[float, float]] = []

        def tui_first() -> float:
            tui_times.append(time_tui([*doctor_command(), *common], env))
            return tui_times[-1][0]

        trivial_app = [sys.executable, str(Path(__file__).with_name("trivial_app.py")), *common]
        medians = side_by_side(args.runs, {
            "llm-doctor check --offline": lambda: time_once([*doctor_command(), "check", *common], env),
            "TUI first frame": tui_first,
            "trivial Textual app": lambda: time_tui(trivial_app, env)[0],
        })
    import statistics

    medians["TUI all results shown"] = statistics.median(t[1] for t in tui_times[-args.runs:])  # not the warm-up
    for name, seconds in medians.items():
        print(f"{name:<28} median {seconds * 1000:7.1f} ms  ({args.runs} runs)")
    headless = medians["llm-doctor check --offline"]
    print(f"ratio TUI first frame / headless: {medians['TUI first frame'] / headless:.2f}  (target <= 1.50)")
    print(f"ratio TUI all results / headless: {medians['TUI all results shown'] / headless:.2f}")
    print(f"ratio trivial Textual app / headless: {medians['trivial Textual app'] / headless:.2f}  (the floor)")
    print(f"ratio TUI first frame / trivial Textual app: {medians['TUI first frame'] / medians['trivial Textual app']:.2f}"
          "  (what the app itself adds)")


if __name__ == "__main__":
    main()
