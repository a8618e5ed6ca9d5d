"""Secrets checks on the `.env` file: it is there and readable, it holds the key, and git keeps it private."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Awaitable

from checks import guide
from doctor.git import GitAnswer, git, git_program
from doctor.model import Finding, Fix, Result, Status, check, from_findings, skipped
from doctor.project.record import parse_version

if TYPE_CHECKING:
    from doctor.context import Context

KEY = "OPENAI_API_KEY"
# Names people use by mistake; the SDK reads only OPENAI_API_KEY.
MISNAMED_KEYS = ("OPENAI_KEY", "OPENAI_APIKEY", "OPEN_AI_API_KEY", "OPENAI_API_TOKEN", "OPENAIKEY", "API_KEY")
BOM_SAFE_DOTENV = "1.2.3"  # older python-dotenv reads a BOM into the first variable's name


def _create_dotenv_fix(ctx: Context) -> Fix:
    example = (ctx.project / ".env.example").is_file()
    copy = guide.copy_command(".env.example", ".env", ctx.shell, ctx.platform)
    return Fix(
        "Create `.env` in the project folder with your key on one line: OPENAI_API_KEY=<your key>.",
        steps=(("Start from the example file, then put your real key in it." if example
                else "Create a file named .env next to your code."),
               "Write the key without quotes or spaces around it.",
               "Keep .env out of git (see dotenv-gitignored)."),
        commands=(copy,) if example else (),
        guide=guide.SETUP,
    )


def _file_findings(ctx: Context, dotenv_version: str | None) -> list[Finding]:
    env = ctx.dotenv
    if not env.exists:
        from_shell = ctx.shell_value(KEY) is not None
        return [Finding(
            Status.WARN if from_shell else Status.FAIL, "dotenv-missing",
            "no .env file in the project" + ("; the key comes from the shell environment instead" if from_shell else ""),
            _create_dotenv_fix(ctx))]
    if env.problem:
        if env.kind in ("fifo", "device", "socket", "special", "broken-link"):
            fix = Fix("Replace .env with a regular text file; the doctor does not read special files.",
                      steps=("A .env that is a link to a device, a pipe or nothing cannot hold your key: "
                             "load_dotenv() would hang, read forever or find nothing.",
                             "Remove it and write a plain .env with OPENAI_API_KEY=<your key>."),
                      commands=(guide.remove_command(".env", ctx.shell, ctx.platform),), guide=guide.SETUP)
        else:
            fix = Fix("Recreate .env as a plain UTF-8 text file.",
                      steps=("Delete or rename the broken file.",
                             "Write it again in a text editor, saving as UTF-8.",
                             "In PowerShell, write files with `Set-Content -Encoding utf8`, not `>`."),
                      guide=guide.SETUP)
        return [Finding(Status.FAIL, "dotenv-unreadable", f".env {env.problem}", fix, location=(".env", None))]
    found: list[Finding] = []
    for line, name in env.unparsed:
        if name != KEY:
            found.append(Finding(Status.WARN, "dotenv-parse-error",
                                 f".env line {line} cannot be parsed; python-dotenv skips it",
                                 Fix("Write it as NAME=value (an `=` sign, matching quotes).", guide=guide.SETUP),
                                 location=(".env", line)))
    lines = env.duplicates().get(KEY)
    if lines:
        found.append(Finding(Status.WARN, "dotenv-duplicate-key",
                             f"{KEY} is set on lines {', '.join(map(str, lines))} of .env; the last one wins",
                             Fix("Keep one OPENAI_API_KEY line in .env.", guide=guide.SETUP),
                             location=(".env", lines[0])))
    if env.bom and dotenv_version and _older(dotenv_version, BOM_SAFE_DOTENV):
        found.append(Finding(Status.FAIL, "dotenv-bom",
                             f".env starts with a byte order mark, which python-dotenv {dotenv_version} reads into the "
                             "first variable's name",
                             Fix("Save .env as UTF-8 without BOM, or upgrade python-dotenv.",
                                 commands=(ctx.tool.add("python-dotenv>=1.2.3"),), guide=guide.SETUP)))
    return found


def _older(version: str, than: str) -> bool:
    have = parse_version(version)
    return have is not None and have < parse_version(than)


def _key_findings(ctx: Context) -> list[Finding]:
    key = ctx.api_key
    if key is None or not key.value.strip():
        broken = [line for line, name in ctx.dotenv.unparsed if name == KEY]
        misnamed = [n for n in MISNAMED_KEYS if ctx.lookup(n)]
        if broken:
            why = f"{KEY} is on .env line {broken[0]}, but python-dotenv cannot parse that line"
        elif key is not None:
            why = f"{KEY} is set but empty (in {key.where})"
        else:
            why = f"{KEY} is not set in the shell or in .env"
        details = tuple(f"{n} is set, but the SDK only reads {KEY}" for n in misnamed)
        return [Finding(Status.FAIL, "key-missing", why, Fix(
            "Put your key in .env as OPENAI_API_KEY=<your key>, and call load_dotenv() before creating the client.",
            steps=("Create a key in your provider's dashboard.",
                   "Add the line OPENAI_API_KEY=<your key> to .env, without quotes or spaces.",
                   "Make sure load_dotenv() runs before OpenAI() in your code."),
            guide=guide.TROUBLESHOOTING), details, location=(".env", broken[0]) if broken else None)]
    shell, dotenv = ctx.shell_value(KEY), ctx.dotenv_value(KEY)
    if shell and dotenv and shell.value != dotenv.value:
        return [Finding(
            Status.FAIL, "key-shadowed",
            f"{KEY} in the shell environment overrides the one on .env line {dotenv.line}",
            Fix("Remove the old key from the shell, so load_dotenv() can use the one in .env.",
                steps=("load_dotenv() does not replace variables that are already set, so an old export wins.",
                       "Unset it in this terminal, and delete the export from your shell profile or IDE settings.",
                       "Or, if .env must always win, call load_dotenv(override=True)."),
                commands=(guide.unset_command(KEY, ctx.shell, ctx.platform),),
                guide=guide.TROUBLESHOOTING), location=(".env", dotenv.line))]
    return []


@check(
    "dotenv-present",
    title=".env file and key",
    group="Secrets",
    codes=("dotenv-missing", "dotenv-unreadable", "key-missing", "key-shadowed",
           "dotenv-parse-error", "dotenv-duplicate-key", "dotenv-bom"),
)
async def dotenv_present(ctx: Context) -> Result:
    """What it checks: the project has a readable `.env`, OPENAI_API_KEY is set and not
    empty, and no different key in the shell environment shadows the one in `.env`.

    Why it fails: `.env` is missing, binary, UTF-16 or otherwise unreadable; the key line
    cannot be parsed; or an old `export OPENAI_API_KEY=...` wins, because load_dotenv()
    does not override variables that are already set.

    How to fix: keep the key in a UTF-8 `.env` as OPENAI_API_KEY=<key>, and unset stale
    copies in the shell.
    """
    facts = await ctx.interpreter() if ctx.dotenv.bom else None
    dotenv_version = facts.installed("python-dotenv") if facts and not facts.error else None
    findings = _file_findings(ctx, dotenv_version) + _key_findings(ctx)
    key = ctx.api_key
    where = f"OPENAI_API_KEY from {key.where}" if key else ""
    details = (".env has a UTF-8 byte order mark; python-dotenv 1.2.3+ ignores it",) if ctx.dotenv.bom else ()
    return from_findings(findings, where, details=details)


def _git(ctx: Context, *args: str) -> Awaitable[GitAnswer]:
    return git(ctx.project, ctx.processes, ctx.shell, *args)


@check(
    "dotenv-gitignored",
    title=".env kept out of git",
    group="Secrets",
    codes=("dotenv-not-ignored", "dotenv-tracked", "dotenv-in-history", "not-a-git-repo", "git-check-failed"),
)
async def dotenv_gitignored(ctx: Context) -> Result:
    """What it checks: git ignores `.env`, does not track it, and never had it in a commit.

    Why it fails: `.env` is missing from `.gitignore`, or it was added or committed once.
    A key pushed to a public repository is found by scanners within minutes.

    How to fix: add `.env` to `.gitignore`; untrack it with `git rm --cached .env`; and
    if it was ever committed, revoke the key and create a new one.
    """
    if git_program(ctx.shell) is None:
        return skipped("git is not installed, so it cannot say whether .env is ignored")
    top = await _git(ctx, "rev-parse", "--show-toplevel")
    if top.code != 0:
        if "not a git repository" in top.err:
            return Result(Status.WARN, "the project is not a git repository, so nothing protects .env from a future "
                                       "`git add`", code="not-a-git-repo",
                          fix=Fix("When you run `git init`, add .env to .gitignore before the first commit.",
                                  commands=('echo ".env" >> .gitignore',), guide=guide.SETUP))
        return Result(Status.WARN, f"git could not look at the project: {top.err.splitlines()[-1] if top.err else top.code}",
                      code="git-check-failed")
    ignored, tracked, history = await asyncio.gather(
        _git(ctx, "check-ignore", "-q", "--", ".env"),
        _git(ctx, "ls-files", "--error-unmatch", "--", ".env"),
        _git(ctx, "log", "--all", "--format=%h %as", "-n", "1", "--", ".env"),
    )
    findings: list[Finding] = []
    rotate = "Revoke this key in your provider's dashboard and create a new one: anyone with the repository has it."
    if history.code == 0 and history.out:
        commit = history.out.split()
        findings.append(Finding(
            Status.FAIL, "dotenv-in-history", f".env was committed (commit {commit[0]}, {commit[-1]}); the key in it is exposed",
            Fix(rotate, steps=("Revoke the key first: rewriting history does not un-leak a pushed key.",
                               "Then remove .env from git and ignore it.",
                               "If the repository is public, also purge .env from history (git filter-repo)."),
                commands=("git rm --cached .env", 'echo ".env" >> .gitignore'), guide=guide.SETUP)))
    if tracked.code == 0:
        findings.append(Finding(
            Status.FAIL, "dotenv-tracked", "git tracks .env, so the next commit and push share your key",
            Fix("Stop tracking .env (the file stays on disk) and ignore it.",
                commands=("git rm --cached .env", 'echo ".env" >> .gitignore'), guide=guide.SETUP)))
    elif ignored.code == 1:
        exists = ctx.dotenv.exists
        findings.append(Finding(
            Status.FAIL if exists else Status.WARN, "dotenv-not-ignored",
            ".gitignore does not cover .env" + ("" if exists else " (no .env yet, but it will need it)"),
            Fix("Add .env to .gitignore before your next commit.",
                commands=('echo ".env" >> .gitignore',), guide=guide.SETUP), location=(".gitignore", None)))
    elif ignored.code not in (0, 1):
        findings.append(Finding(Status.WARN, "git-check-failed", f"git check-ignore failed: {ignored.err[:200]}"))
    return from_findings(findings, "git ignores .env and it was never committed")
