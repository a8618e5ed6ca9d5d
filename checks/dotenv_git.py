"""dotenv-gitignored: git keeps `.env`, and every `.env.*` file that holds a secret, out of the repository.

It asks git itself (hardened, see doctor/git.py) whether each file is ignored, tracked, or
was ever committed. For the history it reads what was committed (one `git cat-file
--batch` for the last commits that touched the file) and compares the secrets there with
the key in use by fingerprint: the finding names the commit that added the key, tells to
revoke only a key that really was committed, and never suggests `git rm --cached` for a
file git does not track.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from checks import guide
from doctor.git import git, git_program, split_batch
from doctor.model import Finding, Fix, Result, Status, check, from_findings, skipped
from doctor.namedtuples import named_tuple
from doctor.project.dotenv_files import Entry, parse_entries
from doctor.project.secrets import find_secrets, looks_fake
from doctor.redact import fingerprint

if TYPE_CHECKING:
    from doctor.context import Context

MAX_HISTORY_COMMITS = 50
MAX_VARIANTS = 20
# Variants meant to be committed, with placeholders: a real secret in one is a leak, but ignoring it is not the fix.
EXAMPLE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults")


@named_tuple
class Candidate:
    path: Path
    shown: str  # as messages name it: ".env", "../../.env", ".env.local"
    secrets: frozenset[str]  # fingerprints of the secrets it holds now

    @property
    def example(self) -> bool:
        return self.path.name.endswith(EXAMPLE_SUFFIXES)


def dotenv_secrets(text: str) -> set[str]:
    """Fingerprints of the real-looking secrets in a .env text: key-shaped values, and values of
    variables named like secrets that are not placeholders."""
    from doctor.context import looks_secret

    entries, _ = parse_entries(text)
    found = {fingerprint(hit.value) for hit in find_secrets(text)}
    for entry in entries:
        value = (entry.value or "").strip()
        if len(value) >= 12 and looks_secret(entry.key, value, by_shape=False) and not looks_fake(value):
            found.add(fingerprint(value))
    return found


def value_fingerprints(entries: Iterable[Entry]) -> set[str]:
    """Fingerprints of every non-empty value of a .env: how a committed one is compared with today's."""
    return {fingerprint(e.value.strip()) for e in entries if e.value and e.value.strip()}


def key_fingerprint(ctx: Context) -> str | None:
    """The fingerprint of the key in use, to name it among the secrets found."""
    key = ctx.api_key
    return fingerprint(key.value.strip()) if key and key.value.strip() else None


def _candidates(ctx: Context) -> list[Candidate]:
    from doctor.files import read_text

    found = []
    if ctx.dotenv.exists:
        found.append(Candidate(ctx.dotenv.path, ctx.dotenv.shown, frozenset(value_fingerprints(ctx.dotenv.entries))))
    variants = sorted(p for p in ctx.project.glob(".env.*") if p.name != ".env")[:MAX_VARIANTS]
    for path in variants:
        text = read_text(path, 1024 * 1024, within=ctx.project).text()
        secrets = dotenv_secrets(text) if text else set()
        if secrets:
            found.append(Candidate(path, path.name, frozenset(secrets)))
    return found


@check(
    "dotenv-gitignored",
    title=".env kept out of git",
    group="Secrets",
    codes=("dotenv-not-ignored", "dotenv-tracked", "dotenv-in-history", "not-a-git-repo", "git-check-failed"),
    reads=("dotenv", "git"),
)
async def dotenv_gitignored(ctx: Context) -> Result:
    """What it checks: git ignores `.env` (the one load_dotenv() finds, even in a folder above
    the project) and every `.env.*` file that holds a secret, does not track them, and never
    had the key in use in a commit.

    Why it fails: `.env` is missing from `.gitignore`, or it was added or committed once.
    A key pushed to a public repository is found by scanners within minutes.

    How to fix: add the file to `.gitignore`; untrack a tracked one with `git rm --cached`;
    and revoke a key that was ever committed.
    """
    if git_program(ctx.shell) is None:
        return skipped("git is not installed, so it cannot say whether .env is ignored")
    top = await git(ctx.project, ctx.processes, ctx.shell, "rev-parse", "--show-toplevel")
    if top.code != 0:
        if "not a git repository" in top.err:
            return Result(Status.WARN, "the project is not a git repository, so nothing protects .env from a future "
                                       "`git add`", code="not-a-git-repo",
                          fix=Fix("When you run `git init`, add .env to .gitignore before the first commit.",
                                  commands=(guide.ignore_command(".env"),), guide=guide.SETUP))
        return Result(Status.WARN, "git could not look at the project: "
                                   f"{top.err.splitlines()[-1] if top.err else top.code}", code="git-check-failed")
    candidates = _candidates(ctx)
    if not candidates:
        ignored = await git(ctx.project, ctx.processes, ctx.shell, "check-ignore", "-q", "--", ".env")
        if ignored.code == 1:
            return from_findings([_not_ignored(".env", exists=False)], "")
        return Result(Status.PASS, "git ignores .env (there is none yet)")
    current = key_fingerprint(ctx)
    findings: list[Finding] = []
    for found in await asyncio.gather(*(_examine(ctx, c, current) for c in candidates)):
        findings += found
    names = ", ".join(c.shown for c in candidates)
    return from_findings(findings, f"git ignores {names} and the key was never committed")


async def _examine(ctx: Context, candidate: Candidate, current: str | None) -> list[Finding]:
    folder, name = candidate.path.parent, candidate.path.name
    def ask(*args: str, **options):  # noqa: ANN202 - git's answer
        return git(folder, ctx.processes, ctx.shell, *args, **options)

    if folder != ctx.project:  # the project's own folder is in the work tree: --show-toplevel said so
        inside = await ask("rev-parse", "--is-inside-work-tree")
        if inside.code != 0 or inside.out != "true":
            return []  # a .env above the repository: git cannot commit it
    ignored, tracked, history = await asyncio.gather(
        ask("check-ignore", "-q", "--", name),
        ask("ls-files", "--error-unmatch", "--", name),
        ask("log", "--all", "--format=%H %h %as", "--diff-filter=AMR", "-n", str(MAX_HISTORY_COMMITS), "--", name),
    )
    findings: list[Finding] = []
    exposed = await _history(ask, name, history.out.splitlines(), candidate, current)
    if exposed is not None:
        findings.append(exposed)
    if tracked.code == 0:
        fix = Fix(f"Replace the real key in {candidate.shown} with a placeholder; this file is meant to be shared.",
                  guide=guide.SETUP) if candidate.example else _untrack_fix(name, committed=bool(history.out.strip()))
        findings.append(Finding(Status.FAIL, "dotenv-tracked",
                                f"git tracks {candidate.shown}, so the next commit and push share the secret in it",
                                fix, location=(candidate.shown, None)))
    elif ignored.code == 1 and not candidate.example:
        findings.append(_not_ignored(candidate.shown, exists=True))
    elif ignored.code not in (0, 1):
        findings.append(Finding(Status.WARN, "git-check-failed",
                                f"git check-ignore failed for {candidate.shown}: {ignored.err[:200]}"))
    return findings


def _untrack_fix(name: str, committed: bool) -> Fix:
    """Every step, in order. A committed key must be revoked first: untracking the file keeps the key
    out of the next commit, not out of the ones already made (and perhaps pushed). That step is the
    user's alone; the doctor can do the other two (`llm-doctor check --fix`)."""
    rotate = ("Revoke the key in your provider's dashboard and put a new one in " + name + " (the doctor cannot do "
              "this for you): it is in a commit already, and untracking the file does not take it out of one.",)
    return Fix(("Revoke the key first, then stop" if committed else "Stop") + f" tracking {name} (the file stays on "
               "disk) and ignore it.",
               steps=(*(rotate if committed else ()),
                      f"Stop tracking {name}: git rm --cached {name}",
                      f"Ignore it, so it is never added again: add {name} to .gitignore",
                      "Commit both changes."),
               commands=(f"git rm --cached {name}", guide.ignore_command(name)), guide=guide.SETUP)


def _not_ignored(shown: str, exists: bool) -> Finding:
    name = Path(shown).name
    return Finding(Status.FAIL if exists else Status.WARN, "dotenv-not-ignored",
                   f".gitignore does not cover {shown}" + ("" if exists else " (no .env yet, but it will need it)"),
                   Fix(f"Add {name} to .gitignore before your next commit.",
                       commands=(guide.ignore_command(name),), guide=guide.SETUP), location=(".gitignore", None))


async def _history(ask, name: str, commits: list[str], candidate: Candidate,  # noqa: ANN001 - a git call
                   current: str | None) -> Finding | None:
    """The key as it was committed: the commit that added the key in use, or an older key that leaked."""
    if not commits:
        return None
    rows = [line.split() for line in commits if len(line.split()) == 3]
    batch = "".join(f"{full}:{name}\n" for full, _, _ in rows).encode()
    answer = await ask("cat-file", "--batch", input=batch, max_output=8 * 1024 * 1024)
    blobs = [blob.decode("utf-8", "replace") if blob is not None else None for blob in split_batch(answer.raw)]
    committed: dict[str, tuple[str, str]] = {}  # fingerprint -> the oldest commit holding it (short hash, date)
    secrets: set[str] = set()
    for (_, short, day), blob in zip(rows, blobs):
        if blob is None:
            continue
        shaped = dotenv_secrets(blob)
        for value in value_fingerprints(parse_entries(blob)[0]) | shaped:
            committed[value] = (short, day)  # rows run newest first: the last one seen is the oldest
        secrets |= shaped
    if current is not None and current in committed:
        short, day = committed[current]
        still = " and is still there" if current in candidate.secrets else ""
        return Finding(Status.FAIL, "dotenv-in-history",
                       f"the key in use was committed in {candidate.shown} (commit {short}, {day}){still}: "
                       "anyone with the repository has it",
                       Fix("Revoke this key in your provider's dashboard and create a new one.",
                           steps=("Revoke it first: rewriting history does not un-leak a pushed key.",
                                  "If the repository is public, also purge the file from history (git filter-repo)."),
                           guide=guide.SETUP), location=(candidate.shown, None))
    if secrets:
        short, day = min((committed[s] for s in secrets), key=lambda c: c[1])
        return Finding(Status.WARN, "dotenv-in-history",
                       f"an older secret was committed in {candidate.shown} (commit {short}, {day}); the key in use "
                       "now was never committed",
                       Fix("Make sure the old key is revoked in your provider's dashboard.",
                           steps=("Your current key is safe; the one in history is exposed if it still works.",),
                           guide=guide.SETUP), location=(candidate.shown, None))
    return None
