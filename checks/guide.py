"""The sections of the beginner's guide (shared/reference/seed-guide.txt) that fixes point to,
and the small bits of shell knowledge several fixes share."""

from __future__ import annotations

from typing import Mapping

SETUP = "Prerequisites: setting up a clean environment"
FIRST_REQUEST = "Step 1: Send your first request with the openai SDK"
USAGE = "Step 2: Read the response and track your usage"
RAW_HTTP = "Step 3: See the raw HTTP call with httpx"
PARAMETER_REFERENCE = "Parameter reference"
TROUBLESHOOTING = "Troubleshooting common errors"
WORKED_EXAMPLE = "Worked example: a small, safe API client"


# Copyable lines in each shell's own syntax.
_ACTIVATE = {
    "powershell": "{venv}\\Scripts\\Activate.ps1",
    "cmd": "{venv}\\Scripts\\activate.bat",
    "fish": "source {venv}/bin/activate.fish",
    "csh": "source {venv}/bin/activate.csh",
    "posix": "source {venv}/bin/activate",
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


def remove_command(path: str, environ: Mapping[str, str], platform: str) -> str:
    return _REMOVE.get(shell_kind(environ, platform), "rm {path}").format(path=path)
