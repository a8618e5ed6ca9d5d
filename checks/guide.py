"""The sections of the beginner's guide (shared/reference/seed-guide.txt) that fixes point to,
and the small bits of shell knowledge several fixes share."""

from __future__ import annotations

from typing import Mapping

SETUP = "Prerequisites: setting up a clean environment"
FIRST_REQUEST = "Step 1: Send your first request with the openai SDK"
USAGE = "Step 2: Read the response and track your usage"
RAW_HTTP = "Step 3: See the raw HTTP call with httpx"
PARAMETERS = "Step 4: Tune the model's behaviour with parameters"
PARAMETER_REFERENCE = "Parameter reference"
TROUBLESHOOTING = "Troubleshooting common errors"
WORKED_EXAMPLE = "Worked example: a small, safe API client"


def shell_kind(environ: Mapping[str, str], platform: str) -> str:
    """Which shell syntax a copied command should use: "posix", "powershell" or "cmd"."""
    if platform.startswith("win"):
        return "powershell" if environ.get("PSModulePath") else "cmd"
    return "posix"


def activate_command(venv_dir: str, environ: Mapping[str, str], platform: str) -> str:
    """The line that activates `venv_dir` in the user's own shell."""
    kind = shell_kind(environ, platform)
    if kind == "powershell":
        return f"{venv_dir}\\Scripts\\Activate.ps1"
    if kind == "cmd":
        return f"{venv_dir}\\Scripts\\activate.bat"
    shell = environ.get("SHELL", "")
    if shell.endswith("fish"):
        return f"source {venv_dir}/bin/activate.fish"
    if shell.endswith("csh"):
        return f"source {venv_dir}/bin/activate.csh"
    return f"source {venv_dir}/bin/activate"


def unset_command(name: str, environ: Mapping[str, str], platform: str) -> str:
    """The line that removes a variable from the current shell session."""
    kind = shell_kind(environ, platform)
    if kind == "powershell":
        return f"Remove-Item Env:{name}"
    if kind == "cmd":
        return f"set {name}="
    if environ.get("SHELL", "").endswith("fish"):
        return f"set -e {name}"
    return f"unset {name}"
