"""Code written for openai 0.28, ported to the 1.x client: the guide's "Send your first request".
The same port reads a 1.x reply's fields as attributes where code still reads it as a dict.

What is ported, and only when all of a module's 0.28 usage is of these kinds:
- `openai.ChatCompletion.create(...)`, `openai.Completion.create(...)`, `openai.Embedding.create(...)`
  and `openai.Moderation.create(...)` become calls on one client, `client = OpenAI(...)`, built
  where the module set `openai.api_key`, `openai.api_base` or `openai.organization` (their values
  become its arguments), else after `.env` is loaded, else after the imports;
- a reply read as a dict (`response["choices"][0]["message"]["content"]`, a streamed chunk's
  `["delta"]`, `.get("content")`) becomes attribute reads, for names the module binds to a
  reply (per function, so another function's dict of the same name is left alone);
- `openai.error.X`, `openai.InvalidRequestError` and `from openai.error import X` name the 1.x
  exceptions.
Anything else 0.28 (`acreate`, `engine=`, Azure's `api_type`, images, fine-tunes, an alias
of a removed class) declines the whole module: half a migration is worse than the clear
error the doctor already reports.

The port is safe when it changes calls and reads only; renaming exceptions makes it unsafe,
since 1.x splits them differently (0.28's InvalidRequestError covered 404s, BadRequestError
does not), so an `except` may catch less than before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from doctor.repairs.python_text import dotted_name, finished, keyword_names, parsed
from doctor.repairs.rewrite import SAFE, UNSAFE, Rewrite

RESOURCES = {"ChatCompletion": "chat.completions", "Completion": "completions", "Embedding": "embeddings",
             "Moderation": "moderations"}
SETTINGS = {"api_key": "api_key", "api_base": "base_url", "organization": "organization"}
ERRORS = {"APIError": "APIError", "Timeout": "APITimeoutError", "APIConnectionError": "APIConnectionError",
          "InvalidRequestError": "BadRequestError", "AuthenticationError": "AuthenticationError",
          "PermissionError": "PermissionDeniedError", "RateLimitError": "RateLimitError",
          "ServiceUnavailableError": "InternalServerError", "OpenAIError": "OpenAIError"}
# 0.28 names with no 1.x counterpart the doctor can name for certain.
UNPORTED = frozenset({"Edit", "File", "Audio", "Image", "Model", "Engine", "Customer", "FineTune", "Deployment",
                      "ErrorObject", "FineTuningJob", "api_type", "api_version", "proxy", "requestssession",
                      "aiosession", "api_key_path", "app_info", "debug", "log", "verify_ssl_certs"})
CLIENT_NAMES = ("client", "openai_client", "llm_client")
AZURE_ONLY = frozenset({"engine", "deployment_id"})
# Exceptions that mean the same in 1.x; the others catch more or less than they did (see the docstring).
SAME_MEANING = frozenset({"RateLimitError", "AuthenticationError", "OpenAIError"})


class Declined(Exception):
    """The module uses something of 0.28 that this port does not name for certain."""


@dataclass
class _Survey:
    """What a first pass learns: the module's name for openai, its free client name, the settings it
    assigns at the top level, and the names it binds to replies, per function."""

    alias: str | None = None
    taken: set[str] = field(default_factory=set)
    settings: dict[str, object] = field(default_factory=dict)  # keyword -> libcst expression
    setting_at: list[int] = field(default_factory=list)  # their top-level statements, by index
    setting_ids: set[int] = field(default_factory=set)
    replies: set[tuple[int, str]] = field(default_factory=set)  # (id of the function, or 0, name)
    loads_dotenv_at: int | None = None  # index of the last top-level statement that calls load_dotenv()
    loads_dotenv_inside: bool = False  # load_dotenv() runs only inside an `if`, a `try` or a `with`
    imports_end: int = 0  # index after the leading imports (and the docstring)
    first_use: int | None = None  # index of the first top-level statement that makes a 0.28 request
    imports_openai_client: bool = False


def _survey(module) -> _Survey:  # noqa: ANN001 - a libcst Module
    import libcst

    found = _Survey()

    class Survey(libcst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.functions: list[int] = [0]

        def visit_Import(self, node: libcst.Import) -> None:
            for name in node.names:
                if dotted_name(name.name) == "openai":
                    found.alias = name.asname.name.value if name.asname else "openai"
                elif (dotted_name(name.name) or "").startswith("openai."):
                    raise Declined("import openai.<module>")

        def visit_ImportFrom(self, node: libcst.ImportFrom) -> None:
            source = dotted_name(node.module) if node.module else None
            if source == "openai" and not isinstance(node.names, libcst.ImportStar):
                names = {alias.name.value for alias in node.names}
                if names & (set(RESOURCES) | UNPORTED):
                    raise Declined("from openai import a 0.28 class")
                found.imports_openai_client |= "OpenAI" in names

        def visit_Name(self, node: libcst.Name) -> None:
            found.taken.add(node.value)

        def visit_FunctionDef(self, node: libcst.FunctionDef) -> None:
            self.functions.append(id(node))

        def leave_FunctionDef(self, node: libcst.FunctionDef) -> None:
            self.functions.pop()

        def _reply(self, value: libcst.BaseExpression) -> bool:
            """A 0.28 request's reply, or a part of one (`reply["choices"]`)."""
            while isinstance(value, (libcst.Attribute, libcst.Subscript, libcst.Await)):
                value = value.expression if isinstance(value, libcst.Await) else value.value
            if isinstance(value, libcst.Call):
                return _is_request(value)
            return isinstance(value, libcst.Name) and (self.functions[-1], value.value) in found.replies

        def visit_Assign(self, node: libcst.Assign) -> None:
            if self._reply(node.value):
                for target in node.targets:
                    if isinstance(target.target, libcst.Name):
                        found.replies.add((self.functions[-1], target.target.value))

        def visit_For(self, node: libcst.For) -> None:
            if self._reply(node.iter) and isinstance(node.target, libcst.Name):
                found.replies.add((self.functions[-1], node.target.value))

    module.visit(Survey())
    leading = True
    for index, statement in enumerate(module.body):
        code = libcst.Module(body=[statement]).code
        simple = isinstance(statement, libcst.SimpleStatementLine)
        leading = leading and simple and (all(isinstance(p, (libcst.Import, libcst.ImportFrom)) for p in statement.body)
                                          or index == 0 and isinstance(statement.body[0], libcst.Expr) and
                                          isinstance(statement.body[0].value, libcst.SimpleString))
        found.imports_end = index + 1 if leading else found.imports_end
        definition = isinstance(statement, (libcst.FunctionDef, libcst.ClassDef))
        if "load_dotenv(" in code and not definition:
            found.loads_dotenv_at, found.loads_dotenv_inside = index, not simple
        if found.first_use is None and not definition and found.alias and \
                any(f"{found.alias}.{name}." in code for name in RESOURCES):
            found.first_use = index
        setting = _setting(statement, found.alias)
        if setting is not None:
            found.settings[SETTINGS[setting[0]]] = setting[1]
            found.setting_at.append(index)
            found.setting_ids.add(id(statement))
    return found


def _setting(statement, alias: str | None) -> tuple[str, object] | None:  # noqa: ANN001
    """("api_key", value) for a top-level `openai.api_key = value`."""
    import libcst

    if alias is None or not isinstance(statement, libcst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    assign = statement.body[0]
    if not isinstance(assign, libcst.Assign) or len(assign.targets) != 1:
        return None
    name = dotted_name(assign.targets[0].target) or ""
    head, _, attribute = name.rpartition(".")
    return (attribute, assign.value) if head == alias and attribute in SETTINGS else None


def migrate(source: str) -> Rewrite | None:
    """The module ported to the 1.x client, or None when it has nothing to port or something this
    port does not name for certain."""
    import libcst

    module = parsed(source)
    if module is None:
        return None
    try:
        survey = _survey(module)
        port = _port_class()(survey, next((n for n in CLIENT_NAMES if n not in survey.taken), None))
        result = module.visit(port)
        if port.calls:
            result = _with_client(result, survey, port.client)
    except Declined:
        return None
    if not port.changed:
        return None
    safety = UNSAFE if port.behaviour else SAFE
    what = ["calls on one OpenAI client"] if port.calls else []
    what += ["attribute reads of the reply"] if port.reads else []
    what += ["the 1.x exception names"] if port.errors else []
    summary = "Port the openai 0.28 code to the 1.x client: " + ", ".join(what) if port.calls or port.errors else \
        "Read the reply's fields as attributes: since openai 1.0 a reply is an object, not a dict"
    return finished(source, result, summary, safety)


def _with_client(module, survey: _Survey, client: str):  # noqa: ANN001, ANN202 - libcst nodes
    """The settings' statements replaced by `client = OpenAI(...)`, placed where the last of them was,
    else after `.env` is loaded, else after the imports; `from openai import OpenAI` after `import openai`."""
    import libcst

    arguments = ", ".join(f"{k}={libcst.Module(body=[]).code_for_node(v)}" for k, v in survey.settings.items())
    built = libcst.parse_statement(f"{client} = OpenAI({arguments})\n")
    body = list(module.body)
    if survey.loads_dotenv_inside and not survey.setting_at:
        raise Declined("load_dotenv() runs inside a block: where the client may be built is not certain")
    at = max(survey.setting_at) if survey.setting_at else \
        survey.loads_dotenv_at + 1 if survey.loads_dotenv_at is not None else survey.imports_end
    if survey.first_use is not None and at > survey.first_use:
        raise Declined("a request runs at import time before the client could be built")
    if survey.setting_at:
        body[at] = built.with_changes(leading_lines=body[at].leading_lines,
                                      trailing_whitespace=body[at].trailing_whitespace)
        body = [s for i, s in enumerate(body) if i not in survey.setting_at or i == at]
    else:
        body.insert(at, built)
    if not survey.imports_openai_client:
        at = next((i for i, s in enumerate(body) if _imports_openai(s)), None)
        body.insert(0 if at is None else at + 1, libcst.parse_statement("from openai import OpenAI\n"))
    return module.with_changes(body=body)


def _imports_openai(statement) -> bool:  # noqa: ANN001
    import libcst

    return isinstance(statement, libcst.SimpleStatementLine) and any(
        isinstance(p, libcst.Import) and any(dotted_name(n.name) == "openai" for n in p.names) for p in statement.body)


def _port_class():  # noqa: ANN202 - defined lazily, so that libcst is imported only when a port is built
    import libcst

    class Port(libcst.CSTTransformer):
        """The second pass: calls, reads and exception names rewritten; anything unported declines."""

        def __init__(self, survey: _Survey, client: str | None) -> None:
            super().__init__()
            self.survey, self.client = survey, client
            self.functions: list[int] = [0]
            self.calls = self.reads = self.errors = self.behaviour = 0
            self.in_setting = False

        @property
        def changed(self) -> bool:
            return bool(self.calls or self.reads or self.errors)

        def visit_SimpleStatementLine(self, node: libcst.SimpleStatementLine) -> None:
            self.in_setting = id(node) in self.survey.setting_ids

        def leave_SimpleStatementLine(self, original: libcst.SimpleStatementLine,
                                      updated: libcst.SimpleStatementLine) -> libcst.SimpleStatementLine:
            self.in_setting = False
            return updated

        def visit_FunctionDef(self, node: libcst.FunctionDef) -> None:
            self.functions.append(id(node))

        def leave_FunctionDef(self, original: libcst.FunctionDef, updated: libcst.FunctionDef) -> libcst.FunctionDef:
            self.functions.pop()
            return updated

        def leave_Attribute(self, original: libcst.Attribute, updated: libcst.Attribute) -> libcst.BaseExpression:
            alias = self.survey.alias
            name = dotted_name(updated) or ""
            parts = name.split(".")
            if alias is None or parts[0] != alias or len(parts) < 2:
                return updated
            if parts[1] in RESOURCES and len(parts) == 3 and parts[2] == "create":
                if self.client is None:
                    raise Declined("every name for the client is taken")
                self.calls += 1
                return libcst.parse_expression(f"{self.client}.{RESOURCES[parts[1]]}.create")
            if parts[1] == "error" and len(parts) == 3:
                return self._error(parts[2])
            if len(parts) == 2 and parts[1] == "InvalidRequestError":
                return self._error(parts[1])
            if parts[1] in UNPORTED or parts[1] in RESOURCES and len(parts) == 3:
                raise Declined(name)
            if parts[1] in SETTINGS and not self.in_setting:
                raise Declined(name)  # read, or set inside a function: not one client's argument
            return updated

        def _renamed(self, old: str) -> str:
            if old not in ERRORS:
                raise Declined(old)
            self.errors += 1
            self.behaviour += old not in SAME_MEANING
            return ERRORS[old]

        def _error(self, old: str) -> libcst.BaseExpression:
            self._renamed(old)
            return libcst.parse_expression(f"{self.survey.alias}.{ERRORS[old]}")

        def leave_ImportFrom(self, original: libcst.ImportFrom, updated: libcst.ImportFrom) -> libcst.ImportFrom:
            if (dotted_name(updated.module) if updated.module else None) != "openai.error":
                return updated
            if isinstance(updated.names, libcst.ImportStar):
                raise Declined("from openai.error import *")
            names = []
            for alias in updated.names:
                old = alias.name.value
                new = self._renamed(old)
                local = alias.asname or (libcst.AsName(name=libcst.Name(old)) if new != old else None)
                names.append(alias.with_changes(name=libcst.Name(new), asname=local))
            return updated.with_changes(module=libcst.Name("openai"), names=names)

        def _reply_root(self, node: libcst.BaseExpression) -> bool:
            while isinstance(node, (libcst.Attribute, libcst.Subscript, libcst.Await)):
                node = node.expression if isinstance(node, libcst.Await) else node.value
            if isinstance(node, libcst.Call):
                return _is_request(node)
            return isinstance(node, libcst.Name) and (self.functions[-1], node.value) in self.survey.replies

        def leave_Subscript(self, original: libcst.Subscript, updated: libcst.Subscript) -> libcst.BaseExpression:
            key = _literal_key(updated)
            if key is None or not self._reply_root(updated.value):
                return updated
            self.reads += 1
            return libcst.Attribute(value=updated.value, attr=libcst.Name(key))

        def leave_Call(self, original: libcst.Call, updated: libcst.Call) -> libcst.BaseExpression:
            func = updated.func
            if (dotted_name(func) or "").startswith(f"{self.client}.") and keyword_names(updated) & AZURE_ONLY:
                raise Declined("an Azure deployment")  # 1.x needs AzureOpenAI and an api_version for it
            if not (isinstance(func, libcst.Attribute) and func.attr.value == "get" and self._reply_root(func.value)):
                return updated
            if len(updated.args) not in (1, 2) or updated.args[0].keyword or \
                    not isinstance(updated.args[0].value, libcst.SimpleString):
                raise Declined(".get() of a reply")
            key = updated.args[0].value.evaluated_value
            if not isinstance(key, str) or not key.isidentifier():
                raise Declined(".get() of a reply")
            self.reads += 1
            read = libcst.Attribute(value=func.value, attr=libcst.Name(key))
            if len(updated.args) == 1:
                return read
            self.behaviour += 1  # `or default` differs from .get's default for an empty value
            return libcst.BooleanOperation(left=read, operator=libcst.Or(), right=updated.args[1].value,
                                           lpar=[libcst.LeftParen()], rpar=[libcst.RightParen()])

    return Port


def _is_request(call) -> bool:  # noqa: ANN001 - a libcst Call
    """A request whose value is a reply: 0.28's `openai.ChatCompletion.create(...)`, or 1.x's
    `client.chat.completions.create(...)`, `client.embeddings.create(...)` and the like."""
    parts = (dotted_name(call.func) or "").split(".")
    if len(parts) < 3 or parts[-1] != "create":
        return False
    return parts[-2] in RESOURCES or parts[-3:-1] == ["chat", "completions"] or \
        parts[-2] in ("completions", "embeddings", "moderations")


def _literal_key(node) -> str | None:  # noqa: ANN001
    """"choices" for `x["choices"]`: one plain string index that is a valid attribute name."""
    import libcst

    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, libcst.Index):
        return None
    value = node.slice[0].slice.value
    if not isinstance(value, libcst.SimpleString):
        return None
    key = value.evaluated_value
    return key if isinstance(key, str) and key.isidentifier() else None

