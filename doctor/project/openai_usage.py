"""How a module uses the openai SDK, read from its syntax tree: the vocabulary code-usage's rules share.

The reading follows the way real code names things: `import openai as oa`, `from openai
import OpenAI as Client`, a client kept in `self.client`, a call through
`client.with_options(...)`, a reply awaited from `AsyncOpenAI`. Values are followed only
inside one function (the last assignment to a name before its use, the module's constants
after that); whatever cannot be followed statically is unknown, and the rules say nothing
about the unknown.
"""

from __future__ import annotations

import ast
from bisect import bisect_left
from functools import cached_property

from doctor.namedtuples import named_tuple

CLIENT_CLASSES = frozenset({"OpenAI", "AsyncOpenAI", "AzureOpenAI", "AsyncAzureOpenAI"})
# Names the 1.x SDK keeps only to raise APIRemovedInV1 (openai/lib/_old_api.py).
REMOVED_IN_V1 = frozenset({
    "Edit", "File", "Audio", "Image", "Model", "Engine", "Customer", "FineTune", "Embedding", "Completion",
    "Deployment", "Moderation", "ErrorObject", "FineTuningJob", "ChatCompletion",
})
# The 0.x exception names that 1.0 dropped (its own are RateLimitError, BadRequestError, ...).
REMOVED_EXCEPTIONS = frozenset({"InvalidRequestError", "ServiceUnavailableError", "TryAgain",
                                "SignatureVerificationError", "OpenAIErrorWithParam"})
# 0.x modules that 1.0 dropped: `openai.error.RateLimitError`, `from openai.embeddings_utils import ...`.
REMOVED_MODULES = frozenset({"error", "embeddings_utils"})
# Attribute paths that end in a request, and what kind of request it is.
_CALLS = (
    (("chat", "completions", "create"), "chat"), (("chat", "completions", "parse"), "chat"),
    (("chat", "completions", "stream"), "chat"), (("responses", "create"), "responses"),
    (("responses", "parse"), "responses"), (("responses", "stream"), "responses"),
    (("completions", "create"), "completions"), (("embeddings", "create"), "embeddings"),
)


@named_tuple
class Wrapper:
    """A library people reach the same API through, read by its documented parameters only."""

    name: str  # as a message names it
    key_variable: str | None  # what it reads from the environment when no key is passed (at construction)
    key_args: tuple[str, ...]
    model_args: tuple[str, ...]  # empty: its model parameter is not a model name (Azure's deployments)
    cap_args: tuple[str, ...]  # the reply's length cap
    timeout_args: tuple[str, ...] | None  # None: it has a timeout of its own by default
    request: bool = False  # the call itself sends a request (litellm.completion), it builds no client


_CAPS = ("max_tokens", "max_completion_tokens")
_LANGCHAIN = Wrapper("ChatOpenAI", "OPENAI_API_KEY", ("api_key", "openai_api_key"), ("model", "model_name"), _CAPS,
                     ("timeout", "request_timeout", "http_client"))
_LITELLM = Wrapper("litellm.completion", None, ("api_key",), ("model",), _CAPS, None, request=True)
# By the full name they are imported under. LlamaIndex's OpenAI has a 60 s timeout by default and
# LiteLLM's is 600 s unless set globally: neither is judged for its timeout.
WRAPPERS = {
    "langchain_openai.ChatOpenAI": _LANGCHAIN,
    "langchain_community.chat_models.ChatOpenAI": _LANGCHAIN,
    "langchain.chat_models.ChatOpenAI": _LANGCHAIN,
    "langchain_openai.AzureChatOpenAI": Wrapper(
        "AzureChatOpenAI", "AZURE_OPENAI_API_KEY",
        ("api_key", "openai_api_key", "azure_ad_token", "azure_ad_token_provider"), (), _CAPS,
        ("timeout", "request_timeout", "http_client")),
    "llama_index.llms.openai.OpenAI": Wrapper("OpenAI (LlamaIndex)", "OPENAI_API_KEY", ("api_key",), ("model",),
                                              ("max_tokens",), None),
    "litellm.completion": _LITELLM,
    "litellm.acompletion": _LITELLM,
}


Scope = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def attribute_path(node: ast.AST) -> tuple[ast.AST, tuple[str, ...]]:
    """`a.b[0].c` -> (the node `a`, ("b", "c")): the names on the way, indexes skipped, and the
    root where the path starts (a Name, or a Call such as `client.with_options(...)`)."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript) and not _string_index(node):
            node = node.value
        elif isinstance(node, ast.Await):
            node = node.value
        else:
            return node, tuple(reversed(names))


def _string_index(node: ast.Subscript) -> bool:
    return isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)


def dotted(node: ast.AST) -> str | None:
    """`self.client` -> "self.client"; None for anything but names and attributes."""
    names: list[str] = []
    while isinstance(node, ast.Attribute):  # a loop, not recursion: a chain may be hundreds long
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    names.append(node.id)
    return ".".join(reversed(names))


def keywords(call: ast.Call) -> dict[str, ast.expr]:
    """A call's keyword arguments; `**mapping` is kept under the key "**"."""
    return {k.arg or "**": k.value for k in call.keywords}


def constant_text(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def constant_number(node: ast.AST | None) -> float | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = constant_number(node.operand)
        return -inner if inner is not None else None
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    return None


@named_tuple
class ApiCall:
    """A request to the API: `client.chat.completions.create(...)` and its kin."""

    node: ast.Call
    kind: str  # chat, responses, completions, embeddings
    method: str  # create, parse, stream
    receiver: str | None  # "client", "self.client"; None when reached through a call
    scope: Scope

    @property
    def args(self) -> dict[str, ast.expr]:
        return keywords(self.node)

    @property
    def open_ended(self) -> bool:
        """`**options` passed: any keyword may be in it."""
        return "**" in self.args

    @property
    def streams(self) -> bool:
        value = self.args.get("stream")
        return self.method == "stream" or (isinstance(value, ast.Constant) and value.value is True)


@named_tuple
class ClientBuild:
    node: ast.Call
    cls: str  # OpenAI, AsyncOpenAI, ...
    target: str | None  # the name it is assigned to
    scope: Scope

    @property
    def args(self) -> dict[str, ast.expr]:
        return keywords(self.node)


@named_tuple
class WrapperUse:
    """A wrapper's client built (`ChatOpenAI(...)`) or request sent (`litellm.completion(...)`)."""

    node: ast.Call
    wrapper: Wrapper
    scope: Scope

    @property
    def args(self) -> dict[str, ast.expr]:
        return keywords(self.node)


class ModuleUsage:
    """One module's use of the SDK, the environment and python-dotenv. (A plain class: as a
    dataclass, defining it cost most of a millisecond of every run that reads code.)"""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.openai_modules: set[str] = set()  # local names of the openai module
        self.openai_names: dict[str, str] = {}  # local name -> name in openai
        self.json_loads: set[str] = set()  # "json.loads", "loads"...
        self.os_names: dict[str, str] = {}  # local name -> "os", "os.environ", "os.getenv"
        self.dotenv_names: set[str] = set()  # local names of python-dotenv's loaders
        self.imports: list[Imported] = []

    @classmethod
    def read(cls, tree: ast.Module, max_nodes: int | None = None) -> ModuleUsage | None:
        """The module's usage; None when its tree holds more than `max_nodes` nodes."""
        usage = cls(tree)
        if max_nodes is not None and len(usage.nodes) > max_nodes:
            return None
        for node in usage.within(tree, ast.Import, ast.ImportFrom):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    usage._imported(alias.name, None, alias.asname or alias.name.split(".")[0], node, 0)
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    usage._imported(node.module or "", alias.name, alias.asname or alias.name, node, node.level)
        return usage

    def _imported(self, module: str, name: str | None, local: str, node: ast.stmt, level: int) -> None:
        self.imports.append(Imported(node, module, name, level))
        if name is None:
            if module == "openai" or module.startswith("openai.") and local == "openai":  # `import openai.error`
                self.openai_modules.add(local)
            elif module == "os":
                self.os_names[local] = module
            elif module == "json":
                self.json_loads.add(f"{local}.loads")
            elif module == "dotenv":
                self.dotenv_names.add(local)
        elif module == "openai" or module.startswith("openai."):
            self.openai_names[local] = name
        elif module == "os" and name in ("environ", "getenv"):
            self.os_names[local] = f"os.{name}"
        elif module == "json" and name == "loads":
            self.json_loads.add(local)
        elif module == "dotenv":
            self.dotenv_names.add(local)

    # -- what names mean ---------------------------------------------------------------
    @cached_property
    def origins(self) -> dict[str, str]:
        """Each imported local name -> what it names: `from tenacity import retry as r` gives
        r -> "tenacity.retry", `import backoff` gives backoff -> "backoff"."""
        found: dict[str, str] = {}
        for imported in self.imports:
            for alias in imported.statement.names:  # type: ignore[attr-defined]
                if isinstance(imported.statement, ast.Import) and alias.name == imported.module:
                    found[alias.asname or alias.name.split(".")[0]] = alias.asname and alias.name or \
                        alias.name.split(".")[0]
                elif imported.name == alias.name and not imported.level:
                    found[alias.asname or alias.name] = f"{imported.module}.{alias.name}"
        return found

    def origin(self, node: ast.AST) -> str | None:
        """The full name an expression names through the module's imports: `tenacity.retry` for
        `@retry` after `from tenacity import retry`; None for a name not imported."""
        name = dotted(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        source = self.origins.get(head)
        return None if source is None else f"{source}.{rest}" if rest else source

    def openai_symbol(self, node: ast.AST) -> str | None:
        """"OpenAI", "RateLimitError", "ChatCompletion"... for a name that means the SDK's own."""
        if isinstance(node, ast.Name):
            return self.openai_names.get(node.id)
        if isinstance(node, ast.Attribute):
            base = dotted(node.value)
            if base in self.openai_modules:
                return node.attr
            if base and base.split(".")[0] in self.openai_modules and base.endswith(".error"):
                return node.attr  # openai.error.RateLimitError (0.28)
        return None

    def is_openai_module(self, node: ast.AST) -> bool:
        return isinstance(node, ast.Name) and node.id in self.openai_modules

    def env_read(self, node: ast.AST) -> tuple[str, bool, bool] | None:
        """(variable, has a default, raises when unset) for os.getenv("X"), os.environ.get("X"),
        os.environ["X"]; None for anything else or a name that is not a literal."""
        if isinstance(node, ast.Subscript) and self._is(node.value, "os.environ"):
            name = constant_text(node.slice)
            return (name, False, True) if name else None
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            getter = self._is(func, "os.getenv") or (
                isinstance(func, ast.Attribute) and func.attr == "get" and self._is(func.value, "os.environ"))
            name = constant_text(node.args[0])
            if getter and name:
                default = len(node.args) > 1 or any(k.arg == "default" for k in node.keywords)
                return name, default, False
        return None

    def _is(self, node: ast.AST, meaning: str) -> bool:
        """Whether `node` names `os.environ` / `os.getenv`, however it was imported."""
        if isinstance(node, ast.Name):
            return self.os_names.get(node.id) == meaning
        if isinstance(node, ast.Attribute):
            return isinstance(node.value, ast.Name) and self.os_names.get(node.value.id) == "os" and \
                f"os.{node.attr}" == meaning
        return False

    def is_dotenv_load(self, node: ast.AST) -> bool:
        """A call that loads .env into the environment: load_dotenv() in any spelling."""
        if not isinstance(node, ast.Call):
            return False
        name = dotted(node.func) or ""
        head, _, tail = name.rpartition(".")
        return (tail == "load_dotenv" and (head in self.dotenv_names or name in self.dotenv_names)) or \
            (name in self.dotenv_names and name.endswith("load_dotenv"))

    # -- what the module does ----------------------------------------------------------
    @cached_property
    def scopes(self) -> list[Scope]:
        return [self.tree, *(n for n in self.nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))]

    @cached_property
    def nodes(self) -> list[ast.AST]:
        """Every node of the module in source order (each node before the nodes inside it), walked
        once for all the rules: `walk_scope`, `within` and `in_scope` answer from this list."""
        return self._walked[0]

    @cached_property
    def _walked(self) -> tuple[list[ast.AST], list[int]]:
        """The nodes in source order, and for each the position in that list where the nodes inside it end."""
        order: list[ast.AST] = []
        ends: list[int] = []
        pending: list[ast.AST | int] = [self.tree]
        while pending:  # a loop, not recursion: code may nest deeper than Python's call stack
            item = pending.pop()
            if isinstance(item, int):  # every node inside order[item] has been taken
                ends[item] = len(order)
                continue
            pending.append(len(order))
            order.append(item)
            ends.append(0)
            children = []  # ast.iter_child_nodes' own loop, without its two generators: a third of the cost
            for name in item._fields:
                value = getattr(item, name, None)
                if isinstance(value, list):
                    children += [child for child in value if isinstance(child, ast.AST)]
                elif isinstance(value, ast.AST):
                    children.append(value)
            children.reverse()
            pending += children
        return order, ends

    @cached_property
    def _index(self) -> dict[int, int]:
        return {id(node): index for index, node in enumerate(self.nodes)}

    def walk_scope(self, node: ast.AST) -> list[ast.AST]:
        """Every node inside `node` (one of the module's) that runs in its scope: nested functions,
        lambdas and classes are taken, but not the nodes inside them (their own scopes)."""
        index = self._index[id(node)]  # one of the module's nodes, as scope_nodes' scopes are
        (nodes, ends), found = self._walked, []
        at, stop = index + 1, ends[index]
        while at < stop:
            found.append(nodes[at])
            at = ends[at] if isinstance(nodes[at], _NESTED) else at + 1
        return found

    @cached_property
    def _by_class(self) -> dict[type, list[int]]:
        """Where the nodes of each class are in `nodes`, in order: most rules look at a few classes
        of node (calls, subscripts, conditions), and asking each node whether it is one was most of
        their time."""
        table: dict[type, list[int]] = {}
        for index, node in enumerate(self.nodes):
            table.setdefault(type(node), []).append(index)
        return table

    def within(self, node: ast.AST, *classes: type) -> list[ast.AST]:
        """The nodes of these classes (as the parser makes them: ast.Call, not ast.expr) in `node`
        and inside it, in source order: those of the nodes ast.walk(node) gives."""
        start = self._index[id(node)]
        end = self._walked[1][start]
        found: list[int] = []
        for kind in classes:
            positions = self._by_class.get(kind, [])
            found += positions[bisect_left(positions, start):bisect_left(positions, end)]
        if len(classes) > 1:
            found.sort()
        return [self.nodes[index] for index in found]

    def in_scope(self, scope: Scope, *classes: type, part: ast.AST | None = None) -> list[ast.AST]:
        """The nodes of these classes among scope_nodes(scope), in source order; with `part` (a
        statement or expression of the scope), only those inside it."""
        table = self._scope_table
        return [node for node in self.within(part or scope, *classes) if table.get(id(node)) is scope]

    @cached_property
    def words(self) -> frozenset[str]:
        """Every name and attribute name the module uses: a rule whose words are absent can skip it."""
        return frozenset(n.id if isinstance(n, ast.Name) else n.attr  # type: ignore[attr-defined]
                         for n in self.within(self.tree, ast.Name, ast.Attribute))

    @cached_property
    def _scope_nodes(self) -> dict[int, list[ast.AST]]:
        return {id(scope): self.walk_scope(scope) for scope in self.scopes}

    def scope_nodes(self, scope: Scope) -> list[ast.AST]:
        """The nodes of one function (or of the module's top level), nested definitions left out."""
        return self._scope_nodes[id(scope)]

    @cached_property
    def _scope_table(self) -> dict[int, Scope]:
        return {id(node): scope for scope in self.scopes for node in self.scope_nodes(scope)}

    def scope_of(self, node: ast.AST) -> Scope:
        """The function (or the module) whose code `node` is part of."""
        return self._scope_table.get(id(node), self.tree)

    @cached_property
    def api_calls(self) -> list[ApiCall]:
        if not {"completions", "responses", "embeddings"} & self.words:
            return []  # no request can be written without one of these words
        found = []
        for scope in self.scopes:
            for node in self.in_scope(scope, ast.Call):
                call = self._api_call(node, scope)  # type: ignore[arg-type]
                if call is not None:
                    found.append(call)
        return sorted(found, key=lambda c: (c.node.lineno, c.node.col_offset))

    @cached_property
    def api_call_at(self) -> dict[int, ApiCall]:
        """The API calls by the identity of their Call node."""
        return {id(call.node): call for call in self.api_calls}

    def _api_call(self, node: ast.Call, scope: Scope) -> ApiCall | None:
        root, names = attribute_path(node.func)
        for ending, kind in _CALLS:
            if names[-len(ending):] == ending and not (kind == "completions" and names[-3:-2] == ("chat",)):
                before = names[:-len(ending)]
                if before[-1:] == ("beta",):
                    before = before[:-1]
                receiver = ".".join((root.id, *before)) if isinstance(root, ast.Name) else None
                return ApiCall(node, kind, ending[-1], receiver, scope)
        return None

    @cached_property
    def clients(self) -> list[ClientBuild]:
        local = {name for name, symbol in self.openai_names.items() if symbol in CLIENT_CLASSES}
        if not (local | CLIENT_CLASSES) & self.words:
            return []
        found = []
        for scope in self.scopes:
            for node in self.in_scope(scope, ast.Assign, ast.AnnAssign, ast.Expr, ast.Return, ast.keyword, ast.Call):
                if isinstance(node, (ast.Assign, ast.AnnAssign, ast.Expr, ast.Return)) and node.value is not None:
                    value = node.value
                    call = value if isinstance(value, ast.Call) else None
                    if call is not None and self.openai_symbol(call.func) in CLIENT_CLASSES:
                        targets = node.targets if isinstance(node, ast.Assign) else \
                            [node.target] if isinstance(node, ast.AnnAssign) else []
                        target = dotted(targets[0]) if len(targets) == 1 else None
                        found.append(ClientBuild(call, self.openai_symbol(call.func) or "", target, scope))
                elif isinstance(node, ast.keyword) and isinstance(node.value, ast.Call) and \
                        self.openai_symbol(node.value.func) in CLIENT_CLASSES:
                    found.append(ClientBuild(node.value, self.openai_symbol(node.value.func) or "", None, scope))
                elif isinstance(node, ast.Call):  # handed on: instructor.from_openai(OpenAI()), wrap(OpenAI())
                    found += [ClientBuild(arg, self.openai_symbol(arg.func) or "", None, scope) for arg in node.args
                              if isinstance(arg, ast.Call) and self.openai_symbol(arg.func) in CLIENT_CLASSES]
        return sorted(found, key=lambda c: c.node.lineno)

    @cached_property
    def wrappers(self) -> list[WrapperUse]:
        """Every use of a wrapper the module imports (WRAPPERS), in line order."""
        imported = {local for local, source in self.origins.items()
                    if source.split(".")[0] in ("langchain_openai", "langchain_community", "langchain",
                                                "llama_index", "litellm")}
        if not imported & self.words:
            return []
        found = []
        for scope in self.scopes:
            for node in self.in_scope(scope, ast.Call):
                wrapper = WRAPPERS.get(self.origin(node.func) or "")  # type: ignore[attr-defined]
                if wrapper is not None:
                    found.append(WrapperUse(node, wrapper, scope))
        return sorted(found, key=lambda w: (w.node.lineno, w.node.col_offset))

    @cached_property
    def functions(self) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
        """The module's top-level functions by name; a name defined twice (or rebound) is left out:
        which one runs is not known statically."""
        seen: dict[str, list[ast.stmt]] = {}
        for node in self.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                seen.setdefault(node.name, []).append(node)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    if isinstance(target, ast.Name):
                        seen.setdefault(target.id, []).append(node)
        return {name: nodes[0] for name, nodes in seen.items()
                if len(nodes) == 1 and isinstance(nodes[0], (ast.FunctionDef, ast.AsyncFunctionDef))}

    @cached_property
    def constants(self) -> dict[str, ast.expr]:
        """Module-level names bound once to a string literal (MODEL = "gpt-4o"), with that literal."""
        seen: dict[str, list[ast.expr]] = {}
        for node in self.tree.body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        seen.setdefault(target.id, []).append(node.value)
        return {name: values[0] for name, values in seen.items()
                if len(values) == 1 and constant_text(values[0]) is not None}

    def bindings(self, scope: Scope) -> dict[str, list[Binding]]:
        """name -> its bindings in the scope (assignments, `for` targets, `with ... as`), in order."""
        return self._bindings[id(scope)]

    @cached_property
    def _bindings(self) -> dict[int, dict[str, list[Binding]]]:
        table: dict[int, dict[str, list[Binding]]] = {}
        for scope in self.scopes:
            names: dict[str, list[Binding]] = {}

            def bind(target: ast.AST, line: int, value: ast.expr, item: bool = False) -> None:
                name = dotted(target)
                if name:
                    names.setdefault(name, []).append(Binding(line, value, item))

            for node in self.in_scope(scope, ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.For, ast.AsyncFor, ast.With,
                                      ast.AsyncWith):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        bind(target, node.lineno, node.value)
                elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
                    bind(node.target, node.lineno, node.value)
                elif isinstance(node, (ast.For, ast.AsyncFor)):
                    bind(node.target, node.lineno, node.iter, item=True)
                elif isinstance(node, (ast.With, ast.AsyncWith)):
                    for with_item in node.items:
                        if with_item.optional_vars is not None:
                            bind(with_item.optional_vars, node.lineno, with_item.context_expr)
            for found in names.values():
                found.sort(key=lambda b: b.line)
            table[id(scope)] = names
        return table

    def binding(self, name: str, scope: Scope, line: int) -> Binding | None:
        """What `name` holds at `line`: the scope's last binding before it, else the module's
        (a function runs after the module's top level has bound its names)."""
        local = [b for b in self.bindings(scope).get(name, []) if b.line <= line]
        if local:
            return local[-1]
        if scope is not self.tree and name not in self.bindings(scope):
            module = self.bindings(self.tree).get(name, [])
            return module[-1] if module else None
        return None


@named_tuple
class Binding:
    line: int
    value: ast.expr
    item: bool  # a `for` target: one item of `value` (a stream's chunk), not the value itself


@named_tuple
class Imported:
    """`import module` (name None) or `from module import name`, `level` dots up."""

    statement: ast.stmt
    module: str
    name: str | None
    level: int
