"""git, asked questions about a project that may be hostile: it must never run the project's code.

A repository's own `.git/config` can name programs git runs on its behalf: an fsmonitor
hook, other hooks, a pager, an external diff, textconv filters, gpg for signatures. A
support engineer who runs the doctor on a user's repository must not run them. Every
call here overrides each of those on the command line (which beats any config file),
disables the pager, and sticks to plumbing that never touches the work tree's content
through filters. Output is capped and every call has a deadline (see doctor/process.py).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Mapping

from doctor.namedtuples import named_tuple
from doctor.process import CannotRun, Processes, run

GIT_TIMEOUT = 10.0
_NULL = "NUL" if os.name == "nt" else "/dev/null"

# `-c` settings beat every config file, the repository's included.
HARDENING = (
    "-c", "core.fsmonitor=false",
    "-c", f"core.hooksPath={_NULL}",
    "-c", "core.pager=cat",
    "-c", "pager.log=false",
    "-c", "diff.external=",
    "-c", "log.showSignature=false",
    "-c", "core.untrackedCache=false",
    "-c", "protocol.allow=never",
    "-c", "core.sshCommand=false",
    "-c", "credential.helper=",
    "--no-pager",
)
# Variables that would point git somewhere else or make it run something.
_DROPPED = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_EXTERNAL_DIFF", "GIT_PAGER", "GIT_EDITOR",
            "GIT_SSH", "GIT_SSH_COMMAND", "GIT_ASKPASS", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT",
            "GIT_TRACE", "GIT_TRACE2", "GIT_TRACE2_EVENT", "GIT_TRACE2_PERF", "GIT_OBJECT_DIRECTORY",
            "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES")
# Commands that can show file content: textconv and diff drivers are per-path, so they are
# turned off with flags rather than config.
_SHOWS_CONTENT = ("log", "diff", "show")


@named_tuple
class GitAnswer:
    code: int
    out: str
    err: str
    truncated: bool = False
    raw: bytes = b""  # stdout as bytes, for output that holds file contents (cat-file --batch)

    @property
    def ok(self) -> bool:
        return self.code == 0


def git_program(environ: Mapping[str, str]) -> str | None:
    return shutil.which("git", path=environ.get("PATH", os.defpath))


def git_environ(environ: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in environ.items() if k not in _DROPPED}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", LC_ALL="C", GIT_PAGER="cat", PAGER="cat",
               GIT_NO_REPLACE_OBJECTS="1")
    return env


async def git(project: Path, owner: Processes, environ: Mapping[str, str], *args: str,
              timeout: float = GIT_TIMEOUT, max_output: int | None = None, input: bytes | None = None,
              index_file: str | None = None) -> GitAnswer:
    """Runs one hardened git command in `project`; a timeout or a missing git is an answer, not an error.
    It never waits longer than the run's --timeout (`owner.timeout`), when that is shorter.
    `index_file`: the index to read instead of git's usual one (the caller has checked it is the repository's)."""
    timeout = min(timeout, owner.timeout or timeout)
    program = git_program(environ)
    if program is None:
        return GitAnswer(127, "", "git is not installed")
    if args and args[0] in _SHOWS_CONTENT:
        args = (args[0], "--no-textconv", "--no-ext-diff", *args[1:])
    argv = [program, *HARDENING, *args]
    extra: dict = {"max_output": max_output} if max_output else {}
    if input is not None:
        extra["input"] = input
    try:
        env = git_environ(environ) | ({"GIT_INDEX_FILE": index_file} if index_file else {})
        done = await run(argv, owner, timeout=timeout, env=env, cwd=str(project), **extra)
    except CannotRun as error:
        return GitAnswer(127, "", f"git cannot be run ({error})")
    if done.timed_out:
        return GitAnswer(124, "", f"git {args[0]} did not answer within {timeout:g} s")
    return GitAnswer(done.code or 0, done.text().strip(), done.text("stderr").strip(), done.truncated, done.stdout)


def split_batch(raw: bytes) -> list[bytes | None]:
    """The blobs of a `git cat-file --batch` answer, in request order (None for a missing one; the
    last one may be cut short by the output cap)."""
    blobs: list[bytes | None] = []
    position = 0
    while position < len(raw):
        end = raw.find(b"\n", position)
        if end < 0:
            break
        header = raw[position:end].split()
        position = end + 1
        if len(header) == 3 and header[2].isdigit():
            size = int(header[2])
            blobs.append(raw[position:position + size])
            position += size + 1
        else:
            blobs.append(None)  # "<object> missing"
    return blobs
