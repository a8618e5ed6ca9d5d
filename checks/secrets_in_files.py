"""secrets-in-files: no key of any provider is written in a file git would share, or was in a commit.

The files are the ones git would share: tracked, or untracked and not ignored (outside git,
every file of the project but tool folders and environments). A key in a notebook counts in
its code and in its saved outputs (`%env OPENAI_API_KEY=...` prints it). The project's own
`.env` is dotenv-gitignored's to judge. A match must look like a key a provider issues and
carry a key's randomness (doctor/project/secrets.py): `sk-...`, `sk-your-key-here` and test
dummies are not keys. Keys are only ever shown masked, and every key found is added to the
run's redactor, so no later output can show it either.

The history is read within a budget: the newest MAX_COMMITS commits of every branch, at most
HISTORY_BYTES of their patches, and the result says what was covered.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from doctor.model import Finding, Result, Status, check, from_findings, skipped

if TYPE_CHECKING:
    from doctor.context import Context
    from doctor.project.secrets import SecretHit
    from doctor.project.source_files import ProjectFiles

MAX_COMMITS = 300
HISTORY_BYTES = 16 * 1024 * 1024
HISTORY_TIMEOUT_S = 8.0
# Bytes every key shape starts with (or, for Azure, a variable that says so): a file without
# any of them is not decoded or searched.
_MARKERS = (b"sk-", b"gsk_", b"xai-", b"AIzaSy", b"pplx-", b"hf_", b"ghp_", b"gho_", b"ghu_", b"ghs_", b"ghr_",
            b"github_pat_", b"AKIA", b"ASIA", b"eyJ", b"azure", b"AZURE", b"Azure")


@dataclass(frozen=True)
class Leak:
    path: str
    line: int
    column: int
    hit: SecretHit


@check(
    "secrets-in-files",
    title="No keys written in the project's files",
    group="Secrets",
    codes=("key-hardcoded", "key-in-history"),
)
async def secrets_in_files(ctx: Context) -> Result:
    """What it checks: no API key of any provider (OpenAI, Anthropic, Groq, OpenRouter,
    Google, Azure, GitHub tokens, AWS keys, JWT bearer tokens) is written in a file git would
    share: code, notebooks and their outputs, `.env.*` variants, config files, Dockerfiles;
    and none was committed in the repository's recent history.

    Why it fails: a key in a shared file reaches everyone who gets the file, and bots scan
    public repositories for keys within minutes. Deleting it later leaves it in history.

    How to fix: move the key to `.env` (ignored by git), read it with load_dotenv(), and
    revoke every key that was ever committed.
    """
    from checks.catalogue import CATALOGUE
    from doctor.project.source_files import project_files
    from doctor.redact import fingerprint

    files = await project_files(ctx)
    if not files.paths:
        return skipped("the project has no files to search yet")
    skip = {ctx.dotenv.shown} if ctx.dotenv.exists else set()
    leaks, unread = await asyncio.to_thread(scan_files, files, skip)
    in_use = _fingermarkin_use(ctx)
    findings = [_finding(leak, "key-hardcoded", in_use, CATALOGUE["key-hardcoded"].fix) for leak in leaks]
    details = [f"searched {len(files.paths)} files listed by {files.listed_by}"]
    if unread:
        details.append(f"not searched: {unread} files larger than the doctor reads")
    current = {fingerprint(leak.hit.value) for leak in leaks}
    if files.listed_by == "git":
        history, covered = await _history(ctx, current | _dotenv_fingerprints(ctx))
        details.append(covered)
        findings += [_finding(leak, "key-in-history", in_use, CATALOGUE["key-in-history"].fix, commit)
                     for leak, commit in history]
    for leak in leaks:
        ctx.redactor.add(leak.hit.value)
    return from_findings(findings, "no key is written in the project's files or its recent history",
                         details=details)


def scan_files(files: ProjectFiles, skip: set[str]) -> tuple[list[Leak], int]:
    """Every key in the listed files, and how many files were too large to search."""
    from doctor.project.secrets import find_secrets, line_of

    leaks: list[Leak] = []
    unread = 0
    for path in files.paths:
        if path in skip:
            continue
        found = files.read(path)
        if found.kind == "too-large":
            unread += 1
        data = found.data
        if not data or b"\0" in data[:8192] or not any(marker in data for marker in _MARKERS):
            continue
        text = data.decode("utf-8", "replace")
        for hit in find_secrets(text):
            line, column = line_of(text, hit.start)
            leaks.append(Leak(path, line, column, hit))
    return leaks, unread


def _fingermarkin_use(ctx: Context) -> str | None:
    from doctor.redact import fingerprint

    key = ctx.api_key
    return fingerprint(key.value.strip()) if key and key.value.strip() else None


def _dotenv_fingerprints(ctx: Context) -> set[str]:
    """Secrets of the project's .env: dotenv-gitignored reports those, in its history too."""
    from doctor.redact import fingerprint

    return {fingerprint(e.value.strip()) for e in ctx.dotenv.entries if e.value and e.value.strip()} \
        if ctx.dotenv.readable else set()


def _finding(leak: Leak, code: str, in_use: str | None, fix, commit: str | None = None) -> Finding:  # noqa: ANN001
    from doctor.redact import fingerprint, mask

    which = "the key in use" if fingerprint(leak.hit.value) == in_use else kind_of(leak.hit.provider)
    shown = mask(leak.hit.value)
    if commit is None:
        message = f"{which} ({shown}) is written in {leak.path} line {leak.line}"
        return Finding(Status.FAIL, code, message, fix, location=(leak.path, leak.line, leak.column))
    message = f"{which} ({shown}) was committed in {leak.path} ({commit}) and is no longer in the files, but " \
              "every clone still has it"
    return Finding(Status.FAIL, code, message, fix, location=(leak.path, None))


def kind_of(provider: str) -> str:
    """"an OpenAI key", "a GitHub token", "a JWT bearer token"."""
    noun = _NOUNS.get(provider, f"{provider} key")
    return f"{'an' if noun[0] in 'AEIOU' else 'a'} {noun}"


_NOUNS = {"GitHub": "GitHub token", "AWS": "AWS access key", "JWT": "JWT bearer token"}


async def _history(ctx: Context, known: set[str]) -> tuple[list[tuple[Leak, str]], str]:
    """Keys added by the newest commits (and not in the files now): each with the commit that added it."""
    from doctor.git import git
    from doctor.project.secrets import find_secrets
    from doctor.redact import fingerprint

    started = time.monotonic()
    listed = await git(ctx.project, ctx.processes, ctx.shell, "rev-list", "--all", f"--max-count={MAX_COMMITS}")
    commits = listed.out.split() if listed.code == 0 else []
    if not commits:
        return [], "the repository has no commits yet"
    total = await git(ctx.project, ctx.processes, ctx.shell, "rev-list", "--all", "--count")
    patches = await git(ctx.project, ctx.processes, ctx.shell, "log", "--no-walk=unsorted", "--stdin", "-p", "-U0",
                        "--no-color", "--no-renames", "--format=@@@commit %h %as", timeout=HISTORY_TIMEOUT_S,
                        max_output=HISTORY_BYTES, input="\n".join(commits).encode() + b"\n")
    found: dict[str, tuple[Leak, str]] = {}
    commit, path = "", ""
    for line in patches.raw.decode("utf-8", "replace").splitlines():
        if line.startswith("@@@commit "):
            commit = line.removeprefix("@@@commit ").replace(" ", ", ")
        elif line.startswith("+++ "):
            path = line[6:] if line.startswith("+++ b/") else ""
        elif line.startswith("+") and path and path != ctx.dotenv.shown and any(m.decode() in line for m in _MARKERS):
            for hit in find_secrets(line[1:]):
                mark = fingerprint(hit.value)
                if mark not in known:
                    found[mark] = (Leak(path, 0, 0, hit), f"commit {commit}")  # newest first: the last is the oldest
    for leak, _ in found.values():
        ctx.redactor.add(leak.hit.value)
    count = int(total.out) if total.code == 0 and total.out.isdigit() else len(commits)
    scope = f"all {count} commits" if count <= len(commits) else f"the newest {len(commits)} of {count} commits"
    cut = " (stopped at its size or time limit)" if patches.truncated or patches.code == 124 else ""
    return list(found.values()), f"history: searched what {scope} added{cut} in {time.monotonic() - started:.1f} s"
