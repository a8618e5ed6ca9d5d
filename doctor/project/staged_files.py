"""The project's files as staged for the next commit (`--staged`, the pre-commit hook).

A hook must judge what the commit will hold, not the working tree: a key staged with `git add`
and then deleted from the file is still committed, and a key typed after `git add` is not. So the
list is the index's entries under the project (`git ls-files --stage`) and each file's bytes are
its staged blob (`git cat-file --batch`, one process for all of them), through the hardened
doctor/git.py, capped as the working tree's files are (doctor/project/source_files.py).

While `git commit -a` or `git commit PATH` runs its hooks, the commit's content is in a
temporary index that git names in GIT_INDEX_FILE; that index is read when it lies inside the
repository's own git folder, and git's usual index otherwise.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from doctor.files import FileRead
from doctor.project.source_files import MAX_BYTES_PER_FILE, MAX_NOTEBOOK_BYTES, ProjectFiles, is_ours

if TYPE_CHECKING:
    from doctor.context import Context

LISTED_BY = "git's index (what is staged)"
_BLOB_MODES = ("100644", "100755")  # regular files; links and submodules hold no file content
MAX_STAGED_BYTES = 96 * 1024 * 1024
TOO_LARGE = "was not read: larger than the doctor reads"


async def staged_files(ctx: Context) -> ProjectFiles:
    """The staged files under the project with their staged bytes; an empty list outside git."""
    from doctor.git import git, split_batch

    index = await _commit_index(ctx)

    def ask(*args: str, **options):  # noqa: ANN202 - git's answer
        return git(ctx.project, ctx.processes, ctx.shell, *args, index_file=index, **options)

    listed = await ask("ls-files", "-z", "--stage", "--", ".", max_output=64 * 1024 * 1024)
    if not listed.ok or listed.truncated:
        return ProjectFiles(ctx.project, (), LISTED_BY)
    entries = []  # (path, object id), paths relative to the project
    for record in filter(None, listed.raw.decode("utf-8", "replace").split("\0")):
        mode, blob, stage_and_path = (record.split(" ", 2) + ["", ""])[:3]
        stage, _, path = stage_and_path.partition("\t")
        if mode in _BLOB_MODES and stage == "0" and path and is_ours(path):
            entries.append((path, blob))
    contents = await ask("cat-file", "--batch", input="".join(f"{blob}\n" for _, blob in entries).encode(),
                         max_output=MAX_STAGED_BYTES)
    blobs = split_batch(contents.raw) if contents.ok else []
    files = ProjectFiles(ctx.project, tuple(path for path, _ in entries), LISTED_BY)
    for (path, _), data in zip(entries, blobs + [None] * (len(entries) - len(blobs))):
        cap = MAX_NOTEBOOK_BYTES if path.endswith(".ipynb") else MAX_BYTES_PER_FILE
        if data is None:  # gone from the object store, or past the answer's cap
            files._read[path] = FileRead(ctx.project / path, "missing", None, "git did not give its staged content")
        elif len(data) > cap:
            files._read[path] = FileRead(ctx.project / path, "too-large", None, TOO_LARGE)
        else:
            files._read[path] = FileRead(ctx.project / path, "file", data)
    return files


async def _commit_index(ctx: Context) -> str | None:
    """The index file `git commit` names for its hooks, when it is the repository's own."""
    from doctor.git import git

    named = ctx.shell.get("GIT_INDEX_FILE")
    if not named:
        return None
    answer = await git(ctx.project, ctx.processes, ctx.shell, "rev-parse", "--absolute-git-dir")
    if not answer.ok:
        return None
    git_dir = Path(answer.out).resolve()
    index = Path(os.path.abspath(named)).resolve()  # relative to where git started the hook
    return str(index) if git_dir in index.parents and index.is_file() else None
