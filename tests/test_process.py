"""Child processes never outlive the run: cancelled while spawning, while running, or at a deadline."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest

from doctor.process import Processes, run, spawn

pytestmark = pytest.mark.skipif(os.name != "posix", reason="reads /proc and process groups")


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def children() -> list[int]:
    """This process's live children."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid() and fields[0] != "Z":
                found.append(int(entry))
    return found


def sleeper(pid_file: Path, *, grandchild: bool = False) -> list[str]:
    """A child that records its pid (and its own child's) and sleeps for a minute."""
    code = (
        "import os, subprocess, sys, time\n"
        "pids = [os.getpid()]\n"
        + ("pids.append(subprocess.Popen(['sleep', '60']).pid)\n" if grandchild else "")
        + f"open({str(pid_file)!r}, 'w').write(' '.join(map(str, pids)))\n"
        "time.sleep(60)\n"
    )
    return [sys.executable, "-c", code]


def recorded(pid_file: Path, wait: float = 5.0) -> list[int]:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if pid_file.exists() and pid_file.read_text().strip():
            return [int(p) for p in pid_file.read_text().split()]
        time.sleep(0.02)
    return []


@pytest.mark.parametrize("yields", [0, 1, 2, 5, 20])
def test_a_spawn_cancelled_at_any_moment_leaves_no_child(yields, tmp_path):
    owner = Processes()

    async def scenario():
        task = asyncio.ensure_future(spawn(sleeper(tmp_path / "pid"), owner))
        for _ in range(yields):
            await asyncio.sleep(0)
        task.cancel()  # it may have finished already: then the owner holds the child
        try:
            await task
        except asyncio.CancelledError:
            pass
        await owner.kill_all()

    start = time.monotonic()
    asyncio.run(asyncio.wait_for(scenario(), 10))
    assert time.monotonic() - start < 5
    assert children() == []


def test_kill_all_ends_a_spawned_child_and_its_children(tmp_path):
    owner = Processes()

    async def scenario():
        await spawn(sleeper(tmp_path / "pid", grandchild=True), owner, stdin=True)
        pids = await asyncio.to_thread(recorded, tmp_path / "pid")
        await owner.kill_all()
        return pids

    pids = asyncio.run(scenario())
    assert len(pids) == 2
    time.sleep(0.2)
    assert not any(alive(pid) for pid in pids)


def test_run_kills_the_process_group_at_its_deadline(tmp_path):
    owner = Processes()
    start = time.monotonic()
    done = asyncio.run(run(sleeper(tmp_path / "pid", grandchild=True), owner, timeout=1.0))
    assert done.timed_out and done.code is None
    assert time.monotonic() - start < 4
    time.sleep(0.2)
    assert not any(alive(pid) for pid in recorded(tmp_path / "pid", wait=0))
    assert not owner.alive


def test_run_cancelled_midway_kills_the_child(tmp_path):
    owner = Processes()

    async def scenario():
        task = asyncio.ensure_future(run(sleeper(tmp_path / "pid"), owner, timeout=60))
        await asyncio.to_thread(recorded, tmp_path / "pid")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(asyncio.wait_for(scenario(), 10))
    assert not any(alive(pid) for pid in recorded(tmp_path / "pid", wait=0))
    assert children() == []


def test_run_caps_the_output_it_keeps():
    flood = [sys.executable, "-c", "import sys\nfor _ in range(200): sys.stdout.write('x' * 65536)"]
    done = asyncio.run(run(flood, Processes(), timeout=30, max_output=100_000))
    assert done.code == 0 and done.truncated and len(done.stdout) == 100_000


def test_a_run_abandoned_midway_leaves_no_process(tmp_path):
    """The runner's consumer stops after the first result (a TUI quit, an interrupted CI job):
    a check's warm-up process and a check still spawning are both gone once the context closes."""
    from doctor.model import Result, Status, check
    from doctor.runner import Finished, run as run_checks
    from tests.conftest import make_ctx, write_project

    ctx = make_ctx(write_project(tmp_path / "p"))

    def warm(ctx):
        ctx.cache["warm"] = ctx.background(spawn(sleeper(tmp_path / "warm.pid"), ctx.processes, stdin=True))

    @check("warmed", title="w", group="Environment", codes=(), needs=("first",), warmup=warm)
    async def warmed(ctx):
        await asyncio.sleep(30)
        return Result(Status.PASS, "never")

    @check("spawning", title="s", group="Environment", codes=())
    async def spawning(ctx):
        await spawn(sleeper(tmp_path / "spawning.pid"), ctx.processes)
        await asyncio.sleep(30)
        return Result(Status.PASS, "never")

    @check("first", title="f", group="Environment", codes=())
    async def first(ctx):
        await asyncio.sleep(0.3)
        return Result(Status.FAIL, "failed", code="x")

    async def scenario():
        try:
            async for event in run_checks([first, warmed, spawning], ctx):
                if isinstance(event, Finished):
                    break
        finally:
            await ctx.aclose()

    start = time.monotonic()
    asyncio.run(asyncio.wait_for(scenario(), 15))
    assert time.monotonic() - start < 5
    time.sleep(0.2)
    assert children() == []
