"""Copying for the user, and knowing whether it worked.

Textual's `App.copy_to_clipboard` keeps the text for the app's own paste and writes an OSC 52
escape sequence to the terminal, nothing more: the terminal may set its clipboard, or ignore
the sequence without a word (tmux does unless `set-clipboard on`, and so do many terminals).
So OSC 52 alone never justifies saying "copied". A copy counts as done only when a program
took the text and said so: inside tmux, tmux's paste buffer (`load-buffer -w` also passes it on
to the outer terminal); on this machine, its clipboard tool. Over SSH this machine's clipboard
is the wrong one, so OSC 52 is all there is.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from typing import Mapping, Sequence

from doctor.namedtuples import named_tuple

TIMEOUT_SECONDS = 2.0


@named_tuple
class Route:
    """A program that takes the text on stdin, and where the text then is, in words."""

    command: Sequence[str]
    where: str


def routes(environ: Mapping[str, str]) -> list[Route]:
    """The programs to try, in order; none over SSH (outside tmux)."""
    if environ.get("TMUX"):
        return [Route(("tmux", "load-buffer", "-w", "-"), "tmux's paste buffer"),
                Route(("tmux", "load-buffer", "-"), "tmux's paste buffer")]  # tmux before 3.2 has no -w
    if environ.get("SSH_TTY") or environ.get("SSH_CONNECTION"):
        return []
    candidates = [("pbcopy",), ("clip.exe",)]
    if environ.get("WAYLAND_DISPLAY"):
        candidates.append(("wl-copy",))
    if environ.get("DISPLAY"):
        candidates += [("xclip", "-selection", "clipboard"), ("xsel", "--clipboard", "--input")]
    return [Route(c, "the clipboard") for c in candidates]


async def copy(text: str, environ: Mapping[str, str]) -> str | None:
    """Where the text was copied to, or None when no program took it."""
    for route in routes(environ):
        program = shutil.which(route.command[0], path=environ.get("PATH"))
        if program is not None and await _feed([program, *route.command[1:]], text, environ):
            return route.where
    return None


async def _feed(command: list[str], text: str, environ: Mapping[str, str]) -> bool:
    """Runs `command` with `text` on stdin; True when it exits 0 in time. Its output is not read: xclip
    and wl-copy leave a process behind to serve the selection, holding any pipe open."""
    try:
        process = await asyncio.create_subprocess_exec(*command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                                       stderr=subprocess.DEVNULL, env=dict(environ))
    except OSError:
        return False
    try:
        await asyncio.wait_for(process.communicate(text.encode()), TIMEOUT_SECONDS)
    except asyncio.TimeoutError:
        process.kill()
        await process.wait()
        return False
    return process.returncode == 0
