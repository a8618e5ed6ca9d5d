"""The Context: everything a check may read, gathered once per run.

This is the only module that reads `os.environ`. Checks see the shell environment
and the project's `.env` through `lookup`, which resolves a variable exactly as the
guide's `load_dotenv()` would (the shell wins; `.env` fills the gaps) and says where
the value came from, so a fix can point at the right place.

The command line imports this module first thing, to snapshot the environment, so the
helpers that only `build` and `interpreter` use are imported there: the TUI paints its
first frame without them.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Mapping, Sequence

from doctor.settings import DEFAULT_BASE_URL, DEFAULT_MODEL, DEFAULT_TIMEOUT, Flags, ProjectConfig

from doctor.process import Processes

if TYPE_CHECKING:
    from doctor.model import Check, Report, Result
    from doctor.project.dotenv_files import DotenvFile
    from doctor.project.environment import Target
    from doctor.project.interpreter import InterpreterFacts
    from doctor.project.pyproject import Pyproject
    from doctor.project.record import Record
    from doctor.project.tools import Tool
    from doctor.redact import Redactor

# `.env` values under these names are settings the fixes must name, not secrets.
PUBLIC_SETTINGS = frozenset(
    {"OPENAI_BASE_URL", "OPENAI_MODEL", "OPENAI_API_VERSION", "OPENAI_API_TYPE", "OPENAI_LOG", "OPENAI_API_BASE"}
)
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSW|ORG_ID|PROJECT_ID|ORGANIZATION|CREDENTIAL", re.I)


@dataclass(frozen=True)
class EnvValue:
    """A variable's value and where it came from: "shell", or ".env" with its line."""

    name: str
    value: str
    source: str
    line: int | None = None
    file: str = ".env"  # the .env's path from the project, when it is not the project's own
    cut: str | None = None  # what the doctor's own cap left out of a .env value (see dotenv_files.Entry)

    @property
    def where(self) -> str:
        return f"{self.file} line {self.line}" if self.source == ".env" else "the shell environment"


@dataclass
class Context:
    project: Path
    shell: Mapping[str, str]
    dotenv: DotenvFile
    flags: Flags
    config: ProjectConfig
    target: Target
    redactor: Redactor
    pyproject: Pyproject
    record: Record
    today: date = field(default_factory=date.today)
    platform: str = sys.platform
    interpreter_facts: InterpreterFacts | None = None  # probed on first use; tests may set it
    _facts_task: asyncio.Task[InterpreterFacts] | None = None
    cache: dict[str, Any] = field(default_factory=dict)  # probes shared between checks
    processes: Processes = field(default_factory=Processes)  # every child process of the run
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    _http: Any = None

    @classmethod
    def build(cls, project: Path, flags: Flags, config: ProjectConfig | None = None,
              environ: Mapping[str, str] | None = None, today: date | None = None,
              pyproject: Pyproject | None = None) -> "Context":
        """Gathers the run's inputs. `environ` defaults to the real process environment."""
        from doctor.project.dotenv_files import locate_dotenv, shown_path
        from doctor.project.environment import resolve_target
        from doctor.project.pyproject import read_pyproject

        shell = dict(os.environ if environ is None else environ)
        config = config or ProjectConfig()
        dotenv_path = locate_dotenv(project)
        pyproject = pyproject or read_pyproject(project)
        dotenv, record = read_inputs(project, shell, dotenv_path, shown_path(dotenv_path, project), pyproject,
                                     run_deadline(flags, config))
        # A record not read in time names no llm-api-doctor: the doctor's own Python is not taken for the project's.
        target = resolve_target(project, flags.python, shell, pyproject, record.tool,
                                record.unfinished is None and record.names_doctor)
        if flags.python_label and target.path is not None:
            from dataclasses import replace

            target = replace(target, source=flags.python_label)
        return cls(
            project=project,
            shell=shell,
            dotenv=dotenv,
            flags=flags,
            config=config,
            target=target,
            redactor=build_redactor(shell, dotenv, flags),
            pyproject=pyproject,
            record=record,
            today=today or date.today(),
            processes=Processes(timeout=flags.timeout or config.timeout),  # git waits no longer than --timeout
        )

    # -- variables, as the user's code sees them -------------------------------------
    def shell_value(self, name: str) -> EnvValue | None:
        return EnvValue(name, self.shell[name], "shell") if name in self.shell else None

    def dotenv_value(self, name: str) -> EnvValue | None:
        entry = self.dotenv.get(name) if self.dotenv.readable else None
        if entry is None or entry.value is None:
            return None
        return EnvValue(name, entry.value, ".env", entry.line, self.dotenv.shown, entry.cut)

    def lookup(self, name: str) -> EnvValue | None:
        """The value after `load_dotenv()`: the shell wins, since it does not override."""
        return self.shell_value(name) or self.dotenv_value(name)

    @property
    def api_key(self) -> EnvValue | None:
        return self.lookup("OPENAI_API_KEY")

    @property
    def tool(self) -> Tool:
        """The project's package tool, with the target interpreter as pip's runner."""
        from doctor.project.tools import Tool, folder_command, python_command

        return Tool(self.record.tool, python_command(self.target.path, self.project, self.shell.get("PATH", "")),
                    folder_command(self.target.workspace, self.project))

    # -- settings ----------------------------------------------------------------------
    @property
    def base_url(self) -> EnvValue:
        if self.flags.base_url is not None:
            return EnvValue("OPENAI_BASE_URL", self.flags.base_url, "--base-url")
        return self.lookup("OPENAI_BASE_URL") or EnvValue("OPENAI_BASE_URL", DEFAULT_BASE_URL, "default")

    @property
    def model(self) -> str:
        return self.model_choice[0]

    @property
    def model_choice(self) -> tuple[str, str]:
        """(model, where it was chosen): --model, OPENAI_MODEL, [tool.llm-doctor], or the default."""
        if self.flags.model:
            return self.flags.model, "--model"
        env = self.lookup("OPENAI_MODEL")
        if env and env.value.strip():
            return env.value.strip(), f"OPENAI_MODEL in {env.where}"
        if self.config.model:
            return self.config.model, "[tool.llm-doctor] model"
        return DEFAULT_MODEL, "default"

    @property
    def timeout(self) -> float:
        return run_deadline(self.flags, self.config)[0]

    @property
    def prompt_file(self) -> Path | None:
        name = self.flags.prompt_file or self.config.prompt_file
        return (self.project / name) if name else None

    # -- the network, for live checks only -----------------------------------------------
    def http(self) -> Any:
        """The run's one httpx.AsyncClient, created (and httpx imported) on first use."""
        if self._http is None:
            from doctor.http import build_client

            self._http = build_client(self.base_url.value.strip(), self.shell, self.timeout)
        return self._http

    def report(self, checks: Sequence[Check], results: Mapping[str, Result], duration_ms: int) -> Report:
        """The run's Report: every check's result in registry order, with the project and its Python."""
        from doctor import __version__
        from doctor.model import Report

        return Report(__version__, str(self.project), str(self.target.path or ""),
                      tuple((c, results[c.id]) for c in checks), duration_ms, self.target.source)

    def background(self, work: Awaitable[Any]) -> asyncio.Task[Any]:
        """Starts work the run owns (a shared probe, a warm-up): `aclose` cancels what is left of it."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        return task

    def once(self, name: str, start: Callable[[], Awaitable[Any]]) -> asyncio.Task[Any]:
        """The run's one task for `name` (a probe, the project's files): the first caller starts it,
        every later one gets the same task. Await it through `asyncio.shield`, so one caller's
        cancellation does not cancel the others' answer."""
        task = self.cache.get(name)
        if task is None:
            task = self.cache[name] = self.background(start())
        return task

    async def aclose(self) -> None:
        """Ends everything the run started, whatever was cancelled when: background work,
        every child process (with the processes it started), and the HTTP client."""
        tasks = [t for t in self._tasks if not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        await self.processes.kill_all()
        if self._http is not None:
            http, self._http = self._http, None
            try:
                await asyncio.wait_for(http.aclose(), 5)
            except (asyncio.TimeoutError, TimeoutError):
                pass

    # -- the target interpreter, probed once ---------------------------------------------
    def start_probe(self) -> None:
        """Starts the probe of the target now (a check's warmup), so the project's Python starts
        up while the checks do their own first work instead of after it."""
        if self.interpreter_facts is None and self._facts_task is None:
            from doctor.project.interpreter import probe

            self._facts_task = self.background(probe(self.target, self.shell, self.processes,
                                                     untrusted=self.flags.untrusted))

    async def interpreter(self) -> InterpreterFacts:
        """The target's facts; concurrent callers share one probe."""
        if self.interpreter_facts is None:
            self.start_probe()
            self.interpreter_facts = await asyncio.shield(self._facts_task)
        return self.interpreter_facts


def run_deadline(flags: Flags, config: ProjectConfig) -> tuple[float, str]:
    """The run's timeout in seconds, and where it was chosen, as messages name it."""
    if flags.timeout:
        return flags.timeout, "--timeout"
    if config.timeout:
        return config.timeout, "[tool.llm-doctor] timeout"
    return DEFAULT_TIMEOUT, "the default --timeout"


def read_inputs(project: Path, shell: Mapping[str, str], dotenv_path: Path, shown: str, pyproject: Pyproject,
                deadline: tuple[float, str]) -> tuple[DotenvFile, Record]:
    """`.env` and the record of packages, read in a thread the run waits for until its deadline
    (see doctor/project/unread.py); one not read by then is an Unread copy that says so."""
    from doctor.project.dotenv_files import UnreadDotenv, read_dotenv
    from doctor.project.record import UnreadRecord, read_record
    from doctor.project.tools import tool_name
    from doctor.project.unread import within

    seconds, source = deadline
    dotenv, record = within(seconds, lambda: read_dotenv(dotenv_path, shell, shown),
                            lambda: read_record(project, pyproject))
    within_words = f"within {seconds:g} s ({source})"
    if dotenv is None:
        dotenv = UnreadDotenv(dotenv_path, os.path.lexists(dotenv_path), shown=shown,
                              unfinished=f"reading {shown} did not finish {within_words}; nothing it holds was checked")
    if record is None:
        record = UnreadRecord(tool_name(project, pyproject), "unread", unfinished=(
            "reading the project's record of packages (its lock file, requirements or pyproject.toml) did not "
            f"finish {within_words}; nothing was checked against it"))
    return dotenv, record


_TOKEN_SHAPE = re.compile(r"(?=[^\d]*\d)(?=[^A-Za-z]*[A-Za-z])[A-Za-z0-9_\-+=.]{20,}")


def looks_secret(name: str, value: str, *, by_shape: bool = True) -> bool:
    """A value to mask in every form and fragment: named like a secret, or shaped like a key or a
    token (`by_shape`; not for the shell, whose long paths and ids would be masked everywhere)."""
    from doctor.redact import KEY_SHAPES

    if _SECRET_NAME.search(name) or KEY_SHAPES.search(value):
        return True
    return by_shape and bool(_TOKEN_SHAPE.fullmatch(value.strip()))


def build_redactor(shell: Mapping[str, str], dotenv: DotenvFile, flags: Flags) -> Redactor:
    """Every secret the run knows: keys and tokens from the shell and `.env`, the passwords in
    proxy URLs, and secrets in the base URL's query string. Other `.env` values are private too,
    but may be ordinary words: they are masked only whole."""
    from urllib.parse import parse_qsl, urlsplit

    from doctor.redact import URL_SECRET_PARAMETER, Redactor

    redactor = Redactor()
    read = dotenv.unfinished is None  # a .env not read in time gave the run none of its values
    values = [(name, value, True) for name, value in shell.items()] + \
        [(e.key, v, False) for e in (dotenv.entries if read else ()) for v in (e.value, e.raw)
         if v and e.key not in PUBLIC_SETTINGS]
    values.sort(key=lambda named: named[0] != "OPENAI_API_KEY")  # the key first: the redactor's windows are capped
    for name, value, from_shell in values:
        if looks_secret(name, value, by_shape=not from_shell):
            redactor.add(value)
        elif not from_shell:
            redactor.add_weak(value)
        if "://" in value and "@" in value:  # a proxy or a database URL with a password
            userinfo = value.split("://", 1)[1].rsplit("@", 1)[0]
            redactor.add(userinfo.partition(":")[2] or userinfo)
    for url in (flags.base_url, shell.get("OPENAI_BASE_URL"), read and dotenv.get("OPENAI_BASE_URL") and
                dotenv.get("OPENAI_BASE_URL").value):  # type: ignore[union-attr]
        if url and "?" in url:
            for key, value in parse_qsl(urlsplit(url.strip()).query, keep_blank_values=False):
                if URL_SECRET_PARAMETER.search(f"?{key}=x"):
                    redactor.add(value)
    return redactor


def environ_snapshot() -> dict[str, str]:
    """A copy of the process environment, for the command line's own choices (colour)."""
    return dict(os.environ)
