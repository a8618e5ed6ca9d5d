"""Code repairs that add what the guide's worked example has: load_dotenv() before the key is
read, a timeout on the client, a cap on the reply, and a reply's text that may be None.

Each takes a module's source (a script, or one notebook cell) and the lines its finding
named, and returns a Rewrite or None. Loading `.env` first is safe: it is the intended
change and nothing else. A timeout and a token cap are the guide's numbers, not the
project's, and a guarded reply turns a crash into an empty string, so those three are
unsafe: applied only with `--unsafe-fixes`.
"""

from __future__ import annotations

from typing import Iterable

from doctor.repairs.python_text import (
    GUIDE_MAX_TOKENS, GUIDE_TIMEOUT, dotted_name, finished, keyword_names, parsed, with_keyword,
)
from doctor.repairs.rewrite import SAFE, UNSAFE, Rewrite

CLIENTS = ("OpenAI", "AsyncOpenAI", "AzureOpenAI", "AsyncAzureOpenAI")
# The keywords that cap a reply; "**" may hold one.
CAPS = frozenset(("max_tokens", "max_completion_tokens", "max_output_tokens", "**"))
REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")  # models that reject max_tokens (failure-modes.md, row 23)
_DOTENV_IMPORT = "from dotenv import load_dotenv\n"


def _statement_lines(module) -> list[tuple[int, int]]:  # noqa: ANN001 - a libcst Module
    """(first line, last line) of each top-level statement."""
    import libcst
    from libcst.metadata import MetadataWrapper, PositionProvider

    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    return [(positions[s].start.line, positions[s].end.line) for s in module.body if isinstance(s, libcst.CSTNode)]


def _is_import(statement) -> bool:  # noqa: ANN001 - a libcst statement
    import libcst

    return isinstance(statement, libcst.SimpleStatementLine) and all(
        isinstance(part, (libcst.Import, libcst.ImportFrom)) for part in statement.body)


def _is_docstring(statement) -> bool:  # noqa: ANN001
    import libcst

    return isinstance(statement, libcst.SimpleStatementLine) and len(statement.body) == 1 and \
        isinstance(statement.body[0], libcst.Expr) and isinstance(statement.body[0].value,
                                                                  (libcst.SimpleString, libcst.ConcatenatedString))


def load_dotenv_first(source: str, reads: Iterable[int] = ()) -> Rewrite | None:
    """`load_dotenv()` (and its import) after the module's leading imports, and before the first
    line in `reads` (where the key is read or the client built), so the key is in the environment
    when the code looks for it. A module that already loads `.env` at its very top is left alone."""
    import libcst

    module = parsed(source)
    if module is None:
        return None
    spans = _statement_lines(module)
    first_read = min(reads, default=None)
    at = 0
    for index, statement in enumerate(module.body):
        leading = _is_import(statement) or (index == 0 and _is_docstring(statement))
        if not leading or (first_read is not None and spans[index][1] >= first_read):
            break
        at = index + 1
    if at < len(module.body) and "load_dotenv(" in libcst.Module(body=[module.body[at]]).code:
        return None
    imported = any("load_dotenv" in libcst.Module(body=[s]).code and _is_import(s) for s in module.body[:at])
    added = libcst.parse_module(("" if imported else _DOTENV_IMPORT) + "load_dotenv()\n").body
    body = [*module.body[:at], *added, *module.body[at:]]
    return finished(source, module.with_changes(body=body), "Load .env with load_dotenv() before the key is read",
                    SAFE)


def _edit_calls(source: str, lines: Iterable[int], wanted, edit) -> tuple[object, list[int]] | None:  # noqa: ANN001
    """Applies `edit(call)` to every call `wanted(call)` accepts that starts on one of `lines` (every one
    when `lines` is empty). Returns the new module and the lines changed."""
    import libcst
    from libcst.metadata import MetadataWrapper, PositionProvider

    module = parsed(source)
    if module is None:
        return None
    only = set(lines)
    changed: list[int] = []

    class Edit(libcst.CSTTransformer):
        METADATA_DEPENDENCIES = (PositionProvider,)

        def leave_Call(self, original: libcst.Call, updated: libcst.Call) -> libcst.Call:
            line = self.get_metadata(PositionProvider, original).start.line
            if (not only or line in only) and wanted(original):
                new = edit(updated)
                if new is not updated:
                    changed.append(line)
                return new
            return updated

    return MetadataWrapper(module).visit(Edit()), changed


def add_timeout(source: str, lines: Iterable[int] = ()) -> Rewrite | None:
    """`timeout=30.0` on each client built without one (the guide's value: a guess for this project)."""
    def wanted(call) -> bool:  # noqa: ANN001
        name = dotted_name(call.func) or ""
        return name.split(".")[-1] in CLIENTS and not keyword_names(call) & {"timeout", "http_client", "**"}

    done = _edit_calls(source, lines, wanted, lambda call: with_keyword(call, "timeout", GUIDE_TIMEOUT))
    if done is None or not done[1]:
        return None
    module, changed = done
    return finished(source, module, f"Give the client a timeout (timeout={GUIDE_TIMEOUT}, the guide's value) "
                                    f"on line {', '.join(map(str, changed))}", UNSAFE)


def _cap_for(call) -> str | None:  # noqa: ANN001
    """The keyword that caps this request's reply, or None when it is not a request the cap applies to."""
    import libcst

    name = dotted_name(call.func) or ""
    if name.endswith("responses.create"):
        return "max_output_tokens"
    if not name.endswith("chat.completions.create"):
        return None
    model = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "model"), None)
    text = model.evaluated_value if isinstance(model, libcst.SimpleString) else ""
    return "max_completion_tokens" if str(text).startswith(REASONING_PREFIXES) else "max_tokens"


def add_max_tokens(source: str, lines: Iterable[int] = ()) -> Rewrite | None:
    """A cap on each request's reply that has none: max_tokens, or max_completion_tokens for a reasoning
    model and max_output_tokens for the Responses API (the guide's 200: a guess for this project)."""
    def wanted(call) -> bool:  # noqa: ANN001
        return _cap_for(call) is not None and not keyword_names(call) & CAPS

    done = _edit_calls(source, lines, wanted, lambda call: with_keyword(call, _cap_for(call), GUIDE_MAX_TOKENS))
    if done is None or not done[1]:
        return None
    module, changed = done
    return finished(source, module, f"Cap the reply's length ({GUIDE_MAX_TOKENS} tokens, the guide's value) on "
                                    f"line {', '.join(map(str, changed))}", UNSAFE)


def guard_reply(source: str, lines: Iterable[int] = ()) -> Rewrite | None:
    """Each `... .message.content` read as a string, in the functions holding `lines`, becomes
    `(... .message.content or "")`: a refusal, a tool call or a filtered reply has no text, and the
    code then gets an empty string instead of a crash. Reads inside a condition stay as they are."""
    import libcst
    from libcst.metadata import MetadataWrapper, PositionProvider

    module = parsed(source)
    if module is None:
        return None
    hits = set(lines)
    changed: list[int] = []
    # Where None does no harm: looked at (a comparison, an `or`/`and`), assigned to, or shown in an f-string.
    LOOKED_AT = (libcst.Comparison, libcst.BooleanOperation, libcst.AssignTarget,  # noqa: N806
                 libcst.FormattedStringExpression)

    class Guard(libcst.CSTTransformer):
        METADATA_DEPENDENCIES = (PositionProvider,)

        def __init__(self) -> None:
            super().__init__()
            self.tested = 0  # inside a condition, a comparison or an `or`/`and`
            self.scopes: list[tuple[int, int]] = []

        def _span(self, node: libcst.CSTNode) -> tuple[int, int]:
            where = self.get_metadata(PositionProvider, node)
            return where.start.line, where.end.line

        def on_visit(self, node: libcst.CSTNode) -> bool:
            if isinstance(node, libcst.FunctionDef):
                self.scopes.append(self._span(node))
            self.tested += isinstance(node, LOOKED_AT)
            return super().on_visit(node)

        def on_leave(self, original: libcst.CSTNode, updated: libcst.CSTNode):  # noqa: ANN201 - any node
            if isinstance(original, libcst.FunctionDef):
                self.scopes.pop()
            self.tested -= isinstance(original, LOOKED_AT)
            return super().on_leave(original, updated)

        def _in_hit_scope(self) -> bool:
            if not hits:
                return True
            if self.scopes:
                start, end = self.scopes[-1]
                return any(start <= line <= end for line in hits)
            return True

        def _enter(self, node: libcst.CSTNode) -> None:
            self.tested += 1

        def _leave(self, node: libcst.CSTNode) -> None:
            self.tested -= 1

        visit_If_test = visit_While_test = visit_Assert_test = visit_IfExp_test = _enter
        leave_If_test = leave_While_test = leave_Assert_test = leave_IfExp_test = _leave

        def leave_Attribute(self, original: libcst.Attribute, updated: libcst.Attribute) -> libcst.BaseExpression:
            is_text = updated.attr.value == "content" and isinstance(updated.value, libcst.Attribute) and \
                updated.value.attr.value == "message"
            if not is_text or self.tested or not self._in_hit_scope():
                return updated
            changed.append(self._span(original)[0])
            return libcst.BooleanOperation(left=updated, operator=libcst.Or(), right=libcst.SimpleString('""'),
                                           lpar=[libcst.LeftParen()], rpar=[libcst.RightParen()])

    result = MetadataWrapper(module).visit(Guard())
    if not changed:
        return None
    return finished(source, result, f"Use an empty text when the reply has none (line "
                                    f"{', '.join(map(str, sorted(set(changed))))})", UNSAFE)
