"""The project's Python as one code base: which files were read, parsed, and what they import.

Only files that can matter are parsed: a file that names neither the SDK, nor python-dotenv,
nor the environment cannot hold one of code-usage's problems, and parsing a thousand
unrelated modules would cost a second. Such files are still read (their bytes are a cheap
search) and counted; one that looks broken (a merge conflict marker, a Python 2 print, NUL
bytes) is parsed to confirm it, and one imported for a constant (`from config import MODEL`)
is parsed when asked for. A file that names none of these but imports a module of the project
that offers a helper around the API (`from app.llm import ask`) is parsed too, after the others,
so the rules can follow values through that helper.

The work is bounded by what is read, never by the clock, so an unchanged tree gives the same
findings on every run, on a fast laptop or a busy CI runner: files are taken in path order,
and parsing stops after MAX_PARSED_FILES files or MAX_PARSED_NODES syntax nodes; a .py file
larger than MAX_SOURCE_BYTES, one with a line longer than MAX_LINE (minified) and one whose tree
alone is larger than MAX_NODES_PER_FILE are left out whole, before they cost a parse where it can.
The result says what was left out, and which files those are.
"""

from __future__ import annotations

import asyncio
import re
from functools import cache
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from doctor.namedtuples import named_tuple
from doctor.project.byte_search import holding
from doctor.project.source_files import ProjectFiles, project_files

if TYPE_CHECKING:
    import ast

    from doctor.context import Context
    from doctor.files import FileRead
    from doctor.project.openai_usage import Imported, ModuleUsage
    from doctor.project.python_sources import Source, Unreadable

    Function = ast.FunctionDef | ast.AsyncFunctionDef

# The SDK's resources, as code reaches them (`client.responses.create`): a file that uses a client
# built elsewhere names no "openai", only these.
SDK_RESOURCES = ("chat", "completions", "responses", "embeddings", "beta", "images", "audio", "moderations",
                 "files", "batches", "fine_tuning", "vector_stores", "uploads", "models", "realtime", "containers",
                 "conversations", "evals", "webhooks")
# A cheap superset of what may matter, looked for in every file: "penai" in any case spelling the SDK, "env" in
# dotenv, environ and getenv; then the resources, in one search.
RELEVANT = (b"penai", b"penAI", b"PENAI", b"env", b"RateLimitError")
# Ways to load .env other than load_dotenv(): settings classes, other readers, IPython's %dotenv.
LOADS_DOTENV = (b"dotenv", b"env_file", b"read_env", b"decouple", b"environs")
# Files that load .env for the code they run, and what says so: direnv, compose, make and
# just, pytest-dotenv. (A dependency on python-dotenv loads nothing: it is not a marker.)
LOADER_FILES = {
    ".envrc": (b"dotenv",), "docker-compose.yml": (b"env_file",), "docker-compose.yaml": (b"env_file",),
    "compose.yml": (b"env_file",), "compose.yaml": (b"env_file",), "Makefile": (b".env",),
    "justfile": (b"dotenv-load", b".env"), "pyproject.toml": (b"env_files", b"env-file"),
    "pytest.ini": (b"env_files",), "tox.ini": (b"env_files", b"env-file"), "setup.cfg": (b"env_files",),
}
SMALL_CODE_BASE = 64 * 1024  # bytes of Python: below it, a few searches cost less than compiling a pattern
PYTHON_SUFFIXES = (".py", ".ipynb", ".pyw")  # the files read as the project's Python
MAX_PARSED_FILES = 2000
MAX_PARSED_NODES = 1_500_000  # about 12 MB of ordinary source
MAX_NODES_PER_FILE = 200_000
MAX_SOURCE_BYTES = 512 * 1024  # of one .py file: larger is generated code (a notebook counts its nodes only)
MAX_LINE = 10_000  # characters on one line: minified or generated code, not worth the parse


@named_tuple
class Module:
    name: str  # dotted: "app.llm"
    source: Source
    usage: ModuleUsage

    @property
    def path(self) -> str:
        return self.source.path


class CodeBase:
    """What read_code_base found. (A plain class: defining it as a dataclass cost a millisecond of
    every run that reads code, more than reading the guide's one file.)"""

    def __init__(self, files: ProjectFiles) -> None:
        self.files = files
        self.modules: list[Module] = []
        self.unreadable: list[Unreadable] = []
        self.python_files = 0  # .py and .ipynb files of the project
        self.relevant = 0  # files that mention what code-usage reads (parsed or not)
        self.not_reached: list[str] = []  # relevant files past the parse budget, in path order
        self.loads_dotenv = False  # something in the project loads .env
        self.derived: dict[object, object] = {}  # what the rules work out once a run, by key
        self._by_name: dict[str, str] = {}  # dotted module name -> path
        self._parsed: dict[str, Module | None] = {}
        self._nodes = 0  # syntax nodes parsed so far, against the budget

    def module(self, name: str) -> Module | None:
        """The project's module of that dotted name, parsed on first use; None when not the project's."""
        path = self._by_name.get(name)
        if path is None:
            return None
        if path not in self._parsed:
            parsed = self.parse(path)
            self._parsed[path] = parsed if isinstance(parsed, Module) else None
        return self._parsed[path]

    def parse(self, path: str, found: FileRead | None = None) -> Module | Unreadable:
        """One file of the project, parsed, with what it does with the SDK (imported here: the
        parser costs an import only when there is Python to read). A tree larger than
        MAX_NODES_PER_FILE is left out: no hand-written module is that large."""
        from doctor.project.openai_usage import ModuleUsage
        from doctor.project.python_sources import Unreadable, parse_file

        found = found or self.files.read(path)
        too_much = _generated(path, found.data or b"")
        if too_much:
            return Unreadable(path, None, too_much)
        parsed = parse_file(path, found)
        if isinstance(parsed, Unreadable):
            return parsed
        usage = ModuleUsage.read(parsed.tree, MAX_NODES_PER_FILE)
        if usage is None:
            return Unreadable(path, None, f"holds more than {MAX_NODES_PER_FILE:,} syntax nodes (generated or "
                                          "minified code), more than the doctor reads in one file")
        return Module(module_name(path), parsed, usage)

    def resolve(self, importer: Module, module: str, name: str | None, level: int) -> Module | None:
        """The project module an import statement brings in (`from . import llm`, `import app.llm`)."""
        if level:
            package = importer.name.split(".")
            is_package = PurePosixPath(importer.path).name == "__init__.py"
            base = package[:len(package) - level + (1 if is_package else 0)]
            module = ".".join([*base, *([module] if module else [])])
        for candidate in ([f"{module}.{name}", module] if name else [module]):
            found = self.module(candidate.strip("."))
            if found is not None:
                return found
        return None

    def _take(self, path: str, max_files: int, max_nodes: int) -> None:
        """Parses one file that can matter, within the budget (else it is counted as not reached)."""
        from doctor.project.python_sources import Unreadable

        self.relevant += 1
        if len(self.modules) >= max_files or self._nodes >= max_nodes:
            self.not_reached.append(path)
            return
        parsed = self._parsed.get(path) or self.parse(path)  # an import may have parsed it already
        if isinstance(parsed, Unreadable):
            self.unreadable.append(parsed)
            return
        self._parsed[path] = parsed
        self.modules.append(parsed)
        self._nodes += len(parsed.usage.nodes)

    def function_called(self, module: Module, call: ast.Call) -> tuple[Module, Function] | None:
        """The project's own function a call runs, one step: `ask(...)` defined in the module or
        imported from a module of the project (`from app.llm import ask`, `llm.ask(...)`)."""
        import ast

        func = call.func
        if isinstance(func, ast.Name):
            local = module.usage.functions.get(func.id)
            if local is not None:
                return module, local
            for imported in module.usage.imports:
                if imported.name == func.id and _bound_as(imported, func.id):
                    source = self.resolve(module, imported.module, None, imported.level)
                    found = source.usage.functions.get(func.id) if source is not None else None
                    if found is not None:
                        return source, found  # type: ignore[return-value]
        origin = module.usage.origin(func)
        if origin and "." in origin:
            owner, _, name = origin.rpartition(".")
            source = self.module(owner)
            found = source.usage.functions.get(name) if source is not None else None
            if found is not None:
                return source, found  # type: ignore[return-value]
        return None


def _bound_as(imported: Imported, local: str) -> bool:
    """Whether `from m import name` binds `name` itself (no `as other`)."""
    return any(alias.name == imported.name and (alias.asname or alias.name) == local
               for alias in imported.statement.names)  # type: ignore[attr-defined]


def module_name(path: str) -> str:
    """"src/app/llm.py" -> "app.llm"; a notebook keeps its file name."""
    parts = path.rsplit(".", 1)[0].split("/")  # every path here ends in .py, .pyw or .ipynb
    if parts[0] in ("src", "lib") and len(parts) > 1:
        parts = parts[1:]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def read_code_base(files: ProjectFiles, max_files: int | None = None, max_nodes: int | None = None) -> CodeBase:
    """Reads every Python file and notebook of the project, parsing the ones that can matter, in
    path order, until the parse budget (files, syntax nodes; MAX_PARSED_* unless given) is spent."""
    max_files = MAX_PARSED_FILES if max_files is None else max_files
    max_nodes = MAX_PARSED_NODES if max_nodes is None else max_nodes
    base = CodeBase(files)
    paths = files.with_suffix(*PYTHON_SUFFIXES)
    base.python_files = len(paths)
    if paths:  # the parser's modules cost an import only when there is Python to read
        from doctor.project.python_sources import SUSPECT_WORDS, Unreadable, looks_broken, parse_file
    base._by_name = {module_name(p): p for p in paths if not p.endswith(".ipynb")}
    skipped: list[str] = []
    reads = files.read_many(paths)
    # The files that may matter, and the few that may look broken: each word looked for once in all of them.
    datas = [found.data or b"" for found in reads]
    wanted = _may_matter(datas)
    suspect = holding(datas, SUSPECT_WORDS) if paths else set()
    for index, (path, found) in enumerate(zip(paths, reads)):
        data = datas[index]
        if found.ok and index not in wanted:
            if index in suspect and looks_broken(data):  # a conflict, Python 2 or a binary: worth the parse
                parsed = parse_file(path, found)
                if isinstance(parsed, Unreadable):
                    base.unreadable.append(parsed)
            elif found.ok and b"import" in data:
                skipped.append(path)
            continue
        base.loads_dotenv = base.loads_dotenv or any(word in data for word in LOADS_DOTENV)
        base._take(path, max_files, max_nodes)
    # Second, the files that import a module of the project that calls the API, for its helpers.
    helpers = _helper_words(base.modules) if skipped else None  # compiled only when there is a file to search
    for path in skipped if helpers else ():
        if helpers.search(files.read(path).data or b""):
            base._take(path, max_files, max_nodes)
    base.modules.sort(key=lambda m: m.path)
    base.loads_dotenv = base.loads_dotenv or _loaded_by_tools(files)
    return base


def _generated(path: str, data: bytes) -> str | None:
    """Why a .py file is left unparsed as generated or minified code, or None: parsing it would
    cost seconds and no one writes API calls there by hand."""
    if path.endswith(".ipynb"):
        return None
    if len(data) > MAX_SOURCE_BYTES:
        return f"is {len(data) // 1024} KB of Python, larger than the {MAX_SOURCE_BYTES // 1024} KB the doctor " \
               "parses in one file (generated code?)"
    longest = max(map(len, data.split(b"\n"))) if len(data) > MAX_LINE else 0
    if longest > MAX_LINE:
        return f"looks minified or generated (a line of {longest:,} characters), so it was not parsed"
    return None


def _may_matter(datas: list[bytes]) -> set[int]:
    """The files that name the SDK, python-dotenv or the environment (RELEVANT), or use one of the
    SDK's resources (`.responses.`, `.chat.`...). In a small code base the resources are looked for
    as words, one search each; past about 64 KB one pattern for them all is faster, even with the
    0.6 ms its compiling costs."""
    if sum(map(len, datas)) < SMALL_CODE_BASE:
        return holding(datas, (*RELEVANT, *(b".%s." % name.encode() for name in SDK_RESOURCES)))
    return holding(datas, RELEVANT, _resource())


@cache
def _resource() -> re.Pattern[bytes]:
    return re.compile(rb"\.(?:" + b"|".join(name.encode() for name in SDK_RESOURCES) + rb")\.")


def _helper_words(modules: list[Module]) -> re.Pattern[bytes] | None:
    """What a file that uses the API through the project's own helpers must spell: the name of a
    module that offers such a helper (`from app import llm`, `from app.llm import ask`)."""
    names = sorted({m.name.rsplit(".", 1)[-1] for m in modules if m.name and _offers_helpers(m)})
    return re.compile(rb"\b(?:" + b"|".join(re.escape(n).encode() for n in names) + rb")\b") if names else None


def _offers_helpers(module: Module) -> bool:
    """Whether a module has a function whose request the rules can follow from its callers: one that
    returns a plain value (the reply or its text), takes `**options`, or takes the model as a parameter."""
    import ast

    for call in module.usage.api_calls:
        function = call.scope
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        parameters = {a.arg for a in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs)}
        model = call.args.get("model")
        if function.args.kwarg or isinstance(model, ast.Name) and model.id in parameters or any(
                n.value is not None and not isinstance(n.value, (ast.BoolOp, ast.IfExp))  # type: ignore[attr-defined]
                for n in module.usage.in_scope(function, ast.Return)):
            return True
    return False


def _loaded_by_tools(files: ProjectFiles) -> bool:
    listed = set(files.paths)
    return any(name in listed and any(marker in (files.read(name).data or b"") for marker in markers)
               for name, markers in LOADER_FILES.items())


async def project_code(ctx: Context) -> CodeBase:
    """The run's one reading of the project's code (code-usage and the fixes share it)."""
    async def read() -> CodeBase:
        return await asyncio.to_thread(read_code_base, await project_files(ctx))

    return await asyncio.shield(ctx.once("code-base", read))
