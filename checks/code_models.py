"""The models the project's code asks for, so the live checks test those and not only a default.

A model counts when a request names it as a literal (`model="gpt-4o"`) or as a module
constant, in the same module or imported from another module of the project
(`from config import MODEL`). A model chosen at run time (an argument, a setting) is not
known statically and is left out.
"""

from __future__ import annotations

import ast
import asyncio
from typing import TYPE_CHECKING

from doctor.namedtuples import named_tuple

if TYPE_CHECKING:
    from doctor.context import Context
    from doctor.project.code_base import CodeBase, Module

MAX_MODELS = 3
MAX_NAME = 200  # longer is no model's name (a 500 KB literal is data, not a model to test)


@named_tuple
class CodeModel:
    name: str
    file: str
    line: int
    label: str  # "line 12", or "cell 3, line 2"

    def to_dict(self) -> dict[str, object]:
        return {"model": self.name, "file": self.file, "line": self.line}


def code_models(code: CodeBase, limit: int = MAX_MODELS) -> list[CodeModel]:
    """Up to `limit` distinct models, in the order the project's files name them; each located at
    the literal that spells it (a constant's definition, where a typo would be fixed)."""
    found: dict[str, CodeModel] = {}
    for module in code.modules:
        for value, where_module in _model_arguments(code, module):
            named = _literal(code, where_module, value)
            if named is not None and named[0] not in found and len(found) < limit:
                name, where_module, node = named
                where = where_module.source.position(node)
                found[name] = CodeModel(name, where_module.path, where.line, where.label)
    return list(found.values())


def _model_arguments(code: CodeBase, module: Module) -> list[tuple[ast.expr, Module]]:
    """The model arguments of the module's chat requests and of its wrappers' chat models, in line
    order; a model that is a parameter of the request's function is followed one call deep, to its
    default and the literals the project's calls of that function pass."""
    values = []
    for call in module.usage.api_calls:
        if call.kind in ("chat", "responses") and "model" in call.args:
            values += [(call.node.lineno, value, where) for value, where in
                       _through_parameter(code, module, call.scope, call.args["model"])]
    for use in module.usage.wrappers:
        given = [use.args[name] for name in use.wrapper.model_args if name in use.args]
        if given and (not use.wrapper.request or _openai_model(given[0])):
            values.append((use.node.lineno, given[0], module))
    return [(value, where) for _, value, where in sorted(values, key=lambda item: item[0])]


def _through_parameter(code: CodeBase, module: Module, scope: ast.AST,
                       value: ast.expr) -> list[tuple[ast.expr, Module]]:
    if not isinstance(value, ast.Name) or not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [(value, module)]
    arguments = scope.args
    positional = [*arguments.posonlyargs, *arguments.args]
    names = [a.arg for a in (*positional, *arguments.kwonlyargs)]
    if value.id not in names or value.id in module.usage.bindings(scope):
        return [(value, module)]  # not a parameter, or one the function rebinds
    index = names.index(value.id)
    defaults = dict(zip([a.arg for a in positional][len(positional) - len(arguments.defaults):], arguments.defaults))
    defaults.update({a.arg: d for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults) if d is not None})
    found = [(defaults[value.id], module)] if value.id in defaults else []
    passed: list[tuple[tuple[str, int, int], ast.expr, Module]] = []
    for caller in code.modules:
        if scope.name not in caller.usage.words:
            continue
        for node in caller.usage.within(caller.usage.tree, ast.Call):
            target = code.function_called(caller, node)  # type: ignore[arg-type]
            if target is None or target[1] is not scope:
                continue
            given = {k.arg: k.value for k in node.keywords if k.arg}
            if value.id not in given and index < len(positional) and index < len(node.args) and \
                    not any(isinstance(a, ast.Starred) for a in node.args[:index + 1]):
                given[value.id] = node.args[index]
            if value.id in given:
                passed.append(((caller.path, node.lineno, node.col_offset), given[value.id], caller))
    return found + [(given_value, caller) for _, given_value, caller in sorted(passed, key=lambda p: p[0])]


def _openai_model(value: ast.expr) -> bool:
    """A LiteLLM model the doctor's OpenAI-compatible probes can ask for as it is spelt: a bare name of
    OpenAI's own (a bare "claude-..." goes elsewhere; "openai/gpt-4o" is another name to the API)."""
    from doctor.project.openai_usage import constant_text

    text = constant_text(value)
    return text is not None and text.startswith(("gpt-", "o1", "o3", "o4", "chatgpt-"))


def _literal(code: CodeBase, module: Module, value: ast.expr) -> tuple[str, Module, ast.expr] | None:
    """The model's name, and the module and node of the string literal that spells it."""
    from doctor.project.openai_usage import constant_text

    text = constant_text(value)
    if text is not None:
        name = text.strip()
        return (name, module, value) if name and len(name) <= MAX_NAME else None
    if not isinstance(value, ast.Name):
        return None
    if value.id in module.usage.constants:
        return _literal(code, module, module.usage.constants[value.id])
    for imported in module.usage.imports:
        if imported.name == value.id:
            source = code.resolve(module, imported.module, None, imported.level)
            if source is not None and value.id in source.usage.constants:
                return _literal(code, source, source.usage.constants[value.id])
    return None


@named_tuple
class Chosen:
    """A model the live checks test, and who chose it: a flag, a setting, a line of the code."""

    name: str
    source: str  # "--model", "OPENAI_MODEL in .env line 3", "app/llm.py line 12", "default"
    location: tuple[str, int] | None = None


async def models_to_test(ctx: Context) -> list[Chosen]:
    """The models to test, up to MAX_MODELS: the one chosen for the doctor, then the code's own.
    The first is the one every completion probe asks for; with none chosen and none in the
    code, the default. Computed once a run."""
    return await asyncio.shield(ctx.once("models-tested", lambda: _choose(ctx)))


async def _choose(ctx: Context) -> list[Chosen]:
    model, source = ctx.model_choice
    chosen = [Chosen(model, source)] if source != "default" else []
    for found in await _named_in_code(ctx):
        if all(found.name != c.name for c in chosen):
            chosen.append(Chosen(found.name, f"{found.file} {found.label}", (found.file, found.line)))
    chosen = chosen[:MAX_MODELS] or [Chosen(model, source)]
    if chosen[0].source != source and not ctx.cache.get("probe-model"):
        ctx.cache["probe-model"] = chosen[0].name
    return chosen


async def _named_in_code(ctx: Context) -> tuple[CodeModel, ...]:
    """The code's models, as code-usage concluded them (remembered or read). When `.env` was not read
    in time its rules cannot run, but the models the code names do not depend on `.env`: read them."""
    from checks.code_usage import code_conclusions
    from doctor.model import NotFinished

    try:
        return (await code_conclusions(ctx)).models
    except NotFinished:
        from doctor.project.code_base import project_code

        return tuple(code_models(await project_code(ctx)))
