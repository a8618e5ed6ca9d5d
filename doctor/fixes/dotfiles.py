"""The fixes for the files around the key: `.env` kept out of git, and `.env` made from its example."""

from __future__ import annotations

import os
from pathlib import Path

from doctor.fixes.plan import FilePlan, link_target, newline_of, read_editable

IGNORE_LINES = (".env", "/.env", ".env*", "*.env", ".env.*")


def gitignore_plan(project: Path) -> FilePlan | None:
    path = project / ".gitignore"
    editable, before = read_editable(path, project)
    if not editable:
        return None
    lines = [line.strip() for line in (before or "").splitlines()]
    if any(line in IGNORE_LINES for line in lines):
        return None
    newline = newline_of(before)
    text = before or ""
    if text and not text.endswith(("\n", "\r")):
        text += newline
    return FilePlan("Add .env to .gitignore", path, before, text + ".env" + newline, ("dotenv-gitignored",),
                    link_target(path, project))


def dotenv_plan(project: Path) -> FilePlan | None:
    """`.env` from `.env.example`, only when the example is plain text inside the project:
    a symlink out of it (to a private key, say) is never copied or shown."""
    example, target = project / ".env.example", project / ".env"
    if os.path.lexists(target):
        return None
    editable, text = read_editable(example, project)
    if not editable or text is None:
        return None
    return FilePlan("Create .env from .env.example (then put your real key in it)",
                    target, None, text, ("dotenv-present", "key-format"))
