"""dotenv-present: the project's `.env` is there and readable, and it holds the key the SDK reads."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from checks import guide
from doctor.model import Finding, Fix, Result, Status, check, from_findings
from doctor.project.record import parse_version

if TYPE_CHECKING:
    from doctor.context import Context, EnvValue

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
               "Keep .env out of git (see .env kept out of git)."),
        commands=(copy,) if example else (),
        guide=guide.SETUP,
    )


def _file_findings(ctx: Context, dotenv_version: str | None) -> list[Finding]:
    env = ctx.dotenv
    name = env.shown
    if not env.exists:
        from_shell = ctx.shell_value(KEY) is not None or azure_setup(ctx) is not None
        return [Finding(
            Status.WARN if from_shell else Status.FAIL, "dotenv-missing",
            "no .env file in the project or a folder above it"
            + ("; the key comes from the shell environment instead" if from_shell else ""),
            _create_dotenv_fix(ctx))]
    if env.problem:
        if env.kind in ("fifo", "device", "socket", "special", "broken-link"):
            fix = Fix(f"Replace {name} with a regular text file; the doctor does not read special files.",
                      steps=("A .env that is a link to a device, a pipe or nothing cannot hold your key: "
                             "load_dotenv() would hang, read forever or find nothing.",
                             "Remove it and write a plain .env with OPENAI_API_KEY=<your key>."),
                      commands=(guide.remove_command(name, ctx.shell, ctx.platform),), guide=guide.SETUP)
        else:
            fix = Fix(f"Recreate {name} as a plain UTF-8 text file.",
                      steps=("Delete or rename the broken file.",
                             "Write it again in a text editor, saving as UTF-8.",
                             "In PowerShell, write files with `Set-Content -Encoding utf8`, not `>`."),
                      guide=guide.SETUP)
        return [Finding(Status.FAIL, "dotenv-unreadable", f"{name} {env.problem}", fix, location=(name, None))]
    found: list[Finding] = []
    for bad in env.unparsed:
        if bad.key != KEY:
            found.append(Finding(Status.WARN, "dotenv-parse-error",
                                 f"{name} line {bad.line} cannot be parsed ({bad.reason}); python-dotenv skips it",
                                 Fix("Write it as NAME=value (an `=` sign, matching quotes).", guide=guide.SETUP),
                                 location=(name, bad.line)))
    lines = env.duplicates().get(KEY)
    if lines:
        found.append(Finding(Status.WARN, "dotenv-duplicate-key",
                             f"{KEY} is set on lines {', '.join(map(str, lines))} of {name}; the last one wins",
                             Fix("Keep one OPENAI_API_KEY line in .env.", guide=guide.SETUP),
                             location=(name, lines[0])))
    if env.bom and dotenv_version and _older(dotenv_version, BOM_SAFE_DOTENV):
        found.append(Finding(Status.FAIL, "dotenv-bom",
                             f"{name} starts with a byte order mark, which python-dotenv {dotenv_version} reads into "
                             "the first variable's name",
                             Fix("Save .env as UTF-8 without BOM, or upgrade python-dotenv.",
                                 commands=(ctx.tool.add("python-dotenv>=1.2.3"),), guide=guide.SETUP)))
    return found


def _older(version: str, than: str) -> bool:
    have = parse_version(version)
    return have is not None and have < parse_version(than)


def azure_setup(ctx: Context) -> str | None:
    """The standard Azure OpenAI variables, when they are all set: a valid setup without OPENAI_API_KEY."""
    names = ("AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", "OPENAI_API_VERSION")
    values = [ctx.lookup(n) for n in names]
    if all(v is not None and v.value.strip() for v in values):
        return urlsplit(values[1].value.strip()).hostname or values[1].value.strip()  # type: ignore[union-attr]
    return None


def _key_findings(ctx: Context) -> list[Finding]:
    key = ctx.api_key
    shell, dotenv = ctx.shell_value(KEY), ctx.dotenv_value(KEY)
    unset = guide.unset_command(KEY, ctx.shell, ctx.platform)
    if shell is not None and not shell.value.strip() and dotenv is not None and dotenv.value.strip():
        return [_shadowed(ctx, dotenv, "an empty OPENAI_API_KEY in the shell hides", unset)]
    if key is None or not key.value.strip():
        if key is None and azure_setup(ctx) is not None:
            return []
        return [_missing(ctx, key, unset)]
    if shell and dotenv and shell.value != dotenv.value:
        return [_shadowed(ctx, dotenv, "OPENAI_API_KEY in the shell environment overrides", unset)]
    return []


def _shadowed(ctx: Context, dotenv: EnvValue, what: str, unset: str) -> Finding:
    return Finding(
        Status.FAIL, "key-shadowed", f"{what} the one on {dotenv.where}",
        Fix("Remove it from the shell, so load_dotenv() can use the key in .env.",
            steps=("load_dotenv() does not replace variables that are already set, even to an empty value, so "
                   "the shell's wins.",
                   "Unset it in this terminal, and delete the export from your shell profile or IDE settings.",
                   "Or, if .env must always win, call load_dotenv(override=True)."),
            commands=(unset,), guide=guide.TROUBLESHOOTING), location=(dotenv.file, dotenv.line))


def _missing(ctx: Context, key: EnvValue | None, unset: str) -> Finding:
    """No usable key: say exactly why (a line python-dotenv drops, an empty value, another name)."""
    name = ctx.dotenv.shown
    broken = [bad for bad in ctx.dotenv.unparsed if bad.key == KEY]
    misnamed = [found for n in MISNAMED_KEYS if (found := ctx.lookup(n)) is not None and found.value.strip()]
    # `$env:OPENAI_API_KEY=...` (PowerShell) parses, but as a variable of that whole name.
    shell_line = next((e for e in ctx.dotenv.entries if e.key != KEY and e.key.endswith(":" + KEY)), None)
    commands: tuple[str, ...] = ()
    location = None
    if shell_line is not None:
        why = f"{name} line {shell_line.line} is a PowerShell line: python-dotenv reads `{shell_line.key}` as the name"
        summary = f"Write {name} line {shell_line.line} as OPENAI_API_KEY=<your key>, without `$env:`."
        location = (name, shell_line.line)
    elif broken:
        why = f"{KEY} is on {name} line {broken[0].line}, but python-dotenv drops that line: {broken[0].reason}"
        summary = f"Correct {name} line {broken[0].line}" +             (": close the quote" if "quote" in broken[0].reason else "") + ", so python-dotenv can read the key."
        location = (name, broken[0].line)
    elif key is not None:
        why = f"{KEY} is set but empty (in {key.where})"
        summary = "Put your key after OPENAI_API_KEY= in .env." if key.source == ".env" else             "Remove the empty OPENAI_API_KEY from the shell, then put the key in .env."
        commands = (unset,) if key.source == "shell" else ()
        location = (key.file, key.line) if key.source == ".env" else None
    elif misnamed:
        first = misnamed[0]
        why = f"{KEY} is not set, but {first.name} is ({first.where}): the SDK only reads {KEY}"
        summary = f"Rename {first.name} to {KEY}" + (f" on {first.where}." if first.source == ".env" else ".")
        location = (first.file, first.line) if first.source == ".env" else None
    else:
        why = f"{KEY} is not set in the shell or in .env"
        summary = "Put your key in .env as OPENAI_API_KEY=<your key>, and call load_dotenv() before creating the client."
    return Finding(Status.FAIL, "key-missing", why, Fix(
        summary, steps=("Create a key in your provider's dashboard if you have none.",
                        "The line in .env reads OPENAI_API_KEY=<your key>, without quotes or spaces.",
                        "Make sure load_dotenv() runs before OpenAI() in your code."),
        commands=commands, guide=guide.TROUBLESHOOTING), location=location)


@check(
    "dotenv-present",
    title=".env file and key",
    group="Secrets",
    codes=("dotenv-missing", "dotenv-unreadable", "key-missing", "key-shadowed",
           "dotenv-parse-error", "dotenv-duplicate-key", "dotenv-bom"),
    reads=("dotenv",),
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
    key, azure = ctx.api_key, azure_setup(ctx)
    where = f"OPENAI_API_KEY from {key.where}" if key else \
        f"the Azure OpenAI setup (AZURE_OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT for {azure}, OPENAI_API_VERSION)"
    details = (f"{ctx.dotenv.shown} has a UTF-8 byte order mark; python-dotenv 1.2.3+ ignores it",) \
        if ctx.dotenv.bom else ()
    if ctx.dotenv.shown != ".env" and ctx.dotenv.exists:
        details += (f"load_dotenv() in the project finds {ctx.dotenv.shown}: the first .env in the folders above it",)
    return from_findings(findings, where, details=details + _cut_notes(ctx))


def _cut_notes(ctx: Context) -> tuple[str, ...]:
    """The values the doctor's own caps cut or left unexpanded: what it read of them is not what
    load_dotenv() gives the code, and that is no fault of the file."""
    cut = [entry for entry in ctx.dotenv.entries if entry.cut] if ctx.dotenv.readable else []
    notes = tuple(f"{ctx.dotenv.shown} line {entry.line}: {entry.key}'s value {entry.cut}" for entry in cut[:3])
    return notes + ((f"and {len(cut) - 3:,} more like it",) if len(cut) > 3 else ())
