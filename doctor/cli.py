"""The command line: argument parsing, exit codes, and which front end runs.

stdout carries only the report; every diagnostic goes to stderr. Exit codes:
0 no failure (warnings allowed), 1 a check failed (or warned, with --strict),
2 usage error, 3 the doctor itself broke (a check in `error`), 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from pathlib import Path
from typing import Mapping, NoReturn, Sequence, TextIO

from doctor import __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BROKEN, EXIT_INTERRUPTED, EXIT_PIPE_CLOSED = 0, 1, 2, 3, 130, 141
# Characters the reports use, for an output that cannot encode them (cp1252, ascii).
_PLAIN = str.maketrans({"…": "...", "·": "-", "≈": "~", "—": "-", "–": "-", "✓": "+", "✗": "x", "☠": "E",
                        "•": "*", "→": "->", "‘": "'", "’": "'", "“": '"', "”": '"'})
FORMATS = ("text", "json", "markdown", "junit", "sarif")
MIN_TUI_SIZE = (60, 20)  # columns, lines: below this the app cannot show a check and its fix
COMMANDS = {None: "check", "check": "check", "list": "listing", "explain": "explain", "demo": "demo", "report": "report"}


class UsageError(Exception):
    """Bad input on the command line: reported in one line, exit code 2."""


def _positive_seconds(text: str) -> float:
    from doctor.settings import MAX_TIMEOUT, valid_timeout

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if valid_timeout(value) is None:
        raise argparse.ArgumentTypeError(
            "must be greater than 0" if value <= 0 else f"must be a number of seconds, at most {MAX_TIMEOUT:g}")
    return value


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


# The options that shape a run, by destination. `llm-doctor` and `check` take them all; the other
# commands take those in ACCEPTS, and `--help` lists only those.
RUN_OPTIONS: dict[str, tuple[tuple[str, ...], dict]] = {
    "project": (("--project",), dict(metavar="DIR", help="the project to diagnose (default: the current directory)")),
    "python": (("--python",), dict(metavar="PATH", help="the interpreter your code runs on")),
    "offline": (("--offline",), dict(action="store_true", help="send nothing: skip every check that uses the network")),
    "untrusted": (("--untrusted",), dict(action="store_true",
                  help="a project you did not write: run nothing from it (no project Python, no sample call) "
                       "and never send the key to a base URL it chose")),
    "only": (("--only",), dict(metavar="IDS", type=_ids, action="extend",
                               help="run only these checks (comma-separated)")),
    "skip": (("--skip",), dict(metavar="IDS", type=_ids, action="extend", help="do not run these checks")),
    "model": (("--model",), dict(metavar="NAME", help="the model to test (default: gpt-4o-mini)")),
    "base_url": (("--base-url",), dict(metavar="URL", help="the API base URL (default: OPENAI_BASE_URL, or OpenAI's)")),
    "timeout": (("--timeout",), dict(metavar="SECONDS", type=_positive_seconds,
                help="the timeout your code uses (default: 30)")),
    "prompt_file": (("--prompt-file",), dict(metavar="FILE", help="a prompt to measure against the context window")),
    "staged": (("--staged",), dict(action="store_true",
               help="search the files as staged for the next commit, not the working tree (a pre-commit hook)")),
    "strict": (("--strict",), dict(action="store_true", help="warnings fail the run too (exit 1)")),
    "verbose": (("-v", "--verbose"), dict(action="store_true", help="details and timings for every check, tracebacks")),
    "no_color": (("--no-color",), dict(action="store_true", help="no colour (NO_COLOR is honoured too)")),
    "fix": (("--fix",), dict(action="store_true",
            help="apply the safe fixes (shows each diff first; asks, or needs --yes without a terminal)")),
    "yes": (("--yes",), dict(action="store_true", help="with --fix: apply without asking")),
    "unsafe_fixes": (("--unsafe-fixes",), dict(action="store_true",
                     help="with --fix: also apply the fixes that may change behaviour beyond the intended edit")),
}
ACCEPTS: dict[str | None, tuple[str, ...]] = {
    None: tuple(RUN_OPTIONS), "check": tuple(RUN_OPTIONS),
    "report": ("project", "python", "offline", "untrusted", "only", "skip", "model", "base_url", "timeout",
               "prompt_file", "strict"),
    "demo": ("only", "skip", "timeout", "strict", "verbose", "no_color"),  # the demo builds its own project
    "list": (), "explain": (),
}
_FLAGS = frozenset(flag for flags, _ in RUN_OPTIONS.values() for flag in flags)
# The formats each command prints; the first is its default.
FORMAT_CHOICES: dict[str | None, tuple[str, ...]] = {
    None: FORMATS, "check": FORMATS, "demo": FORMATS, "report": ("markdown", "json"),
    "list": ("text", "json"), "explain": ("text", "json"),
}
DESCRIPTIONS = {
    "check": "Run the checks headless and print the report (for CI: never prompts).",
    "list": "List every check: its id, title and group, and whether it goes online or spends tokens.",
    "explain": "Explain a diagnosis code, a check, an HTTP status such as 429, or a pasted error or traceback.",
    "report": "Run the checks and write a redacted support bundle, safe to attach to a ticket.",
    "demo": "Run the guided diagnosis on a sample project against the built-in sandbox API: no key, no network.",
}


def _add_options(parser: argparse.ArgumentParser, command: str | None) -> None:
    """The run options `command` accepts, and its --format. SUPPRESS keeps an option given before
    the command (`llm-doctor --offline report`) from being reset by the command's own default."""
    formats = FORMAT_CHOICES[command]
    parser.add_argument("--format", choices=formats, default=argparse.SUPPRESS,
                        help=f"the output format (default: {formats[0]})")
    for dest in ACCEPTS[command]:
        flags, spec = RUN_OPTIONS[dest]
        parser.add_argument(*flags, dest=dest, default=argparse.SUPPRESS, **spec)


DEFAULTS = dict(project=None, python=None, format="text", offline=False, untrusted=False, only=[], skip=[], model=None,
                staged=False, base_url=None, timeout=None, prompt_file=None, strict=False, verbose=False, no_color=False,
                fix=False, yes=False, unsafe_fixes=False)


class Parser(argparse.ArgumentParser):
    """argparse's parser, which also answers a mistyped command with the one meant ("did you mean `check`?")."""

    def error(self, message: str) -> NoReturn:
        chosen = re.search(r"invalid choice: '([^']{1,100})'", message[:500]) if "COMMAND" in message else None
        if chosen:
            import difflib

            close = difflib.get_close_matches(chosen.group(1), [c for c in COMMANDS if c], n=1)
            if close:
                message = f"{message}; did you mean `llm-doctor {close[0]}`?"
        super().error(message)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="llm-doctor",
        description="Finds out why calls to the OpenAI API (or a compatible API) fail, and how to fix them. "
                    "Without a command: the terminal app in a terminal, else the same as `check`.",
    )
    _add_options(parser, None)
    parser.add_argument("--version", action="version", version=f"llm-doctor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands = {name: sub.add_parser(name, help=text[:1].lower() + text[1:].rstrip("."), description=text)
                for name, text in DESCRIPTIONS.items()}
    for name, command in commands.items():
        _add_options(command, name)
        command.add_argument("--version", action="version", version=f"llm-doctor {__version__}")  # as --help is
    commands["explain"].add_argument(
        "topic", metavar="CODE|TEXT|-", nargs="*",
        help="a diagnosis code (e.g. key-shadowed), a check id, an HTTP status or a word such as quota, "
             "an error message, or - for stdin")
    commands["report"].add_argument("-o", "--output", metavar="FILE", help="write it to FILE (default: stdout)")
    commands["report"].add_argument("--error", metavar="FILE|-", help="the error the user saw (a file, or - for "
                                    "stdin): redacted and explained at the top of the bundle")
    demo = commands["demo"]
    demo.add_argument("scenario", nargs="?", default="healthy", metavar="SCENARIO",
                      help="what the sandbox API does (default healthy; --list shows them all)")
    demo.add_argument("--list", action="store_true", dest="list_scenarios", help="list the scenarios")
    demo.add_argument("--latency", type=float, default=0.0, metavar="SECONDS", help="added delay per request")
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line, with every run option set (the parsers leave unset ones out).

    An option may stand before the command (`llm-doctor --offline report`), where the main parser
    takes it; one the command does not accept is a usage error there too.
    """
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    command = args.command
    name = f"`llm-doctor {command}`" if command else "`llm-doctor`"
    misplaced = [flags[-1] for dest, (flags, _) in RUN_OPTIONS.items()
                 if hasattr(args, dest) and dest not in ACCEPTS[command]]
    misplaced += [flag for flag in (word.split("=")[0] for word in unknown) if flag in _FLAGS]
    if misplaced:
        parser.error(f"{misplaced[0]} does not apply to {name}")
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    formats = FORMAT_CHOICES[command]
    if getattr(args, "format", formats[0]) not in formats:
        parser.error(f"{name} prints {' or '.join(formats)}, not {args.format}")
    for dest, value in {**DEFAULTS, "format": formats[0]}.items():
        if not hasattr(args, dest):
            setattr(args, dest, value)
    return args


class PlainWhereNeeded:
    """A text stream that never fails to encode: on a stream that cannot show some character
    (PYTHONIOENCODING=ascii, a Windows console's cp1252), it writes a plain equivalent or an escape."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.encoding = getattr(stream, "encoding", None) or "utf-8"

    def write(self, text: str) -> int:
        try:
            text.encode(self.encoding)
        except UnicodeEncodeError:
            text = text.translate(_PLAIN).encode(self.encoding, "backslashreplace").decode(self.encoding)
        except LookupError:
            pass
        return self.stream.write(text)

    def __getattr__(self, name: str):  # flush, isatty, fileno...
        return getattr(self.stream, name)


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Runs one command; a closed pipe (`check | head -2`) ends it quietly with 141."""
    try:
        code = _main(argv, stdout, stderr)
        (stdout or sys.stdout).flush()  # inside the try: the last buffered lines may meet the closed pipe
        return code
    except BrokenPipeError:
        try:  # the reader is gone: nothing more can be printed, and Python must not complain at exit
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_PIPE_CLOSED


def entry() -> NoReturn:
    """The installed commands and `python -m doctor`: `main`, then the process ends at once.

    Everything the run opened is closed by then (files written atomically, child processes,
    the demo's sandbox). What is left is Python's own teardown, which frees every object and
    module one by one: 20-30 ms, a tenth of an offline run, for memory the system takes back
    anyway. Nor does the exit wait for a thread still blocked on a read the run gave up on.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: main already said what it could
            pass
    os._exit(code)


def _main(argv: Sequence[str] | None, stdout: TextIO | None, stderr: TextIO | None) -> int:
    stdout = PlainWhereNeeded(stdout or sys.stdout)  # type: ignore[assignment]
    stderr = stderr or sys.stderr
    if stderr is sys.stderr:
        sys.stderr = PlainWhereNeeded(sys.stderr)  # type: ignore[assignment]
        stderr = sys.stderr
    args = parse_args(argv)  # before loading the engine, so --help and --version answer at once
    from doctor.context import environ_snapshot

    environ = environ_snapshot()
    module = COMMANDS[args.command]
    try:
        return importlib.import_module(f"doctor.commands.{module}").run(args, environ, stdout)
    except UsageError as error:
        print(f"llm-doctor: error: {error}", file=stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("llm-doctor: interrupted", file=stderr)
        return EXIT_INTERRUPTED


def prepare(args: argparse.Namespace) -> tuple:
    """Validates the run's inputs; every problem is a one-line usage error."""
    from checks import ALL_CHECKS
    from doctor.runner import SelectionError, select
    from doctor.project.pyproject import read_pyproject
    from doctor.settings import ConfigError, Flags, read_project_config

    project = Path(args.project or ".").expanduser()
    if not project.is_dir():
        raise UsageError(f"project directory {project} does not exist" if not project.exists()
                         else f"{project} is not a directory")
    project = project.resolve()
    if args.python and not Path(args.python).expanduser().exists():
        raise UsageError(f"--python {args.python}: no such file")
    if args.prompt_file:
        from doctor.files import KINDS, probe

        kind = probe(project / args.prompt_file)
        if kind != "file":
            raise UsageError(f"--prompt-file {args.prompt_file}: " + ("no such file" if kind == "missing" else KINDS[kind]))
    try:
        config = read_project_config(read_pyproject(project))
        checks = select(ALL_CHECKS, args.only, args.skip)
        select(ALL_CHECKS, skip=config.skip)  # a typo in [tool.llm-doctor] skip is a usage error too
    except (ConfigError, SelectionError) as error:
        raise UsageError(str(error)) from None
    flags = Flags(python=str(Path(args.python).expanduser().absolute()) if args.python else None, model=args.model,
                  base_url=args.base_url, timeout=args.timeout, prompt_file=args.prompt_file,
                  offline=args.offline, untrusted=args.untrusted, staged=args.staged, only=tuple(args.only), skip=tuple(args.skip),
                  python_label=getattr(args, "python_label", None))
    return project, flags, config, checks


def interactive(stdout: TextIO, environ: Mapping[str, str]) -> bool:
    """The TUI only where a person is looking at a terminal that can draw it: stdout and stdin
    are both terminals, TERM is not `dumb`, and there is room for the app (see MIN_TUI_SIZE)."""
    return is_terminal(stdout, environ) and not terminal_too_small(stdout)


def is_terminal(stdout: TextIO, environ: Mapping[str, str]) -> bool:
    """A person at a terminal that can draw: stdout and stdin are terminals and TERM is not `dumb`."""
    if environ.get("TERM") == "dumb" or not (getattr(stdout, "isatty", lambda: False)() and sys.stdin.isatty()):
        return False
    try:
        os.get_terminal_size(stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return True


def terminal_too_small(stdout: TextIO) -> str | None:
    """Why a terminal cannot hold the app ("the terminal is 50x15; the app needs at least 60x20"), or None."""
    try:
        size = os.get_terminal_size(stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return None
    if size.columns >= MIN_TUI_SIZE[0] and size.lines >= MIN_TUI_SIZE[1]:
        return None
    return f"the terminal is {size.columns}x{size.lines}; the app needs at least {MIN_TUI_SIZE[0]}x{MIN_TUI_SIZE[1]}"
