"""What every code repair shares: parsing with libcst, and the checks a rewrite must pass.

libcst keeps everything the syntax tree drops (comments, blank lines, quotes, tabs, CRLF
line endings, trailing commas), so a rewrite changes only the nodes it means to change
and the diff shows nothing else. It is imported here only, and this module only by a
code repair that is being built, so a run that builds none never loads it.
"""

from __future__ import annotations

import ast
import warnings
from typing import TYPE_CHECKING

from doctor.repairs.rewrite import Rewrite

if TYPE_CHECKING:
    import libcst

# The guide's own values (its worked example): a guessed number, so a fix that adds one is unsafe.
GUIDE_TIMEOUT = "30.0"
GUIDE_MAX_TOKENS = "200"


def parsed(source: str) -> "libcst.Module | None":
    """The module, or None for code that does not parse as Python 3 (a syntax error, Python 2)."""
    import libcst

    try:
        return libcst.parse_module(source)
    except (libcst.ParserSyntaxError, RecursionError, ValueError):
        return None


def still_python(source: str) -> bool:
    """A rewrite is offered only when its result parses (the interpreter's own parser has the last word)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for an odd escape is the user's, not ours
            ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return False
    return True


def finished(before: str, module: "libcst.Module", summary: str, safety: str) -> Rewrite | None:
    """The rewrite, when it changed something and the result still parses."""
    after = module.code
    if after == before or not still_python(after):
        return None
    return Rewrite(after, summary, safety)


def with_keyword(call: "libcst.Call", name: str, value: str) -> "libcst.Call":
    """`call` with `name=value` added after its last argument, laid out as the call is: one line,
    or one argument a line (keeping a trailing comma where there was one)."""
    import libcst

    new = libcst.Arg(value=libcst.parse_expression(value), keyword=libcst.Name(name),
                     equal=libcst.AssignEqual(whitespace_before=libcst.SimpleWhitespace(""),
                                              whitespace_after=libcst.SimpleWhitespace("")))
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    if last.star:
        return call  # `**options` may hold it already
    multiline = isinstance(call.whitespace_before_args, libcst.ParenthesizedWhitespace)
    between = args[-2].comma if len(args) > 1 and isinstance(args[-2].comma, libcst.Comma) else \
        libcst.Comma(whitespace_after=call.whitespace_before_args if multiline else libcst.SimpleWhitespace(" "))
    new = new.with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)
    args[-1] = last.with_changes(comma=between, whitespace_after_arg=libcst.SimpleWhitespace(""))
    return call.with_changes(args=[*args, new])


def keyword_names(call: "libcst.Call") -> set[str]:
    """The keywords a call passes; "**" when it spreads a mapping (which may hold any of them)."""
    names = {arg.keyword.value for arg in call.args if arg.keyword is not None}
    return names | ({"**"} if any(arg.star == "**" for arg in call.args) else set())


def dotted_name(node: "libcst.BaseExpression") -> str | None:
    """`a.b.c` for a chain of names, else None."""
    import libcst

    parts = []
    while isinstance(node, libcst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, libcst.Name):
        return None
    return ".".join([node.value, *reversed(parts)])

