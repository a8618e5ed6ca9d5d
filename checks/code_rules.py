"""code-usage's rules: each one reads the code base and names the lines where the guide's mistakes are.

A rule reports only what the syntax proves. A value it cannot follow (built by another
function, passed in, spread from `**options`) is unknown, and the unknown is never a finding:
a false alarm teaches people to ignore the doctor, a miss only leaves the live checks to
catch the mistake later. Each rule returns `Hit`s; checks/code_usage.py turns them into
findings with the catalogue's fix, so `llm-doctor explain` and the check agree.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, TypeVar

from checks.code_usage import Environment
from doctor.namedtuples import named_tuple
from doctor.project.code_base import CodeBase, Module
from doctor.project.secrets import looks_fake
from doctor.project.openai_usage import (
    REMOVED_EXCEPTIONS, REMOVED_IN_V1, REMOVED_MODULES, ApiCall, ModuleUsage, Scope, attribute_path, constant_number,
    constant_text, dotted, keywords,
)

API_WORDS = ("KEY", "TOKEN", "OPENAI", "AZURE", "API", "BASE_URL")  # in a variable that reaches the API
PROVIDER_WORDS = ("OPENAI", "AZURE", "ANTHROPIC", "CLAUDE", "GROQ", "GEMINI", "GOOGLE", "MISTRAL", "COHERE",
                  "DEEPSEEK", "OPENROUTER", "TOGETHER", "HUGGINGFACE", "PERPLEXITY", "XAI")
KEY_VARIABLES = {"OpenAI": "OPENAI_API_KEY", "AsyncOpenAI": "OPENAI_API_KEY",
                 "AzureOpenAI": "AZURE_OPENAI_API_KEY", "AsyncAzureOpenAI": "AZURE_OPENAI_API_KEY"}
RANGES = {"temperature": (0, 2), "top_p": (0, 1), "presence_penalty": (-2, 2), "frequency_penalty": (-2, 2),
          "n": (1, 128)}
QUOTA_WORDS = ("insufficient_quota", "credit_balance_exhausted", "quota")
T = TypeVar("T")


@named_tuple
class Hit:
    code: str
    module: Module
    node: ast.AST
    message: str
    severe: bool = False  # a failure, not a warning


if TYPE_CHECKING:  # a type for readers and checkers only: subscripting Callable costs 0.2 ms at every import
    Rule = Callable[[CodeBase, Environment], Iterable[Hit]]


def _once(code: CodeBase, key: object, work: Callable[[], T]) -> T:
    """What the rules work out once a run and share (code.derived): several rules read the same
    facts of a module, and working them out again was most of the rules' time."""
    if key not in code.derived:
        code.derived[key] = work()
    return code.derived[key]  # type: ignore[return-value]


# -- helpers: what an expression is -------------------------------------------------------
def _followed(module: Module, node: ast.AST, scope: Scope, line: int,
              found: Callable[[ast.AST], T | None], depth: int = 0) -> T | None:
    """What `found` says of `node`, or of the value a name held at `line` (followed through up to four
    assignments in the scope; a `for` target is an item of its value, not the value, so it stops)."""
    answer = found(node)
    name = dotted(node) if answer is None else None
    if name is None or depth > 3:
        return answer
    bound = module.usage.binding(name, scope, line)
    if bound is None or bound.item:
        return None
    return _followed(module, bound.value, scope, bound.line, found, depth + 1)


def _reply_call(module: Module, node: ast.AST, scope: Scope, line: int) -> ApiCall | None:
    """The API call whose reply `node` is (a name bound to it, or the call itself)."""
    def call_of(value: ast.AST) -> ApiCall | None:
        value = value.value if isinstance(value, ast.Await) else value
        call = module.usage.api_call_at.get(id(value))
        return None if call is not None and "response_model" in call.args else call  # instructor: a typed object

    return _followed(module, node, scope, line, call_of)


def _stream_chunk(module: Module, node: ast.AST, scope: Scope, line: int) -> ApiCall | None:
    """The streaming call a `for chunk in stream` target came from."""
    name = dotted(node)
    bound = module.usage.binding(name, scope, line) if name else None
    if bound is None or not bound.item:
        return None
    call = _reply_call(module, bound.value, scope, bound.line)
    return call if call is not None and call.streams else None


def _content_source(module: Module, node: ast.AST, scope: Scope, line: int) -> ast.AST | None:
    """For an expression holding a reply's `.message.content`, the `... .message.content` node itself."""
    def content(value: ast.AST) -> ast.AST | None:
        is_path = isinstance(value, (ast.Attribute, ast.Subscript))
        return value if is_path and attribute_path(value)[1][-2:] == ("message", "content") else None

    return _followed(module, node, scope, line, content)


@named_tuple
class Returned:
    """What a helper of the project returns, proved from every one of its `return` statements:
    the reply of one API call (`kind` "reply") or that reply's text ("content"), and whether the
    helper itself looks at the text or the finish_reason before it returns it."""

    kind: str
    call: ApiCall
    module: Module  # where the helper and its call are
    function: ast.FunctionDef | ast.AsyncFunctionDef
    checked: bool

    @property
    def name(self) -> str:
        return self.function.name

    def sends(self, site: ast.AST, keyword: str) -> bool | None:
        """Whether the request sends `keyword` when the helper is called at `site`: its own argument,
        or one the site hands on through the helper's `**options`; None when that cannot be known."""
        if keyword in self.call.args:
            return True
        if not self.call.open_ended:
            return False
        site = site.value if isinstance(site, ast.Await) else site
        if not isinstance(site, ast.Call) or _passed_on(self.module, self.function) is not self.call or \
                any(k.arg is None for k in site.keywords):
            return None
        return any(k.arg == keyword for k in site.keywords)


def _helper_result(code: CodeBase, module: Module, node: ast.AST, scope: Scope, line: int) -> Returned | None:
    """For a value that is (a name bound to) a call of the project's own function, what that function
    returns, one call deep: `json.loads(ask(prompt))`, `text = ask(prompt); text.strip()`."""
    def called(value: ast.AST) -> Returned | None:
        value = value.value if isinstance(value, ast.Await) else value
        if not isinstance(value, ast.Call):
            return None
        found = code.function_called(module, value)
        if found is None:
            return None
        return _returned_once(code, *found)

    return _followed(module, node, scope, line, called)


def _unchecked_helpers(code: CodeBase) -> frozenset[str]:
    """The names of the project's functions that return a reply's text without looking at it."""
    return _once(code, "helpers", lambda: frozenset(
        name for module in code.modules if module.usage.api_calls for name, function in
        module.usage.functions.items() if (found := _returned_once(code, module, function)) is not None and
        found.kind == "content" and not found.checked))


def _returned_once(code: CodeBase, module: Module, function: ast.FunctionDef | ast.AsyncFunctionDef) -> Returned | None:
    """_returned, worked out once a run: the helpers rule and every rule that follows a helper ask it."""
    return _once(code, ("returned", id(function)), lambda: _returned(module, function))


def _returned(module: Module, function: ast.FunctionDef | ast.AsyncFunctionDef) -> Returned | None:
    returns: list[ast.Return] = module.usage.in_scope(function, ast.Return)  # type: ignore[assignment]
    if not returns or any(r.value is None for r in returns) or not module.usage.api_calls:
        return None
    found: set[tuple[str, int]] = set()
    call: ApiCall | None = None
    for statement in returns:
        content = _content_source(module, statement.value, function, statement.lineno)
        kind = "content" if content is not None else "reply"
        root = attribute_path(content)[0] if content is not None else statement.value
        call = _reply_call(module, root, function, statement.lineno)
        if call is None or call.scope is not function:
            return None
        found.add((kind, id(call.node)))
    if len(found) != 1 or call is None:
        return None
    checked = bool({"finish_reason", "refusal"} & set(_strings(module.usage.in_scope(function, *_WORDED)))) or \
        bool(_tested_names(module.usage, function))
    return Returned(next(iter(found))[0], call, module, function, checked)


_WORDED = (ast.Constant, ast.Attribute)  # the nodes _strings reads


def _strings(nodes: Iterable[ast.AST]) -> Iterator[str]:
    """The string literals and attribute names among some nodes (comments are not code)."""
    for child in nodes:
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            yield child.value
        elif isinstance(child, ast.Attribute):
            yield child.attr


# -- the rules -----------------------------------------------------------------------------
def pre_v1(code: CodeBase, env: Environment) -> Iterator[Hit]:
    """0.28-style names on a 1.x SDK: they raise APIRemovedInV1, an AttributeError or an ImportError
    (or, for api_base, are silently ignored)."""
    if not env.legacy_breaks:
        return
    sdk = env.sdk or f"the project's SDK is {env.openai_major}.x"
    for module, node, symbol in _once(code, "legacy names", lambda: list(_legacy_names(code))):
        what = "is ignored by" if symbol == "openai.api_base" else "was removed in"
        yield Hit("code-pre-v1", module, node, f"{symbol} {what} openai 1.0, and {sdk}", severe=True)


def _legacy_names(code: CodeBase) -> Iterator[tuple[Module, ast.AST, str]]:
    """Every 0.x name the code uses, once a line: `openai.ChatCompletion`, `openai.error.*`, the old
    exception names, `openai.embeddings_utils`, `openai.Engine`, an assignment to `openai.api_base`."""
    for module in code.modules:
        usage = module.usage
        if not usage.openai_modules and not usage.openai_names:
            continue
        seen: set[int] = set()
        for node in usage.within(usage.tree, ast.Attribute, ast.ImportFrom, ast.Import):
            symbol = _legacy_symbol(usage, node)
            if symbol and node.lineno not in seen:
                seen.add(node.lineno)
                yield module, node, symbol


def _legacy_symbol(usage: ModuleUsage, node: ast.AST) -> str | None:
    if isinstance(node, ast.Attribute) and usage.is_openai_module(node.value):
        if node.attr in REMOVED_IN_V1 or node.attr in REMOVED_MODULES or node.attr in REMOVED_EXCEPTIONS:
            return f"openai.{node.attr}"
        if node.attr == "api_base" and isinstance(node.ctx, ast.Store):
            return "openai.api_base"
    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
        top, _, sub = node.module.partition(".")
        removed = REMOVED_IN_V1 | REMOVED_EXCEPTIONS | REMOVED_MODULES
        if top == "openai" and (sub.split(".")[0] in REMOVED_MODULES or not sub and any(
                a.name in removed for a in node.names)):
            return f"from {node.module} import {', '.join(a.name for a in node.names)[:60]}"
    elif isinstance(node, ast.Import):
        names = [a.name for a in node.names if a.name.split(".")[:1] == ["openai"] and
                 a.name.split(".")[1:2] and a.name.split(".")[1] in REMOVED_MODULES]
        return f"import {names[0]}" if names else None
    return None


def _legacy_call(module: Module, value: ast.AST) -> str | None:
    """"openai.ChatCompletion.create" for a 0.x request (`openai.ChatCompletion.create(...)`)."""
    value = value.value if isinstance(value, ast.Await) else value
    if not isinstance(value, ast.Call) or not isinstance(value.func, ast.Attribute):
        return None
    owner = value.func.value
    symbol = module.usage.openai_symbol(owner)
    if symbol in REMOVED_IN_V1 and value.func.attr in ("create", "acreate"):
        return f"{_quoted(owner)}.{value.func.attr}"
    return None


def dict_access(code: CodeBase, env: Environment) -> Iterator[Hit]:
    """`response["choices"]` on a 1.x reply, which is an object; and on the reply of a 0.28-style
    call where that call must move to 1.x (code-pre-v1), so one pass of fixes is enough."""
    for module in code.modules:
        legacy = env.legacy_breaks and bool(module.usage.openai_modules | set(module.usage.openai_names))
        if not module.usage.api_calls and not legacy:
            continue
        for node in module.usage.within(module.usage.tree, ast.Subscript):
            if constant_text(node.slice) is None:  # type: ignore[attr-defined]
                continue
            root, _ = attribute_path(node.value)
            scope = module.usage.scope_of(node)
            key = constant_text(node.slice)
            call = _reply_call(module, root, scope, node.lineno) or _stream_chunk(module, root, scope, node.lineno)
            if call is not None:
                yield Hit("sdk-dict-access", module, node, f"{_quoted(node)} reads a reply of "
                          f"{_quoted(call.node.func)}() as a dict; since openai 1.0 it is an object",
                          severe=True)
                continue
            old = _followed(module, root, scope, node.lineno, lambda v: _legacy_call(module, v)) if legacy else None
            if old is not None:
                yield Hit("sdk-dict-access", module, node, f"{_quoted(node)} reads the reply of {old}() as a dict: "
                          f"once that call moves to openai 1.x the reply is an object ({key}: .{key})", severe=True)


def _quoted(node: ast.AST, limit: int = 60) -> str:
    """The expression as the code spells it, cut to `limit` characters (a message quotes what is wrong)."""
    text = _text(node)
    if text is None:
        return "this expression"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _text(node: ast.AST) -> str | None:
    """The source of an expression, or None when it nests deeper than Python can unparse."""
    try:
        return ast.unparse(node)
    except (RecursionError, ValueError):
        return None


def _key_reads(code: CodeBase, module: Module) -> list[tuple[ast.AST, str, Scope]]:
    """Where the module reads an API key from the environment: (node, variable, scope)."""
    return _once(code, ("key reads", module.path), lambda: list(_reading_keys(module)))


def _reading_keys(module: Module) -> Iterator[tuple[ast.AST, str, Scope]]:
    usage = module.usage
    for scope in usage.scopes if usage.os_names else ():
        for node in usage.in_scope(scope, ast.Subscript, ast.Call):
            read = usage.env_read(node)
            if read and any(word in read[0] for word in API_WORDS) and "MODEL" not in read[0]:
                yield node, read[0], scope
    for build in usage.clients:
        if "api_key" not in build.args and "**" not in build.args:
            yield build.node, KEY_VARIABLES[build.cls], build.scope
    for use in usage.wrappers:  # ChatOpenAI() reads OPENAI_API_KEY when it is built, as OpenAI() does
        wrapper = use.wrapper
        if wrapper.key_variable and not (set(wrapper.key_args) | {"**"}) & use.args.keys():
            yield use.node, wrapper.key_variable, use.scope


def dotenv_not_loaded(code: CodeBase, env: Environment) -> Iterator[Hit]:
    """The key lives only in .env and nothing in the project loads .env."""
    if code.loads_dotenv:
        return
    for module in code.modules:
        for node, variable, _ in _key_reads(code, module):
            if variable in env.dotenv and variable not in env.shell:
                yield Hit("dotenv-not-loaded", module, node, f"the code reads {variable}, which only .env sets, and "
                          "nothing in the project loads .env (no load_dotenv())", severe=True)


def dotenv_loaded_late(code: CodeBase, env: Environment) -> Iterator[Hit]:
    """A client built, or the key read, at import time, before load_dotenv() has run; also when
    load_dotenv() runs only inside a function, which can run only after the import."""
    reported: set[tuple[str, int]] = set()
    loads = {module.path: _first_load(module) for module in code.modules}
    at_top = any(line is not None for line in loads.values())  # then a function's load may come after it
    for module in code.modules:
        load = loads[module.path]
        inside = _loading_function(module) if load is None and not at_top else None
        if load is None and inside is None:
            continue
        when = f"before {module.path} line {load} runs load_dotenv()" if inside is None else \
            f"but load_dotenv() runs only inside {inside.name}() ({module.path} line {inside.lineno}), " \
            "which can run only after the import"
        for where, node, variable in _late_in(code, module, set()):
            if variable in env.dotenv and (where.path, node.lineno) not in reported:
                reported.add((where.path, node.lineno))
                also = " (the shell sets it too, so the code gets the shell's value, which may be stale)" \
                    if variable in env.shell else ""
                yield Hit("dotenv-loaded-late", where, node, f"{variable} is read here at import time, {when}{also}",
                          severe=variable not in env.shell)


def _first_load(module: Module) -> int | None:
    """The line of the first top-level statement that runs load_dotenv(), itself or through a
    function of the module it calls (`if __name__ == "__main__": main()` counts)."""
    if not module.usage.dotenv_names:
        return None
    loaders = {f.name for f in module.source.tree.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
               and _loads_dotenv(module, f)}
    for statement in module.source.tree.body:
        if isinstance(statement, _DEFINITIONS):
            continue
        for node in module.usage.in_scope(module.usage.tree, ast.Call, part=statement):
            if module.usage.is_dotenv_load(node) or isinstance(node.func, ast.Name) and \
                    node.func.id in loaders:  # type: ignore[attr-defined]
                return statement.lineno
    return None


def _loads_dotenv(module: Module, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return bool(module.usage.dotenv_names) and any(module.usage.is_dotenv_load(n)
                                                       for n in module.usage.in_scope(function, ast.Call))


def _loading_function(module: Module) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """A function of the module that runs load_dotenv(), when no top-level statement runs it."""
    if not module.usage.dotenv_names:
        return None
    return next((f for f in module.source.tree.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and _loads_dotenv(module, f)), None)


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _statement_index(module: Module, line: int) -> int:
    return next(i for i, s in enumerate(module.source.tree.body) if s.lineno == line)


def _import_time_reads(code: CodeBase, module: Module) -> Iterator[tuple[ast.AST, str]]:
    """Key reads that run when the module is imported (its top level; class bodies are not followed)."""
    usage = module.usage
    for node, variable, scope in _key_reads(code, module):
        if scope is usage.tree:
            yield node, variable


def _imports_in(code: CodeBase, module: Module, statement: ast.stmt) -> Iterator[Module]:
    """The project modules a top-level statement imports (also inside `try:` or `if`)."""
    if isinstance(statement, _DEFINITIONS):
        return
    nodes = {id(n) for n in module.usage.in_scope(module.usage.tree, ast.Import, ast.ImportFrom, part=statement)}
    for imported in module.usage.imports:
        if id(imported.statement) in nodes:
            found = code.resolve(module, imported.module, imported.name, imported.level)
            if found is not None:
                yield found


def _late_in(code: CodeBase, module: Module, visited: set[str], depth: int = 0) -> list[tuple[Module, ast.AST, str]]:
    """What running `module` reads too early: its own import-time reads before its own load_dotenv(),
    and those of the project modules it imports before that, each module once, eight imports deep."""
    if module.path in visited or depth > 8:
        return []
    visited.add(module.path)
    load = _first_load(module)
    found = [(module, node, variable) for node, variable in _import_time_reads(code, module)
             if load is None or node.lineno < load]
    stop = _statement_index(module, load) if load is not None else len(module.source.tree.body)
    for statement in module.source.tree.body[:stop]:
        for imported in _imports_in(code, module, statement):
            found += _late_in(code, imported, visited, depth + 1)
    return found


def env_name_mismatch(code: CodeBase, env: Environment) -> Iterator[Hit]:
    """A variable the code reads to reach the API (a key, an endpoint or base URL, an API version, a
    deployment) under a name nothing sets, while a very similar name of the same kind and provider
    is set (OPENAI_KEY and OPENAI_API_KEY): the guide's "key read under another name"."""
    defined = env.dotenv | env.shell
    for module in code.modules:
        for node, variable, _ in _key_reads(code, module):  # also what a client reads when given no key
            if not module.usage.env_read(node) and variable not in defined:
                similar = _similar(variable, defined)
                if similar:
                    where = ".env" if similar in env.dotenv else "the shell"
                    yield Hit("env-name-mismatch", module, node, f"{_quoted(node.func, 40)}() reads {variable} "
                              f"when it is built, which nothing sets; {where} sets {similar}", severe=True)
        if not module.usage.os_names:
            continue  # neither os nor its environ or getenv is imported
        for node in module.usage.within(module.usage.tree, ast.Subscript, ast.Call):
            read = module.usage.env_read(node)
            if not read or read[1] or read[0] in defined or _api_variable(read[0]) is None and \
                    not _providers(read[0]):
                continue
            similar = _similar(read[0], defined)
            if similar:
                where = ".env" if similar in env.dotenv else "the shell"
                yield Hit("env-name-mismatch", module, node, f"the code reads {read[0]}, which nothing sets; "
                          f"{where} sets {similar}", severe=read[2])


# The kinds of variable that reach the API; a kind other than a key counts only with a provider's
# name in it (DATABASE_URL is not the API's).
_VARIABLE_KINDS = (("key", ("KEY", "TOKEN", "SECRET")), ("version", ("VERSION",)), ("deployment", ("DEPLOY",)),
                   ("endpoint", ("ENDPOINT", "BASE", "URL", "URI", "HOST")))


def _api_variable(name: str) -> str | None:
    """"key", "endpoint", "version" or "deployment" for a variable that reaches the API, else None."""
    upper = name.upper()
    kind = next((kind for kind, words in _VARIABLE_KINDS if any(word in upper for word in words)), None)
    if kind is None or kind != "key" and not _providers(name):
        return None
    return kind


def _providers(name: str) -> set[str]:
    squeezed = re.sub(r"[^A-Z0-9]", "", name.upper())
    return {p for p in PROVIDER_WORDS if p in squeezed}


def _similar(name: str, defined: Iterable[str]) -> str | None:
    """The defined name most like `name`: the same kind (a key for a key; any kind of the API's when the
    kind word itself is misspelt), the same providers in it
    (AZURE_OPENAI_API_KEY is not a misspelt OPENAI_API_KEY) and nearly the same letters."""
    import difflib

    squeeze = re.sub(r"[^A-Z0-9]", "", name.upper())
    kind, providers = _api_variable(name), _providers(name)
    best, score = None, 0.0
    for other in defined:
        other_kind = _api_variable(other)  # a misspelt kind word (VERSON) takes the kind of its match
        if other_kind is None or kind not in (None, other_kind) or _providers(other) != providers:
            continue
        ratio = difflib.SequenceMatcher(None, squeeze, re.sub(r"[^A-Z0-9]", "", other.upper())).ratio()
        if ratio > score:
            best, score = other, ratio
    return best if score >= 0.8 else None


def json_word_missing(code: CodeBase, env: Environment) -> Iterator[Hit]:
    """JSON mode with messages that never say "json": the API refuses the request."""
    for module in code.modules:
        for call in module.usage.api_calls:
            if _json_mode(call.args.get("response_format")) != "json_object":
                continue
            texts = _texts(module, call.args.get("messages"), call.scope, call.node.lineno)
            if texts is not None and not any("json" in t.lower() for t in texts):
                yield Hit("json-word-missing", module, call.node, "response_format json_object, but no message "
                          "says \"json\": the API refuses the request", severe=True)


def _json_mode(value: ast.AST | None) -> str | None:
    """"json_object"/"json_schema" for a literal response_format, "unknown" for a non-literal, None for none."""
    if value is None:
        return None
    if isinstance(value, ast.Dict):
        for key, item in zip(value.keys, value.values):
            if constant_text(key) == "type":
                return constant_text(item) or "unknown"
    return "unknown"


def _texts(module: Module, node: ast.AST | None, scope: Scope, line: int, depth: int = 0) -> list[str] | None:
    """Every string literal in a messages value; None when any part of it cannot be known statically."""
    if node is None or depth > 4:
        return None
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) else []
    if isinstance(node, ast.JoinedStr):  # the code's own words; what is formatted in is the user's data
        return [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_texts(module, e, scope, line, depth + 1) for e in node.elts]
        return None if any(i is None for i in items) else [t for i in items for t in i or []]
    if isinstance(node, ast.Dict):
        values = [_texts(module, v, scope, line, depth + 1) for v in node.values]
        return None if any(v is None for v in values) or None in node.keys else [t for v in values for t in v or []]
    name = dotted(node)
    if name is not None:
        bound = module.usage.binding(name, scope, line)
        if bound is not None and not bound.item and not _mutated(module, name, scope):
            return _texts(module, bound.value, scope, bound.line, depth + 1)
    return None


def _mutated(module: Module, name: str, scope: Scope) -> bool:
    """`messages.append(...)`, `+=`, `options["x"] = ...`: the literal is not the whole value."""
    for node in module.usage.in_scope(scope, ast.Attribute, ast.Subscript, ast.AugAssign):
        if isinstance(node, ast.Attribute) and dotted(node.value) == name and node.attr in (
                "append", "extend", "insert", "__iadd__", "update", "setdefault", "pop", "__setitem__"):
            return True
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and dotted(node.value) == name:
            return True
        if isinstance(node, ast.AugAssign) and dotted(node.target) == name:
            return True
    return False


def json_without_mode(code: CodeBase, env: Environment) -> Iterator[Hit]:
    """json.loads() of a reply asked for without JSON mode: any prose or ``` fence breaks it; also of
    what a helper of the project returns when that is such a reply's text."""
    for module in code.modules:
        loads = module.usage.json_loads
        if not loads:
            continue
        for node in module.usage.within(module.usage.tree, ast.Call):
            if not (node.args and dotted(node.func) in loads):  # type: ignore[attr-defined]
                continue
            scope = module.usage.scope_of(node)
            content = _content_source(module, node.args[0], scope, node.lineno) if module.usage.api_calls else None
            if content is not None:
                call = _reply_call(module, attribute_path(content)[0], scope, node.lineno)
                what = f"the reply of line {call.node.lineno}" if call is not None else ""
            else:
                helper = _helper_result(code, module, node.args[0], scope, node.lineno)
                call = helper.call if helper is not None and helper.kind == "content" and \
                    helper.sends(node.args[0], "response_format") is False else None
                what = f"what {helper.name}() returns, the reply of {helper.module.path} line " \
                       f"{call.node.lineno}" if helper is not None and call is not None else ""
                if call is not None and call.method != "parse":
                    yield _json_hit(module, node, what)
                continue
            if call is not None and call.method != "parse" and not call.open_ended and \
                    "response_format" not in call.args:
                yield _json_hit(module, node, what)


def _json_hit(module: Module, node: ast.AST, what: str) -> Hit:
    """A failure, not a warning: without JSON mode a reply in prose or in ``` fences is the usual case, not
    the rare one, and the script then stops with JSONDecodeError (the guide's troubleshooting, error 3)."""
    return Hit("json-without-mode", module, node, f"json.loads() of {what}, which asks for no JSON mode "
               "(response_format): a reply in prose or in ``` fences breaks it", severe=True)


def reply_unguarded(code: CodeBase, env: Environment) -> Iterator[Hit]:
    """The reply's text used as a string with no check that it is there (it is None on a refusal,
    a tool call, or a content filter): read in the same function, or returned unchecked by a helper
    of the project (`ask(prompt).strip()`)."""
    helpers = _unchecked_helpers(code)
    for module in code.modules:
        reads = {"message", "content"} <= module.usage.words
        through = bool(helpers & module.usage.words)
        if not reads and not through:
            continue
        for scope in module.usage.scopes:
            worded = module.usage.in_scope(scope, *_WORDED)
            here = reads and any(isinstance(n, ast.Attribute) and n.attr == "content" and
                                 isinstance(n.value, ast.Attribute) and n.value.attr == "message" for n in worded)
            if not here and not through or {"finish_reason", "refusal"} & set(_strings(worded)):
                continue
            tested = _tested_names(module.usage, scope)
            for node in module.usage.in_scope(scope, *_CRASHING):
                used = _crashing_use(node)
                if used is None or dotted(used) is not None and dotted(used) in tested:
                    continue
                line = getattr(node, "lineno", 0)
                content = _content_source(module, used, scope, line) if here else None
                if content is not None and not (isinstance(used, (ast.Attribute, ast.Subscript)) and
                                                _guarded_inline(module.usage, scope, content)):
                    yield Hit("reply-unguarded", module, node, f"{_quoted(node)} fails with a TypeError or "
                              f"AttributeError when the reply has no text ({_quoted(content)} is None)")
                elif content is None and through:
                    helper = _helper_result(code, module, used, scope, line)
                    if helper is not None and helper.kind == "content" and not helper.checked:
                        yield Hit("reply-unguarded", module, node, f"{_quoted(node)} fails with a TypeError or "
                                  f"AttributeError when the reply has no text: {helper.name}() returns its "
                                  "message.content unchecked, which is None then")


_CRASHING = (ast.Call, ast.BinOp, ast.Compare, ast.Subscript)  # the nodes _crashing_use looks at


def _crashing_use(node: ast.AST) -> ast.AST | None:
    """The operand that must be a string for `node` not to raise: `x.strip()`, `len(x)`, `x + "!"`..."""
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute):
            return node.func.value
        if isinstance(node.func, ast.Name) and node.func.id == "len" and node.args:
            return node.args[0]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return node.left if _is_text(node.right) else node.right if _is_text(node.left) else None
    if isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
        return node.comparators[-1]
    if isinstance(node, ast.Subscript):
        return node.value
    return None


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or constant_text(node) is not None


_CONDITIONS = (ast.If, ast.While, ast.IfExp, ast.Assert, ast.BoolOp)


def _tested_names(usage: ModuleUsage, scope: Scope) -> set[str]:
    """Names a condition of the scope looks at (`if content:`, `assert text`, `x or ""`, `is None`): guarded."""
    tested: set[str] = set()
    for node in usage.in_scope(scope, *_CONDITIONS, ast.comprehension):
        tests: list[ast.AST] = []
        if isinstance(node, (ast.If, ast.While, ast.IfExp, ast.Assert)):
            tests.append(node.test)
        elif isinstance(node, ast.BoolOp):
            tests += node.values
        elif isinstance(node, ast.comprehension):
            tests += node.ifs
        for test in tests:
            tested |= {n for n in (dotted(x) for x in usage.within(test, ast.Name, ast.Attribute)) if n}
    return tested


def _guarded_inline(usage: ModuleUsage, scope: Scope, content: ast.AST) -> bool:
    """A `... .message.content` that a condition of the scope also looks at."""
    shown = _text(content)
    return shown is None or any(
        isinstance(node, (ast.If, ast.While, ast.IfExp, ast.Assert)) and shown in (_text(node.test) or shown)
        or isinstance(node, ast.BoolOp) and any(shown == _text(v) for v in node.values)
        for node in usage.in_scope(scope, *_CONDITIONS))


def client_no_timeout(code: CodeBase, env: Environment) -> Iterator[Hit]:
    """A client with the SDK's default timeout: 10 minutes a try, three tries; LangChain's chat models
    too, which pass no timeout of their own to the SDK unless given one."""
    for module in code.modules:
        for use in module.usage.wrappers:
            limits = use.wrapper.timeout_args
            if limits is not None and not ({*limits, "**"} & use.args.keys()):
                yield Hit("client-no-timeout", module, use.node, f"{use.wrapper.name}() is built without "
                          "timeout=, so a request that hangs waits as long as the SDK lets it (10 minutes a try)")
        if not module.usage.clients or _sets_timeout_later(module):
            continue
        for build in module.usage.clients:
            if {"timeout", "http_client", "**"} & build.args.keys():
                continue
            calls = [c for c in module.usage.api_calls if build.target and c.receiver == build.target]
            if calls and all("timeout" in c.args for c in calls):
                continue
            yield Hit("client-no-timeout", module, build.node, f"{build.cls}() is built without timeout=, so a "
                      "request that hangs waits 10 minutes, three times")


def _sets_timeout_later(module: Module) -> bool:
    """`client.with_options(timeout=...)` (or with `**options`) anywhere in the module."""
    for node in module.usage.within(module.usage.tree, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr == "with_options" \
                and any(k.arg in ("timeout", None) for k in node.keywords):
            return True
    return False


def max_tokens_missing(code: CodeBase, env: Environment) -> Iterator[Hit]:
    """A request with no cap on the reply's length; a wrapper's chat model built without one (unless
    the module sets a cap somewhere else, `llm.bind(max_tokens=...)`: that is not followed); a call
    of the project's own helper that hands its keyword arguments to the request and is given no cap."""
    passing = _passing_helpers(code)
    for module in code.modules:
        uses = module.usage.wrappers
        if uses and not _capped_when_used(module):
            for use in uses:
                caps = use.wrapper.cap_args
                if not ({*caps, "**", "model_kwargs"} & use.args.keys()):
                    yield Hit("max-tokens-missing", module, use.node, f"{use.wrapper.name}() sets no "
                              f"{' or '.join(caps)}: one runaway reply can cost a lot and take long")
        for call in module.usage.api_calls:
            caps = _caps(call)
            if call.kind in ("chat", "responses") and not call.open_ended and not (set(caps) & call.args.keys()):
                yield Hit("max-tokens-missing", module, call.node, f"{_quoted(call.node.func)}() sets no "
                          f"{' or '.join(caps)}: one runaway reply can cost a lot and take long")
        if passing & module.usage.words:
            yield from _uncapped_helper_calls(code, module)


def _caps(call: ApiCall) -> tuple[str, ...]:
    return ("max_output_tokens",) if call.kind == "responses" else ("max_tokens", "max_completion_tokens")


def _passing_helpers(code: CodeBase) -> frozenset[str]:
    """Names of the project's functions whose only request spreads their own `**options`, unchanged,
    and names no cap itself: the cap is the caller's to give."""
    return _once(code, "passing", lambda: frozenset(
        name for module in code.modules if module.usage.api_calls
        for name, function in module.usage.functions.items() if _passed_on(module, function) is not None))


def _passed_on(module: Module, function: ast.FunctionDef | ast.AsyncFunctionDef) -> ApiCall | None:
    options = function.args.kwarg.arg if function.args.kwarg else None
    calls = [c for c in module.usage.api_calls if c.scope is function and c.kind in ("chat", "responses")]
    if options is None or len(calls) != 1 or set(_caps(calls[0])) & calls[0].args.keys():
        return None
    spread = [k.value for k in calls[0].node.keywords if k.arg is None]
    if len(spread) != 1 or dotted(spread[0]) != options or options in module.usage.bindings(function) or \
            _mutated(module, options, function):
        return None
    return calls[0]


def _uncapped_helper_calls(code: CodeBase, module: Module) -> Iterator[Hit]:
    for node in module.usage.within(module.usage.tree, ast.Call):
        if any(k.arg is None or k.arg in CAP_WORDS for k in node.keywords):  # type: ignore[attr-defined]
            continue
        found = code.function_called(module, node)
        call = _passed_on(*found) if found is not None else None
        if call is not None and found is not None:
            yield Hit("max-tokens-missing", module, node, f"{_quoted(node.func)}() hands its keyword arguments to "
                      f"{_quoted(call.node.func)}() ({found[0].path} line {call.node.lineno}), and this call "
                      f"gives it no {' or '.join(_caps(call))}: one runaway reply can cost a lot and take long")


# The calls through which LangChain and LlamaIndex models take a cap at run time.
_RUN_TIME = frozenset({"bind", "with_config", "invoke", "ainvoke", "stream", "astream", "batch", "abatch", "predict",
                       "complete", "acomplete", "chat", "achat"})


def _capped_when_used(module: Module) -> bool:
    """`llm.bind(max_tokens=...)`, `llm.invoke(text, max_tokens=...)`: a cap given after the model is
    built (followed no further: any such call in the module counts for all its models)."""
    return any(isinstance(n.func, ast.Attribute) and n.func.attr in _RUN_TIME and  # type: ignore[attr-defined]
               any(k.arg in (*CAP_WORDS, None) for k in n.keywords)  # type: ignore[attr-defined]
               for n in module.usage.within(module.usage.tree, ast.Call))


CAP_WORDS = ("max_tokens", "max_completion_tokens", "max_output_tokens")


def retry_on_quota(code: CodeBase, env: Environment) -> Iterator[Hit]:
    """Retrying every RateLimitError retries the 429 of an empty account too, which never clears; so
    does a retry of every exception: tenacity's @retry with no filter, backoff.on_exception(...,
    Exception), a `while True: try/except Exception: sleep` around a request."""
    for module in code.modules:
        usage = module.usage
        if not usage.api_calls and "RateLimitError" not in usage.words:
            continue  # neither a request to retry nor the error that names a retry of one
        for scope in usage.scopes:
            if isinstance(scope, ast.Module):
                continue
            if any(word in text.lower() for text in _strings(usage.within(scope, *_WORDED)) for word in QUOTA_WORDS):
                continue
            for decorator in scope.decorator_list:
                caught = _retry_decorator_catches(usage, decorator)
                if caught == "RateLimitError" or caught == "every exception" and _calls_api(module, scope):
                    yield _quota_hit(module, decorator, caught)
            for handler, caught in _retrying_handlers(module, scope):
                yield _quota_hit(module, handler, caught)


def _quota_hit(module: Module, node: ast.AST, caught: str) -> Hit:
    what = "every RateLimitError" if caught == "RateLimitError" else "every exception"
    if isinstance(node, ast.ExceptHandler):
        shown = f"`except {_quoted(node.type, 40)}:`" if node.type is not None else "`except:`"
    else:
        shown = f"`@{_quoted(node, 50)}`"
    return Hit("retry-on-quota", module, node, f"{shown} retries {what}, also the 429 that means "
               "the account has no credit (insufficient_quota), which no retry can clear")


# What catches a quota error: the SDK's RateLimitError and the classes above it, and Python's own.
_CATCH_ALL_SDK = ("OpenAIError", "APIError", "APIStatusError")
_CATCH_ALL = ("Exception", "BaseException")


def _catches(usage: ModuleUsage, *nodes: ast.AST | None) -> str | None:
    """"RateLimitError" when an exception filter (or one of several) names it, "every exception" when
    it names Exception or one of the SDK's base classes (or is a bare `except:`), else None."""
    if None in nodes:
        return "every exception"
    names = [n for node in nodes for n in usage.within(node, ast.Name, ast.Attribute)]  # type: ignore[arg-type]
    named = [usage.openai_symbol(n) for n in names]
    if "RateLimitError" in named:
        return "RateLimitError"
    if any(n in _CATCH_ALL_SDK for n in named) or any(isinstance(n, ast.Name) and n.id in _CATCH_ALL for n in names):
        return "every exception"
    return None


def _retry_decorator_catches(usage: ModuleUsage, decorator: ast.AST) -> str | None:
    """What a retry decorator retries: tenacity's `@retry` (no `retry=` filter: everything;
    `retry_if_exception_type(...)`: what it names) and backoff's `on_exception(wait, exceptions)`.
    A predicate of the code's own (`retry=`, `giveup=`) is not followed: it may spare the quota."""
    call = decorator if isinstance(decorator, ast.Call) else None
    origin = usage.origin(call.func if call else decorator) or dotted(call.func if call else decorator) or ""
    args = keywords(call) if call else {}
    if origin in ("tenacity.retry", "retrying.retry"):
        if "**" in args:
            return None
        condition = args.get("retry")
        if condition is None:
            return "every exception"
        if isinstance(condition, ast.Call) and (usage.origin(condition.func) or "").endswith(
                "retry_if_exception_type"):
            return _catches(usage, *condition.args) if condition.args else "every exception"
        return "RateLimitError" if _catches(usage, condition) == "RateLimitError" else None  # `a | b`: one part
    if origin == "backoff.on_exception" and call is not None and "giveup" not in args and "**" not in args:
        caught = call.args[1] if len(call.args) > 1 else args.get("exception")
        return _catches(usage, caught) if caught is not None else None
    if origin.rsplit(".", 1)[-1] in ("retry", "on_exception") and _catches(usage, decorator) == "RateLimitError":
        return "RateLimitError"  # a retry helper of the project's own, told to retry RateLimitError
    return None


def _calls_api(module: Module, scope: ast.AST) -> bool:
    """Whether the code of a scope (or a statement) sends a request to the API."""
    return any(id(node) in module.usage.api_call_at for node in module.usage.within(scope, ast.Call))


def _sleeps(usage: ModuleUsage, handler: ast.ExceptHandler) -> bool:
    """`time.sleep(...)`, `await asyncio.sleep(...)`: a handler that waits before the loop goes round
    again retries; one that only reports the error lets a chat loop move on to the next question."""
    return any((dotted(n.func) or "").rsplit(".", 1)[-1] == "sleep"  # type: ignore[attr-defined]
               for n in usage.within(handler, ast.Call))


def _retrying_handlers(module: Module, scope: Scope) -> Iterator[tuple[ast.ExceptHandler, str]]:
    """A handler inside a retry loop that lets the loop go round again: `except RateLimitError:`
    in any loop, and one that catches every exception around a request in a `for attempt in
    range(...)` loop, or in a `while` loop when it sleeps first (a loop over items, or a chat loop
    that reports the error, moves on; it does not retry). Each handler once, however many loops
    enclose it."""
    usage = module.usage
    loops = usage.in_scope(scope, ast.For, ast.AsyncFor, ast.While)
    found: dict[int, tuple[ast.ExceptHandler, str]] = {}
    for loop in loops:
        attempts = isinstance(loop, (ast.For, ast.AsyncFor)) and isinstance(loop.iter, ast.Call) and \
            dotted(loop.iter.func) == "range"
        for node in usage.in_scope(scope, ast.Try, part=loop):
            if id(node) in found:
                continue
            for handler in node.handlers:
                caught = _catches(usage, handler.type)
                if caught == "RateLimitError" and not any(isinstance(s, (ast.Raise, ast.Return, ast.Break))
                                                           for s in handler.body):
                    found[id(handler)] = (handler, caught)
                elif caught == "every exception" and (attempts or isinstance(loop, ast.While) and
                                                      _sleeps(usage, handler)) \
                        and any(_calls_api(module, statement) for statement in node.body) \
                        and not usage.within(handler, ast.Raise, ast.Return, ast.Break):
                    found[id(handler)] = (handler, caught)
    yield from sorted(found.values(), key=lambda h: h[0].lineno)


def param_out_of_range(code: CodeBase, env: Environment) -> Iterator[Hit]:
    """A literal parameter the API rejects with a 400."""
    for module in code.modules:
        for call in module.usage.api_calls:
            for name, (low, high) in RANGES.items():
                value = constant_number(call.args.get(name))
                if value is not None and not low <= value <= high:
                    yield Hit("param-out-of-range", module, call.args[name], f"{name}={value:g} is outside "
                              f"{low}..{high}, which the API rejects (400)", severe=True)


# Patterns of a literal key, compiled only when a client is given one (by `re`'s own cache): most code never does.
_VARIABLE_NAME = r"[A-Z][A-Z0-9_]{2,60}"
_PLACEHOLDER = r"(?i)your|here|replace|xxxx|insert|changeme|<[^>]{0,40}>|\.\.\."
_KEY_PREFIXES = ("sk-", "gsk_", "xai-", "AIzaSy", "pplx-", "hf_", "r8_", "fw_", "tgp_v1_", "csk-", "nvapi-")


def key_placeholder(code: CodeBase, env: Environment) -> Iterator[Hit]:
    """A client given a literal that cannot be a key: a variable's name (`api_key="OPENAI_API_KEY"` sends
    those letters, not the value), a placeholder (`"sk-...REPLACE_ME"`) or nothing at all. Every request
    then fails with a 401, whatever .env holds, while the doctor's own calls, which read .env, succeed.
    A client given its own base_url is left alone: local servers take any word as the key; so is one in a
    test or an example, where a fake key beside a mocked transport, or a line to fill in, is the point."""
    for module in code.modules:
        if _test_or_example(module.path):
            continue
        for build in module.usage.clients:
            args = build.args
            value = args.get("api_key")
            if "base_url" in args or not isinstance(value, ast.Constant) or not isinstance(value.value, str):
                continue
            text = value.value
            if re.fullmatch(_VARIABLE_NAME, text) and ("KEY" in text or "TOKEN" in text):
                what = f'the name of the variable, "{text}", not its value: read it with os.getenv("{text}")'
            elif not text.strip():
                what = "an empty key"
            elif len(text) <= 200 and (re.search(_PLACEHOLDER, text) or text.startswith(_KEY_PREFIXES) and
                                       looks_fake(text)):
                what = "a placeholder, not a key"
            else:
                continue
            yield Hit("key-placeholder", module, value, f"{build.cls}(api_key=...) is given {what}; every request "
                      "gets a 401 whatever .env holds", severe=True)


ROLES = frozenset({"system", "user", "assistant", "tool", "developer", "function"})


def messages_invalid(code: CodeBase, env: Environment) -> Iterator[Hit]:
    """A chat request whose conversation cannot be right, as the code writes it: `prompt=` (the old
    Completions API's) with no messages, messages given as a string, or a literal message with no role or
    a role the API does not know. The SDK refuses the first before sending; the API answers 400 to the rest."""
    for module in code.modules:
        for call in module.usage.api_calls:
            if call.kind != "chat":
                continue
            args = call.args
            messages = args.get("messages")
            if messages is None and "prompt" in args and "**" not in args:
                yield Hit("messages-invalid", module, args["prompt"], "a chat request given prompt=, which only the "
                          "old Completions API took: chat needs messages=[{\"role\": \"user\", \"content\": ...}] "
                          "(the SDK stops with 'Missing required arguments')", severe=True)
            elif isinstance(messages, (ast.Constant, ast.JoinedStr)) and \
                    (isinstance(messages, ast.JoinedStr) or isinstance(messages.value, str)):
                yield Hit("messages-invalid", module, messages, "messages= is a string; it must be a list of "
                          "{\"role\": ..., \"content\": ...} messages (the API answers 400)", severe=True)
            elif isinstance(messages, ast.List):
                yield from _bad_roles(module, messages)


def _bad_roles(module: Module, messages: ast.List) -> Iterator[Hit]:
    for item in messages.elts:
        if not isinstance(item, ast.Dict) or None in item.keys:  # a variable or **spread: not known here
            continue
        keys = {k.value: v for k, v in zip(item.keys, item.values) if isinstance(k, ast.Constant)}
        role = keys.get("role")
        if "role" not in keys:
            yield Hit("messages-invalid", module, item, "a message with no \"role\" (the API answers 400)",
                      severe=True)
        elif isinstance(role, ast.Constant) and isinstance(role.value, str) and role.value not in ROLES:
            yield Hit("messages-invalid", module, role, f"the role {_quoted(role)} is not one the API knows "
                      f"({', '.join(sorted(ROLES))}): it answers 400", severe=True)


_NOT_RUN_AS_THE_APP = frozenset({"tests", "test", "testing", "examples", "example", "samples", "docs"})


def _test_or_example(path: str) -> bool:
    """A test (`tests/`, `test_*.py`, `*_test.py`, `conftest.py`) or an example, not the code the app runs."""
    *folders, name = path.split("/")
    return bool(_NOT_RUN_AS_THE_APP & set(folders)) or name.startswith("test_") or name.endswith("_test.py") \
        or name == "conftest.py"


RULES: tuple[Rule, ...] = (
    pre_v1, dict_access, dotenv_not_loaded, dotenv_loaded_late, env_name_mismatch, json_word_missing,
    json_without_mode, reply_unguarded, client_no_timeout, max_tokens_missing, retry_on_quota, param_out_of_range,
    key_placeholder, messages_invalid,
)
