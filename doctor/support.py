"""The support bundle behind `llm-doctor report`: what a support engineer needs, with
nothing that a ticket must not hold.

It gathers the tool and rules version, the OS, the target interpreter and its relevant
packages, every check's result, the NAMES of the relevant variables with where each
came from, and timings. Keys appear only as prefix, last four and fingerprint; org and
project ids, `.env` values and the home folder are masked. A last scan refuses the
report if anything key-shaped slipped through.
"""

from __future__ import annotations

import platform
import re
import sys
from typing import Any, Callable

from doctor import __version__
from doctor.context import Context
from doctor.project.interpreter import RELEVANT_DISTRIBUTIONS
from doctor.model import NotFinished, Report
from doctor.redact import KEY_SHAPES, escape_controls, mask

RELEVANT_VARIABLES = (
    "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "OPENAI_ADMIN_KEY",
    "OPENAI_API_BASE", "OPENAI_ORGANIZATION", "OPENAI_API_TYPE", "OPENAI_API_VERSION", "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_API_KEY", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy",
    "NO_PROXY", "no_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "VIRTUAL_ENV",
    "PYTHON_DOTENV_DISABLED", "TIKTOKEN_CACHE_DIR",
)
_IDS = re.compile(r"\b(org-[A-Za-z0-9]{8,}|proj_[A-Za-z0-9]{8,})")
_MARKER = re.compile(r"T3BlbkFJ")


class LeakError(Exception):
    """The finished report still holds something shaped like a secret; it is not written."""


def variables(ctx: Context) -> list[dict[str, Any]]:
    """Each relevant variable that is set: its name and where it comes from, never its value."""
    rows = []
    unread = ctx.dotenv.unfinished  # a .env not read in time: its names are not known, and it says so below
    for name in RELEVANT_VARIABLES:
        shell, dotenv = ctx.shell_value(name), None if unread else ctx.dotenv_value(name)
        if shell is None and dotenv is None:
            continue
        sources = (["shell"] if shell else []) + ([f".env line {dotenv.line}"] if dotenv else [])
        row: dict[str, Any] = {"name": name, "sources": sources}
        if shell and dotenv and shell.value != dotenv.value:
            row["note"] = "the shell's value wins over .env, and they differ"
        if name == "OPENAI_API_KEY":
            row["key"] = mask((shell or dotenv).value)
        rows.append(row)
    if unread:
        rows.append({"name": ctx.dotenv.shown, "sources": [], "note": unread})
    return rows


def _setting(ctx: Context, read: Callable[[], str]) -> str:
    """A setting `.env` may hold, or that it is not known (`.env` not read in time: its row says why)."""
    try:
        return read()
    except NotFinished:
        return f"not known ({ctx.dotenv.shown} was not read in time)"


def gather(ctx: Context, report: Report) -> dict[str, Any]:
    """The bundle as data; `render_markdown` and `json.dumps` both read this."""
    from doctor.render import json as json_render

    facts = ctx.interpreter_facts
    packages = {name: facts.installed(name) for name in RELEVANT_DISTRIBUTIONS} if facts and not facts.error else {}
    clean = ctx.redactor.clean
    return {
        "schema_version": 1,
        "tool": {"name": "llm-doctor", "version": __version__, "rules": __version__},
        "system": {"os": platform.platform(), "doctor_python": sys.version.split()[0]},
        "interpreter": {
            "path": clean(str(ctx.target.path)), "chosen_from": ctx.target.source,
            "version": facts.version_text if facts else None, "venv": facts.is_venv if facts else None,
            "error": clean(facts.error) if facts and facts.error else None,
            "packages": {k: clean(v) for k, v in packages.items() if v},
        },
        "settings": {"model": clean(_setting(ctx, lambda: ctx.model)),
                     "base_url": clean(_setting(ctx, lambda: ctx.base_url.value.strip())),
                     "base_url_from": _setting(ctx, lambda: ctx.base_url.source), "timeout_s": ctx.timeout},
        "variables": variables(ctx),
        "suppressions": {"skip": dict(ctx.config.skip), "warn": dict(ctx.config.warn)},
        "report": json_render.to_dict(report),
    }


SHOWN_ERROR = 16 * 1024  # of a long paste, the bundle shows its start and its end


def user_error(text: str) -> dict[str, Any]:
    """The error the user saw and its explanation: the first thing a support engineer asks for. The text
    is cut to its start and end; `scrub` redacts it with the rest of the bundle."""
    from checks.explain import explain
    from doctor.render.explanation import to_dict

    shown = text if len(text) <= SHOWN_ERROR else text[: SHOWN_ERROR // 4] + "\n…\n" + text[-SHOWN_ERROR * 3 // 4:]
    return {"text": shown.strip("\n"), "explanation": to_dict(explain(text))}


def _user_error_lines(section: dict[str, Any]) -> list[str]:
    said = section["explanation"]
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", section["text"])), default=0))
    lines = ["## The error the user saw", "", fence + "text", section["text"], fence, "",
             f"**Explained:** `{said['code']}` {said['title']} (confidence: {said['confidence']})", ""]
    if said["cause"]:
        lines += [f"- **Why:** {said['cause']}"]
    if said["fix"]:
        lines += [f"- **Fix:** {said['fix']['summary']}" + (f" (guide: \"{said['fix']['guide']}\")"
                                                           if said["fix"].get("guide") else "")]
    if said["alternatives"]:
        lines += ["- **Also possible:** " + ", ".join(f"`{a['code']}`" for a in said["alternatives"])]
    if said.get("other_errors"):
        lines += ["- **Other errors in it:** " + ", ".join(f"`{a['code']}`" for a in said["other_errors"])]
    return lines + [""]


def render_markdown(bundle: dict[str, Any], checks_markdown: str) -> str:
    interp, settings = bundle["interpreter"], bundle["settings"]
    lines = [
        "# llm-doctor support report", "",
        *(_user_error_lines(bundle["user_error"]) if "user_error" in bundle else []),
        f"- **llm-doctor** {bundle['tool']['version']} (rules {bundle['tool']['rules']})",
        f"- **OS** {bundle['system']['os']}; the doctor runs on Python {bundle['system']['doctor_python']}",
        f"- **Project Python** `{interp['path']}` ({interp['chosen_from']}): {interp['version']}, "
        f"{'a venv' if interp['venv'] else 'not a venv'}" + (f" — error: {interp['error']}" if interp["error"] else ""),
        "- **Packages** " + (", ".join(f"{k} {v}" for k, v in interp["packages"].items()) or "unknown"),
        f"- **Model** `{settings['model']}`, **base URL** `{settings['base_url']}` ({settings['base_url_from']}), "
        f"**timeout** {settings['timeout_s']:g} s", "",
        "## Variables (names and sources only)", "",
        "| variable | set in | note |", "|---|---|---|",
    ]
    for row in bundle["variables"]:
        note = " ".join(x for x in (row.get("key", ""), row.get("note", "")) if x)
        lines.append(f"| `{row['name']}` | {', '.join(row['sources'])} | {note} |")
    if not bundle["variables"]:
        lines.append("| (none set) | | |")
    suppressions = bundle["suppressions"]
    if suppressions["skip"] or suppressions["warn"]:
        lines += ["", "## Project settings that change results", ""]
        lines += [f"- skips `{k}`: {v}" for k, v in suppressions["skip"].items()]
        lines += [f"- counts `{k}` as a warning: {v}" for k, v in suppressions["warn"].items()]
    lines += ["", "## Checks", "", checks_markdown, ""]
    return "\n".join(lines)


def scrub(text: str, ctx: Context) -> str:
    """Everything a ticket must not hold: secrets (via the run's redactor), ids, the home folder,
    and control characters other than line breaks."""
    text = escape_controls(text, keep_newlines=True)
    text = _IDS.sub(lambda m: m.group(1)[:4] + "…" + m.group(1)[-3:], ctx.redactor.redact(text))
    home = ctx.shell.get("HOME") or ctx.shell.get("USERPROFILE")
    if home and len(home) > 1:
        text = text.replace(home.rstrip("/\\"), "~")
    return text


def assert_clean(text: str, ctx: Context) -> None:
    """Raises LeakError if anything key-shaped, or any window of a known secret in any of its
    encoded forms, is still in `text`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if KEY_SHAPES.search(line) or _MARKER.search(line) or ctx.redactor.holds_secret(line):
            raise LeakError(f"line {number} of the report still looks like it holds a key")
