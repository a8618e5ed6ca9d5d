"""secrets-in-files: no key of any provider is written in a file git would share, or was in a commit.

The files are the ones git would share: tracked, or untracked and not ignored (outside git,
every file of the project but tool folders and environments). A key in a notebook counts in
its code and in its saved outputs (`%env OPENAI_API_KEY=...` prints it). The project's own
`.env` is dotenv-gitignored's to judge. A match must look like a key a provider issues and
carry a key's randomness (doctor/project/secrets.py): `sk-...`, `sk-your-key-here` and test
dummies are not keys. Keys are only ever shown masked, and every key found is added to the
run's redactor, so no later output can show it either.

The history is every commit a push could share: of every local branch and tag, and of the
remote-tracking branches (what is already shared). Merges count, against their first parent:
a key added while resolving a merge is in no other commit, and plain `git log -p` shows merges
no diff. The scan is bounded by the work it does, not by a count of commits: newest first, in
batches, until HISTORY_BYTES of patches are read (a backstop of HISTORY_SECONDS stops a git
that is slow), and the result says exactly which commits were covered, or, when git could not
answer, that the history was not searched.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from doctor.model import Finding, Result, Status, check, from_findings, skipped
from doctor.namedtuples import named_tuple
from doctor.words import counted

if TYPE_CHECKING:
    from doctor.context import Context
    from doctor.project.secrets import SecretHit
    from doctor.project.source_files import ProjectFiles

HISTORY_BYTES = 16 * 1024 * 1024  # patches read, all batches together
HISTORY_SECONDS = 8.0
BATCH = 1000  # commits given to one git log
REFS = ("--branches", "--tags", "--remotes")


@named_tuple
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
    and none was committed in the repository's history (within a bounded search that says what it covered).

    Why it fails: a key in a shared file reaches everyone who gets the file, and bots scan
    public repositories for keys within minutes. Deleting it later leaves it in history.

    How to fix: move the key to `.env` (ignored by git), read it with load_dotenv(), and
    revoke every key that was ever committed.
    """
    from checks.catalogue import CATALOGUE
    from checks.dotenv_git import key_fingerprint, value_fingerprints
    from doctor.project.source_files import project_files
    from doctor.project.staged_files import staged_files
    from doctor.redact import fingerprint

    files = await (staged_files(ctx) if ctx.flags.staged else project_files(ctx))
    if not files.paths:
        return skipped("the project has no files to search yet")
    skip = {ctx.dotenv.shown} if ctx.dotenv.exists else set()
    # git reads the history while the files are searched; the keys still in the files are left out after
    history_scan = ctx.background(_history(ctx)) if files.listed_by == "git" else None
    leaks, unread = await asyncio.to_thread(scan_files, files, skip)
    in_use = key_fingerprint(ctx)
    findings = [_finding(leak, "key-hardcoded", in_use, CATALOGUE["key-hardcoded"].fix) for leak in leaks]
    details = [f"searched {len(files.paths)} files listed by {files.listed_by}"]
    if unread:
        details.append(f"not searched: {unread} files larger than the doctor reads")
    current = {fingerprint(leak.hit.value) for leak in leaks}
    ok = "no key is written in the project's files"
    if history_scan is not None:
        known = current | (value_fingerprints(ctx.dotenv.entries) if ctx.dotenv.readable else set())  # dotenv-gitignored's
        history = await history_scan
        details.append(history.covered)
        findings += [_finding(leak, "key-in-history", in_use, CATALOGUE["key-in-history"].fix, commit)
                     for leak, commit in history.found if fingerprint(leak.hit.value) not in known]
        ok += (" or its history" if history.complete else " or the part of its history searched") \
            if history.searched else f"; {history.covered}"
    elif not ctx.flags.staged and (ctx.project / ".git").exists():  # git did not list its files: nor its history
        details.append("history: not searched, git is not installed or did not answer")
        ok += "; its history was not searched (git did not answer)"
    if ctx.dotenv.exists and ctx.dotenv.shown in files.paths:  # committed: dotenv-gitignored reports it
        ok += f"; {ctx.dotenv.shown} is the exception: git shares it (see .env kept out of git)"
    elif history_scan is not None and history.dotenv_committed:
        ok += f"; {ctx.dotenv.shown}'s own past commits are the exception (see .env kept out of git)"
    for leak in leaks:
        ctx.redactor.add(leak.hit.value)
    return from_findings(findings, ok, details=details)


def scan_files(files: ProjectFiles, skip: set[str]) -> tuple[list[Leak], int]:
    """Every key in the listed files, and how many files were too large to search."""
    from doctor.project.byte_search import holding
    from doctor.project.secrets import MARKERS, find_secrets, line_of

    texts: list[tuple[str, bytes]] = []
    unread = 0
    for path, found in zip(files.paths, files.read_many(files.paths)):
        unread += found.kind == "too-large"
        if path not in skip and found.data and found.data.find(b"\0", 0, 8192) < 0:
            texts.append((path, found.data))
    leaks: list[Leak] = []
    # A file without any marker is neither decoded nor searched: each marker looked for once in all of them.
    for index in sorted(holding([data for _, data in texts], MARKERS)):
        path, data = texts[index]
        text = data.decode("utf-8", "replace")
        for hit in find_secrets(text):
            line, column = line_of(text, hit.start)
            leaks.append(Leak(path, line, column, hit))
    return leaks, unread


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


_NOUNS = {"GitHub": "GitHub token", "AWS": "AWS access key", "JWT": "JWT bearer token",
          "API": "API key handed to a client in code"}


@named_tuple
class History:
    """What the history search found, and what it covered."""

    found: list[tuple[Leak, str]]
    covered: str  # what was searched, in words
    searched: bool  # some history was searched
    complete: bool = False  # all of it
    dotenv_committed: bool = False  # a commit searched changed .env with a key-like line: dotenv-gitignored's


async def _history(ctx: Context) -> History:
    """Keys added by the history's commits (and not in the files now): each with the commit that added it.

    git itself finds the commits whose changes hold a key-like string (`log -G`, in C) and shows
    only those changes, so a history without keys costs a pass of git and no reading here."""
    from doctor.git import git
    from doctor.project.history_cache import open_cache

    started = time.monotonic()

    def ask(*args: str, **options):  # noqa: ANN202 - git's answer
        return git(ctx.project, ctx.processes, ctx.shell, *args, **options)

    listed, refs = await asyncio.gather(ask("rev-list", *REFS, max_output=64 * 1024 * 1024), _refs(ask))
    if listed.code != 0 or listed.truncated:
        why = (listed.err.splitlines() or ["no answer"])[0][:200]
        return History([], f"history: not searched, git could not list its commits ({why})", False)
    commits = listed.out.split()
    if not commits:
        return History([], "history: the repository has no commits yet", True, True)
    remembered = open_cache(ctx.project, HISTORY_KEY, ctx.shell)  # commits found clean by earlier runs
    unread = remembered.unread(commits)
    patches, read, covered, stop = [], 0, 0, ""
    for first in range(0, len(unread), BATCH):
        left = HISTORY_SECONDS - (time.monotonic() - started)
        if read >= HISTORY_BYTES or left <= 0:
            stop = _megabytes(HISTORY_BYTES) if read >= HISTORY_BYTES else \
                f"{HISTORY_SECONDS:g} s"
            break
        batch = unread[first:first + BATCH]
        answer = await ask("log", "--no-walk=unsorted", "--stdin", f"-G{_HISTORY_PATTERN}",
                           "--diff-merges=first-parent", "-p", "-U0", "--no-color", "--no-renames", "--format=@@@commit %H %as",
                           timeout=left, max_output=HISTORY_BYTES - read, input="\n".join(batch).encode() + b"\n")
        if answer.code == 124:
            stop = f"{HISTORY_SECONDS:g} s"
            break
        if answer.code != 0:
            stop = f"an error of git ({(answer.err.splitlines() or ['no answer'])[0][:200]})"
            break
        text = answer.raw.decode("utf-8", "replace")
        patches.append(text)
        read += len(answer.raw)
        if answer.truncated:  # covered up to the last commit whose changes were shown
            shown = {h: i for i, h in enumerate(batch)}
            last = text.rfind("@@@commit ")
            covered += shown.get(text[last + 10:last + 50], 0) if last >= 0 else 0
            stop = _megabytes(HISTORY_BYTES)
            break
        remembered.remember(set(batch) - _suspects(text))
        covered += len(batch)
    joined = "".join(patches)
    found = _added_keys(joined, ctx.dotenv.shown)
    dotenv_committed = f"\n+++ b/{ctx.dotenv.shown}\n" in joined
    for leak, _ in found:
        ctx.redactor.add(leak.hit.value)
    took = f"in {time.monotonic() - started:.1f} s"
    clean_before = len(commits) - len(unread)
    earlier = f"; {clean_before} found clean by earlier runs" if clean_before else ""
    if covered >= len(unread):
        whole = "the one commit" if len(commits) == 1 else f"all {len(commits)} commits"
        return History(found, f"history: searched {whole} of {refs} (merges against their "
                              f"first parent) {took}{earlier}", True, True, dotenv_committed)
    if covered == 0 and not clean_before:
        return History(found, f"history: not searched, stopped at {stop} before its first {BATCH} commits", False)
    oldest = await ask("log", "-1", "--format=%as", unread[covered - 1]) if covered else None
    since = f", back to {oldest.out}" if oldest is not None and oldest.ok and oldest.out else ""
    newest = "" if clean_before else "the newest "
    return History(found, f"history: searched {newest}{clean_before + covered} of {len(commits)} commits of {refs}"
                          f"{since}{earlier}; stopped at {stop}, so the {len(unread) - covered} older commits were not "
                          "searched", True, False, dotenv_committed)


def _suspects(patches: str) -> set[str]:
    """The commits `git log -G -p` showed: those with a key-shaped change; the rest of a batch is clean."""
    return {line[10:].partition(" ")[0] for line in patches.splitlines() if line.startswith("@@@commit ")}


def _megabytes(count: int) -> str:
    size = f"{count / (1024 * 1024):.0f} MB" if count >= 1024 * 1024 else f"{count // 1024} KB"
    return f"its limit of {size} of changes read"


async def _refs(ask) -> str:  # noqa: ANN001 - the hardened git of _history
    """"2 branches, 1 tag and 3 remote-tracking branches": what the history search covers."""
    answer = await ask("for-each-ref", "--format=%(refname)", "refs/heads", "refs/tags", "refs/remotes")
    names = answer.out.splitlines() if answer.ok else []
    counts = [(sum(1 for n in names if n.startswith(prefix)), noun) for prefix, noun in (
        ("refs/heads/", "branch"), ("refs/tags/", "tag"), ("refs/remotes/", "remote-tracking branch"))]
    parts = [counted(n, noun) for n, noun in counts if n]
    if not parts:
        return "every branch and tag"
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _added_keys(patches: str, dotenv: str) -> list[tuple[Leak, str]]:
    """The keys on the added lines of `git log -p` output, each with the oldest commit that added it."""
    from doctor.project.secrets import find_secrets
    from doctor.redact import fingerprint

    found: dict[str, tuple[Leak, str]] = {}
    commit, path = "", ""
    for line in patches.splitlines():
        if line.startswith("@@@commit "):
            full, _, day = line.removeprefix("@@@commit ").partition(" ")
            commit = f"{full[:7]}, {day}"
        elif line.startswith("+++ "):
            path = line[6:] if line.startswith("+++ b/") else ""
        elif line.startswith("+") and path and path != dotenv:
            for hit in find_secrets(line[1:]):
                found[fingerprint(hit.value)] = (Leak(path, 0, 0, hit), f"commit {commit}")  # newest first: the
                # last is the oldest
    return list(found.values())


# What `git log -G` looks for (POSIX extended regex): the start of every key shape.
_HISTORY_PATTERN = ("sk-[A-Za-z0-9_-]{16}|gsk_|xai-|AIzaSy|pplx-|hf_[A-Za-z0-9]{16}|gh[pousr]_|github_pat_|AKIA|ASIA|"
                    "eyJ[A-Za-z0-9_-]{10}|[Aa][Zz][Uu][Rr][Ee][A-Za-z_]*[Kk][Ee][Yy]|r8_[A-Za-z0-9]{16}|"
                    "fw_[A-Za-z0-9]{16}|tgp_v1_|csk-[A-Za-z0-9]{16}|nvapi-|"
                    "(api_key|_api_key|api_token|access_token|subscription_key) *= *['\"][A-Za-z0-9_.-]{20}")
# What a commit found clean is remembered under: the pattern and how merges are read, so a change
# to either starts afresh (a merge read without its diff once looked clean).
HISTORY_KEY = f"{_HISTORY_PATTERN}\0--diff-merges=first-parent"
