"""The models the project's code asks for, so the live checks test those and not only a default.

A model counts when a request names it as a literal (`model="gpt-4o"`) or as a module
constant, in the same module or imported from another module of the project
(`from config import MODEL`). A model chosen at run time (an argument, a setting) is not
known statically and is left out.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from doctor.project.code_base import CodeBase, Module
from doctor.project.openai_usage import constant_text

MAX_MODELS = 3


@dataclass(frozen=True)
class CodeModel:
    name: str
    file: str
    line: int
    label: str  # "line 12", or "cell 3, line 2"

    def to_dict(self) -> dict[str, object]:
        return {"model": self.name, "file": self.file, "line": self.line}


def code_models(code: CodeBase, limit: int = MAX_MODELS) -> list[CodeModel]:
    """Up to `limit` distinct models, in the order the project's files name them."""
    found: dict[str, CodeModel] = {}
    for module in code.modules:
        for call in module.usage.api_calls:
            if call.kind not in ("chat", "responses"):
                continue
            value = call.args.get("model")
            name = _model_name(code, module, value) if value is not None else None
            if name and name not in found and len(found) < limit:
                where = module.source.position(value)
                found[name] = CodeModel(name, module.path, where.line, where.label)
    return list(found.values())


def _model_name(code: CodeBase, module: Module, value: ast.expr) -> str | None:
    text = constant_text(value)
    if text is not None or not isinstance(value, ast.Name):
        return text.strip() if text else None
    if value.id in module.usage.constants:
        return module.usage.constants[value.id]
    for imported in module.usage.imports:
        if imported.name == value.id:
            source = code.resolve(module, imported.module, None, imported.level)
            if source is not None:
                return source.usage.constants.get(value.id)
    return None
