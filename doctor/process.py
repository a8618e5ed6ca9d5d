"""Other programs the doctor runs (the project's Python, git, a project's tool): none outlives the run.

Why this module exists: cancelling `asyncio.create_subprocess_exec` while it is still
spawning leaves the event loop waiting for a child that nobody will reap, so a run
whose sample call was skipped never ended. Here a spawn is shielded from cancellation
until the child exists; then the child, and every process it started (each child leads
its own process group), is killed and reaped. Every child is registered with a
`Processes` owner as soon as it exists, so the owner can kill whatever is left when the
run ends, whatever was cancelled when.

Output is read with a cap, and every run has a deadline, so a program that floods its
output or never exits costs bounded memory and time.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from doctor.namedtuples import named_tuple

MAX_OUTPUT_BYTES = 1024 * 1024
REAP_SECONDS = 5.0  # after SIGKILL a process is gone at once; this only bounds a zombie's wait
_POSIX = os.name == "posix"


@named_tuple
class Completed:
    """How a program ended. `code` is None when it was killed at its deadline."""

    code: int | None
    stdout: bytes
    stderr: bytes
    timed_out: bool = False
    truncated: bool = False

    def text(self, stream: str = "stdout") -> str:
        return getattr(self, stream).decode("utf-8", "replace")


class CannotRun(Exception):
    """The program could not be started at all (missing, not executable, not a program)."""


@dataclass
class Processes:
    """The children of one run: killed, with their process groups, when the run closes."""

    alive: set[asyncio.subprocess.Process] = field(default_factory=set)
    timeout: float | None = None  # the run's --timeout: questions to git wait no longer than it

    async def kill_all(self) -> None:
        for process in list(self.alive):
            await stop(process)
        self.alive.clear()


def kill(process: asyncio.subprocess.Process) -> None:
    """SIGKILL to the child's whole process group (POSIX), or to the child alone (Windows)."""
    if process.returncode is not None:
        return
    try:
        if _POSIX:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except (ProcessLookupError, PermissionError, OSError):
        try:
            process.kill()
        except ProcessLookupError:
            pass


async def stop(process: asyncio.subprocess.Process) -> None:
    """Kills and reaps a child, and closes its stdin; safe to call twice and from a cancelled task.

    An open stdin pipe keeps the child's transport open after the child is gone; it is then
    closed by the garbage collector after the event loop, which prints "Event loop is closed"
    on the user's terminal when they quit the app mid-run.
    """
    kill(process)
    if process.stdin is not None:
        process.stdin.close()
    try:
        await asyncio.shield(asyncio.wait_for(process.wait(), REAP_SECONDS))
    except (asyncio.TimeoutError, TimeoutError, asyncio.CancelledError, ProcessLookupError):
        pass


async def spawn(argv: Sequence[str], owner: Processes, *, env: Mapping[str, str] | None = None,
                cwd: str | None = None, stdin: bool = False, line_limit: int = 64 * 1024) -> asyncio.subprocess.Process:
    """Starts a child in its own process group, registered with `owner` before anyone can cancel it.

    A cancellation that arrives while the child is being created waits for the creation
    to finish, kills the new child, and is then re-raised. `line_limit` bounds one line
    read with `readline()`: a longer one raises ValueError there.
    """
    pipe = asyncio.subprocess.PIPE
    creating = asyncio.ensure_future(asyncio.create_subprocess_exec(
        *argv, stdin=pipe if stdin else asyncio.subprocess.DEVNULL, stdout=pipe, stderr=pipe,
        env=dict(env) if env is not None else None, cwd=cwd, start_new_session=_POSIX, limit=line_limit,
        **({"creationflags": 0x00000200} if sys.platform == "win32" else {}),  # CREATE_NEW_PROCESS_GROUP
    ))
    try:
        process = await asyncio.shield(creating)
    except asyncio.CancelledError:
        try:
            process = await creating
        except Exception:  # noqa: BLE001 - it never started; nothing to clean up
            raise asyncio.CancelledError from None
        await stop(process)
        raise
    except (OSError, ValueError) as error:
        raise CannotRun(error.strerror if isinstance(error, OSError) and error.strerror else str(error)) from None
    owner.alive.add(process)
    return process


async def _read_capped(stream: asyncio.StreamReader | None, cap: int) -> tuple[bytes, bool]:
    """Reads until EOF, keeping at most `cap` bytes; the rest is drained so the child never blocks."""
    if stream is None:
        return b"", False
    kept, truncated = bytearray(), False
    while chunk := await stream.read(65536):
        room = cap - len(kept)
        if room > 0:
            kept += chunk[:room]
        if len(chunk) > room:
            truncated = True
    return bytes(kept), truncated


async def _feed(stream: asyncio.StreamWriter | None, data: bytes) -> None:
    if stream is None:
        return
    try:
        stream.write(data)
        await stream.drain()
        stream.close()
    except (BrokenPipeError, ConnectionResetError):
        pass  # the program stopped reading: its exit status says why


async def run(argv: Sequence[str], owner: Processes, *, timeout: float, env: Mapping[str, str] | None = None,
              cwd: str | None = None, max_output: int = MAX_OUTPUT_BYTES, input: bytes | None = None) -> Completed:
    """Runs a program to its end or its deadline, with capped output; the child never outlives it.
    `input` is written to its stdin, which is then closed."""
    process = await spawn(argv, owner, env=env, cwd=cwd, stdin=input is not None)
    tasks = [asyncio.ensure_future(_feed(process.stdin, input)) if input is not None else asyncio.ensure_future(
             asyncio.sleep(0)),
             asyncio.ensure_future(_read_capped(process.stdout, max_output)),
             asyncio.ensure_future(_read_capped(process.stderr, max_output)),
             asyncio.ensure_future(process.wait())]
    try:
        _, pending = await asyncio.wait(tasks, timeout=timeout)
        if pending:
            return Completed(None, b"", b"", timed_out=True)
        _, (out, out_cut), (err, err_cut), code = (t.result() for t in tasks)
        return Completed(code, out, err, truncated=out_cut or err_cut)
    finally:
        for task in tasks:
            task.cancel()
        await stop(process)
        await asyncio.gather(*tasks, return_exceptions=True)
        owner.alive.discard(process)
