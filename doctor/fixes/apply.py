"""Applying a plan: the backup, the atomic write, then the commands that follow it.

The backup is written (atomically too) before the file is touched, so a full disk leaves
the old file and no truncated backup. Applying checks that the file still holds what was
previewed, so a file edited in the meantime is never overwritten. A command that fails
after the edit raises CommandFailed, whose message says what changed, what failed, and
how to finish or undo it: the user is never left guessing what state the project is in.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from pathlib import Path
from typing import Mapping

from doctor.atomic import ensure_within, write_bytes_atomically, write_text_atomically
from doctor.fixes.plan import Command, CommandFailed, FilePlan, StaleFix, read_editable

COMMAND_SECONDS = 900.0  # an install from the registry on a slow line
SHOWN_ERROR_LINES = 3


def backup_folder(project: Path, environ: Mapping[str, str] | None = None) -> Path:
    """Where backups go, out of `git status`: inside `.git/` in a repository, else a user cache folder."""
    git_dir = project / ".git"
    if git_dir.is_dir() and not git_dir.is_symlink():
        return git_dir / "llm-doctor-backups"
    environ = os.environ if environ is None else environ
    cache = environ.get("XDG_CACHE_HOME") or os.path.join(environ.get("HOME") or str(Path.home()), ".cache")
    digest = hashlib.sha256(str(project.resolve()).encode()).hexdigest()[:12]
    return Path(cache) / "llm-doctor" / "backups" / f"{project.name}-{digest}"


def shown_path(path: Path, project: Path, environ: Mapping[str, str] | None = None) -> str:
    """A path as the user can find it: relative to the project when inside it, `~` for the home folder."""
    try:
        return str(path.relative_to(project))
    except ValueError:
        home = (os.environ if environ is None else environ).get("HOME")
        text = str(path)
        return "~" + text[len(home):] if home and text.startswith(home.rstrip("/") + "/") else text


def apply(plan: FilePlan, project: Path | None = None, environ: Mapping[str, str] | None = None) -> Path | None:
    """Writes the planned text atomically, then runs the plan's commands from the project folder;
    returns the backup of the old file, if there was one."""
    project = project or plan.path.parent
    editable, current = read_editable(plan.path, project)
    if not editable or current != plan.before:
        raise StaleFix(f"{plan.path.name} changed after the preview; nothing was written")
    backup = _write(plan, project, environ) if plan.edits else None
    for done, command in enumerate(plan.then):
        ended = run_command(command, project, environ)
        if ended is not None:
            raise CommandFailed(_failure(plan, command, ended, backup, plan.then[done + 1:], project, environ))
    return backup


def _write(plan: FilePlan, project: Path, environ: Mapping[str, str] | None) -> Path | None:
    written = plan.written
    backup = None
    if plan.before is not None:
        folder = backup_folder(project, environ)
        ensure_within(folder / "backup", project)  # a `.git/llm-doctor-backups` symlink leads elsewhere
        folder.mkdir(parents=True, exist_ok=True)
        backup = folder / f"{plan.path.name}.{time.strftime('%Y%m%d-%H%M%S')}"
        serial = 1
        while backup.exists():
            serial += 1
            backup = folder / f"{plan.path.name}.{time.strftime('%Y%m%d-%H%M%S')}.{serial}"
        write_bytes_atomically(backup, plan.before.encode("utf-8"), 0o600, within=project)
    # An existing file keeps its permissions; a new .env is private to its owner.
    mode = stat.S_IMODE(written.stat().st_mode) if plan.before is not None else \
        0o600 if plan.path.name == ".env" else 0o644
    write_text_atomically(written, plan.after, mode, within=project)
    return backup


def run_command(command: Command, project: Path, environ: Mapping[str, str] | None) -> str | None:
    """Runs one command to its end from the project folder; None when it succeeded, else how it ended.

    It runs in a thread of its own when called from an event loop (the terminal app's), since
    the run's processes are owned by asyncio.
    """
    import asyncio

    from doctor.process import CannotRun, Processes, run

    async def go() -> str | None:
        try:
            done = await run(command.argv, Processes(), timeout=COMMAND_SECONDS, cwd=str(project),
                             env=dict(environ) if environ is not None else None)
        except CannotRun as error:
            return f"could not start: {error}"
        if done.timed_out:
            return f"stopped after {COMMAND_SECONDS:g} s"
        if done.code == 0:
            return None
        said = [line for line in (done.text("stderr") or done.text()).splitlines() if line.strip()]
        return f"exit {done.code}" + (": " + " / ".join(said[-SHOWN_ERROR_LINES:]) if said else "")

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(go())
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, go()).result()


def _failure(plan: FilePlan, command: Command, ended: str, backup: Path | None, skipped: tuple[Command, ...],
             project: Path, environ: Mapping[str, str] | None) -> str:
    changed = (f"{plan.path.name} was changed (the old file is kept as {shown_path(backup, project, environ)})"
               if backup else f"{plan.path.name} was written" if plan.edits else "no file was changed")
    rest = f"; not run: {', '.join(c.shown for c in skipped)}" if skipped else ""
    return (f"{changed}, then `{command.shown}` failed ({ended}){rest}. The environment may be partly updated: "
            f"fix the cause and run `{command.shown}` again"
            + (", or put the old file back from its backup." if backup else "."))
