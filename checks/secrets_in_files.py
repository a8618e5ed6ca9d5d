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
    title="No keys in shared files",
    group="Secrets",
    codes=("key-hardcoded", "key-in-history"),
    reads=("code", "dotenv", "git"),
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
    from checks.dotenv_git import key_fingerprint, value_fingerprints
    from doctor.project.source_files import project_files
    from doctor.redact import fingerprint

    files = await project_files(ctx)
    if not files.paths:
        return skipped("the project has no files to search yet")
    skip = {ctx.dotenv.shown} if ctx.dotenv.exists else set()
    leaks, unread = await asyncio.to_thread(scan_files, files, skip)
    in_use = key_fingerprint(ctx)
    findings = [_finding(leak, "key-hardcoded", in_use, CATALOGUE["key-hardcoded"].fix) for leak in leaks]
    details = [f"searched {len(files.paths)} files listed by {files.listed_by}"]
    if unread:
        details.append(f"not searched: {unread} files larger than the doctor reads")
    current = {fingerprint(leak.hit.value) for leak in leaks}
    if files.listed_by == "git":
        dotenv = value_fingerprints(ctx.dotenv.entries) if ctx.dotenv.readable else set()  # dotenv-gitignored's
        history, covered = await _history(ctx, current | dotenv)
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

    texts: list[tuple[str, bytes]] = []
    unread = 0
    for path in files.paths:
        found = files.read(path)
        unread += found.kind == "too-large"
        if path not in skip and found.data and found.data.find(b"\0", 0, 8192) < 0:
            texts.append((path, found.data))
    leaks: list[Leak] = []
    for index in sorted(_with_markers([data for _, data in texts])):
        path, data = texts[index]
        text = data.decode("utf-8", "replace")
        for hit in find_secrets(text):
            line, column = line_of(text, hit.start)
            leaks.append(Leak(path, line, column, hit))
    return leaks, unread


def _with_markers(datas: list[bytes]) -> set[int]:
    """Which of the texts hold a key's first characters: each marker is looked for once in all of
    them joined (a search per file and marker would cost more than the search itself)."""
    from bisect import bisect_right

    starts, offset = [], 0
    for data in datas:
        starts.append(offset)
        offset += len(data) + 1
    joined = b"\n".join(datas)
    found: set[int] = set()
    for marker in _MARKERS:
        position = joined.find(marker)
        while position >= 0:
            index = bisect_right(starts, position) - 1
            found.add(index)
            position = joined.find(marker, starts[index + 1]) if index + 1 < len(starts) else -1
    return found


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
    """Keys added by the newest commits (and not in the files now): each with the commit that added it.

    git itself finds the commits whose changes hold a key-like string (`log -G`, in C), so a
    history without keys costs one pass of git; only those commits' patches are read here."""
    from doctor.git import git

    started = time.monotonic()

    def ask(*args: str, **options):  # noqa: ANN202 - git's answer
        return git(ctx.project, ctx.processes, ctx.shell, *args, **options)

    listed = await ask("rev-list", "--all", f"--max-count={MAX_COMMITS}")
    commits = listed.out.split() if listed.code == 0 else []
    if not commits:
        return [], "the repository has no commits yet"
    total = len(commits)
    if total == MAX_COMMITS:
        counted = await ask("rev-list", "--all", "--count")
        total = int(counted.out) if counted.code == 0 and counted.out.isdigit() else total
    suspects = await ask("log", "--no-walk=unsorted", "--stdin", f"-G{_HISTORY_PATTERN}", "--format=%H",
                         timeout=HISTORY_TIMEOUT_S, input="\n".join(commits).encode() + b"\n")
    cut = suspects.code == 124
    found: list[tuple[Leak, str]] = []
    if suspects.code == 0 and suspects.out:
        patches = await ask("log", "--no-walk=unsorted", "--stdin", "-p", "-U0", "--no-color", "--no-renames",
                            "--format=@@@commit %h %as", timeout=HISTORY_TIMEOUT_S, max_output=HISTORY_BYTES,
                            input=suspects.out.encode() + b"\n")
        cut = cut or patches.truncated or patches.code == 124
        found = _added_keys(patches.raw.decode("utf-8", "replace"), known, ctx.dotenv.shown)
    for leak, _ in found:
        ctx.redactor.add(leak.hit.value)
    scope = f"all {total} commits" if total <= len(commits) else f"the newest {len(commits)} of {total} commits"
    stopped = " (stopped at its size or time limit)" if cut else ""
    return found, f"history: searched what {scope} added{stopped} in {time.monotonic() - started:.1f} s"


def _added_keys(patches: str, known: set[str], dotenv: str) -> list[tuple[Leak, str]]:
    """The keys on the added lines of `git log -p` output, each with the oldest commit that added it."""
    from doctor.project.secrets import find_secrets
    from doctor.redact import fingerprint

    found: dict[str, tuple[Leak, str]] = {}
    commit, path = "", ""
    for line in patches.splitlines():
        if line.startswith("@@@commit "):
            commit = line.removeprefix("@@@commit ").replace(" ", ", ")
        elif line.startswith("+++ "):
            path = line[6:] if line.startswith("+++ b/") else ""
        elif line.startswith("+") and path and path != dotenv:
            for hit in find_secrets(line[1:]):
                mark = fingerprint(hit.value)
                if mark not in known:
                    found[mark] = (Leak(path, 0, 0, hit), f"commit {commit}")  # newest first: the last is the oldest
    return list(found.values())


# What `git log -G` looks for (POSIX extended regex): the start of every key shape.
_HISTORY_PATTERN = ("sk-[A-Za-z0-9_-]{16}|gsk_|xai-|AIzaSy|pplx-|hf_[A-Za-z0-9]{16}|gh[pousr]_|github_pat_|AKIA|ASIA|"
                    "eyJ[A-Za-z0-9_-]{10}|[Aa][Zz][Uu][Rr][Ee][A-Za-z_]*[Kk][Ee][Yy]")
