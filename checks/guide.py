"""The first-day guide (docs/guide.md) and the pages that explain each code (docs/codes/),
as every fix and every front end names them; and the bits of shell knowledge fixes share.

A fix's `guide` is the title of one section of docs/guide.md, and `section_link` turns it into
the link the reports print, so a test can prove that every fix leads somewhere that exists.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping

SETUP = "Set up the project"
FIRST_REQUEST = "Make the first call"
USAGE = "Read the reply and what it cost"
RAW_HTTP = "The same call over raw HTTP"
PARAMETER_REFERENCE = "Parameters"
TROUBLESHOOTING = "Troubleshooting"
WORKED_EXAMPLE = "A small client you can keep"
SECTIONS = (SETUP, FIRST_REQUEST, USAGE, RAW_HTTP, PARAMETER_REFERENCE, TROUBLESHOOTING, WORKED_EXAMPLE)

GUIDE_PAGE = "docs/guide.md"  # paths relative to llm-doctor's own repository
CODES_FOLDER = "docs/codes"
_REPOSITORY = Path(__file__).resolve().parents[1]
_NOT_IN_ANCHORS = re.compile(r"[^\w\- ]")


def anchor(heading: str) -> str:
    """The fragment GitHub (and most Markdown renderers) give a heading: lower case, punctuation
    dropped, spaces made hyphens."""
    return _NOT_IN_ANCHORS.sub("", heading.strip().lower()).replace(" ", "-")


def section_link(title: str) -> str:
    """The guide's section of that title, as a path in llm-doctor's repository with its anchor."""
    return f"{GUIDE_PAGE}#{anchor(title)}"


def code_page(code: str) -> str:
    """The page that explains a diagnosis code, as a path in llm-doctor's repository."""
    return f"{CODES_FOLDER}/{code}.md"


def readable(link: str) -> str:
    """A docs link as a person can open it: the file itself when this copy of llm-doctor carries its
    docs (a clone or an editable install), else the path inside llm-doctor's repository."""
    path, _, fragment = link.partition("#")
    local = _REPOSITORY / path
    if not local.is_file():
        return link
    return str(local) + (f"#{fragment}" if fragment else "")


# Copyable lines in each shell's own syntax.
_ACTIVATE = {
    "powershell": "{venv}\\Scripts\\Activate.ps1",
    "cmd": "{venv}\\Scripts\\activate.bat",
    "fish": "source {venv}/bin/activate.fish",
    "csh": "source {venv}/bin/activate.csh",
    "posix": ". {venv}/bin/activate",  # `.`, not bash's `source`: dash (Debian's sh) has no `source`
}
_UNSET = {
    "powershell": "Remove-Item Env:{name}",
    "cmd": "set {name}=",
    "fish": "set -e {name}",
    "csh": "unsetenv {name}",
    "posix": "unset {name}",
}
_COPY = {"powershell": "Copy-Item {src} {dst}", "cmd": "copy {src} {dst}"}
_REMOVE = {"powershell": "Remove-Item {path}", "cmd": "del {path}"}


def shell_kind(environ: Mapping[str, str], platform: str) -> str:
    """Which shell the user types into: "powershell", "cmd", "fish", "csh" or "posix"."""
    if platform.startswith("win"):
        return "powershell" if environ.get("PSModulePath") else "cmd"
    shell = environ.get("SHELL", "")
    return next((kind for kind in ("fish", "csh") if shell.endswith(kind)), "posix")


def activate_command(venv_dir: str, environ: Mapping[str, str], platform: str) -> str:
    """The line that activates `venv_dir` in the user's own shell."""
    return _ACTIVATE[shell_kind(environ, platform)].format(venv=venv_dir)


def unset_command(name: str, environ: Mapping[str, str], platform: str) -> str:
    """The line that removes a variable from the current shell session."""
    return _UNSET[shell_kind(environ, platform)].format(name=name)


def copy_command(src: str, dst: str, environ: Mapping[str, str], platform: str) -> str:
    return _COPY.get(shell_kind(environ, platform), "cp {src} {dst}").format(src=src, dst=dst)


def ignore_command(name: str) -> str:
    """The line that adds `name` to .gitignore on a line of its own, even when the file does not end with a
    newline (`echo >>` would then glue it to the last pattern, `.venv/.env`, and neither would match)."""
    import shlex

    return f"printf '\\n%s\\n' {shlex.quote(name)} >> .gitignore"


def remove_command(path: str, environ: Mapping[str, str], platform: str) -> str:
    return _REMOVE.get(shell_kind(environ, platform), "rm {path}").format(path=path)
