"""Whether `--fix` would make a code repair, decided with `ast` alone, for a plain run to mark it.

Building a code repair's plan imports libcst (about 0.3 s) and rewrites the file, only for a plain
`check` to say "llm-doctor check --fix applies this". This module says it without either: for each
repair it reproduces, on the `ast` tree, every way the repair (python_guards.py) declines, and it
answers only when it is certain. A code is marked when every finding of it is in a writable `.py`
script whose repair is certain; anything else (a notebook, a read-only file, code a rewrite could
break) is left unmarked, and its finding keeps the steps to do by hand. The 0.28 port declines in
too many ways to reproduce here: the registry builds its plan to say (plans.repaired_levels). A fix
marked here and then declined by `--fix` would be a confident wrong answer, so when in doubt this
says nothing. tests/repairs/test_applies.py checks
it against the real plans (plans.repaired_codes) on the repairs' own cases and the code corpus.
"""

from __future__ import annotations

import ast
import sys
import warnings
from typing import TYPE_CHECKING, Callable, Iterable

from doctor.fixes.plan import SAFE, UNSAFE, Safety
from doctor.repairs.codes import CODE_UNSAFE, LOAD_CODES, PORT_CODES  # the port is never decided here
from doctor.repairs.found import places, writable_text
from doctor.repairs.python_guards import CAPS, CLIENTS
from doctor.repairs.rewrite import lines_of

if TYPE_CHECKING:
    from doctor.fixes.registry import FixInputs

# libcst recurses per level of nesting: code nested deeper than this may stop its parser, not `ast`.
MAX_DEPTH = 60
# The newest grammar libcst 1.x parses: on a newer Python, `ast` may accept code libcst cannot read.
LIBCST_GRAMMAR = (3, 13)


def certain_levels(inputs: FixInputs) -> dict[str, Safety]:
    """code -> the level at which `--fix` repairs every one of its findings, for the code repairs
    this module is certain of; a code it is not certain of is left out."""
    found = {f.code for f in inputs.findings if f.code in CODE_UNSAFE}
    unplaced = {f.code for f in inputs.findings if f.code in found and (f.location is None)}
    levels: dict[str, Safety] = {}
    undecided = set(unplaced) | set(PORT_CODES)
    for file, codes in places(inputs, found).items():
        decided = _file_levels(inputs, file, codes)
        for code in codes:
            if code not in decided or levels.get(code, decided[code]) != decided[code]:
                undecided.add(code)
            else:
                levels[code] = decided[code]
    return {code: level for code, level in levels.items() if code not in undecided}


def _file_levels(inputs: FixInputs, file: str, codes: dict[str, list[int]]) -> dict[str, Safety]:
    """The codes of one file whose repair is certain, with its level."""
    if not file.endswith(".py") or sys.version_info[:2] > LIBCST_GRAMMAR:
        return {}
    text = writable_text(inputs.project / file, inputs.project)
    tree = _parsed(text) if text is not None else None
    if tree is None:
        return {}
    lines = lines_of(text)  # as Python counts lines: \r\n, \r and \n
    levels: dict[str, Safety] = {}
    reads = [line for code in LOAD_CODES for line in codes.get(code, [])]
    if LOAD_CODES & codes.keys() and _loads_dotenv(tree, lines, reads):
        levels.update(dict.fromkeys(LOAD_CODES & codes.keys(), SAFE))
    if codes.keys() & PORT_CODES:
        return levels  # the port runs before the unsafe repairs and may change what they find
    for code, repaired in UNSAFE_REPAIRS.items():
        if code in codes and repaired(tree, lines, codes[code]):
            levels[code] = UNSAFE
    return levels


def _parsed(text: str) -> ast.Module | None:
    """The tree, when libcst will parse the same text: it parses what `ast` does, short of deep nesting."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    pending = [(tree, 0)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_DEPTH:
            return None
        pending += [(child, depth + 1) for child in ast.iter_child_nodes(node)]
    return tree


# -- load_dotenv() first (python_guards.load_dotenv_first) ---------------------------------------
def _loads_dotenv(tree: ast.Module, lines: list[str], reads: Iterable[int]) -> bool:
    """load_dotenv_first inserts after the leading imports (and a docstring), stopping before the
    statement that ends on or after the first read; it declines when the statement it would go
    before holds "load_dotenv(" (its comments included). Here the place is found with a docstring
    counted generously, so the text searched (from the top to where the next statement starts)
    holds every statement the repair may look at."""
    groups = _logical_lines(tree)
    first_read = min(reads, default=None)
    at = 0
    for index, group in enumerate(groups):
        leading = all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in group) or \
            index == 0 and len(group) == 1 and isinstance(group[0], ast.Expr)
        if not leading or (first_read is not None and group[-1].end_lineno >= first_read):
            break
        at = index + 1
    future = [g for g in groups if any(isinstance(s, ast.ImportFrom) and s.module == "__future__" for s in g)]
    if first_read is not None and any(g[-1].end_lineno >= first_read for g in future):
        return False  # load_dotenv() could land above a __future__ import, which must come first
    end = groups[at + 1][0].lineno - 1 if at + 1 < len(groups) else len(lines)
    searched = lines[:end]
    if searched and searched[-1].rstrip().endswith("\\"):
        return False  # a line continued with a backslash: where the statement ends is not certain here
    return "load_dotenv(" not in "".join(searched)


def _logical_lines(tree: ast.Module) -> list[list[ast.stmt]]:
    """The module's top-level statements grouped as libcst does: `a; b` on one line is one statement."""
    groups: list[list[ast.stmt]] = []
    for statement in tree.body:
        if groups and statement.lineno == groups[-1][-1].end_lineno:
            groups[-1].append(statement)
        else:
            groups.append([statement])
    return groups


# -- a keyword added to calls (python_guards.add_timeout, add_max_tokens) -------------------------
def _dotted(node: ast.expr) -> str:
    """`a.b.c` for a chain of names, else "" (as python_text.dotted_name, None becoming "")."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else ""


def _keywords(call: ast.Call) -> set[str]:
    return {k.arg or "**" for k in call.keywords}


def _adds_keyword(wanted: Callable[[ast.Call], bool]) -> Callable[[ast.Module, list[str], list[int]], bool]:
    """The repair adds a keyword to each call `wanted` accepts on the finding's lines (on every line
    once an earlier repair changed the file): certain when one call on those lines takes it, and no
    call it may edit anywhere in the file would stop parsing (a bare generator argument would)."""
    def repaired(tree: ast.Module, lines: list[str], found: list[int]) -> bool:
        only = set(found)
        certain = False
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call) and wanted(n)):
            if any(isinstance(a, ast.GeneratorExp) for a in call.args):
                return False
            plain = _starts_with_name(lines, call)  # else libcst may place the call on another line
            if plain and (not only or call.lineno in only) and not any(isinstance(a, ast.Starred) for a in call.args):
                certain = True  # a trailing *args would leave the call as it was
        return certain

    return repaired


def _starts_with_name(lines: list[str], node: ast.expr) -> bool:
    line = lines[node.lineno - 1].encode() if 0 < node.lineno <= len(lines) else b""
    head = line[node.col_offset:node.col_offset + 1].decode("utf-8", "replace")
    return head.isidentifier()


def _no_timeout(call: ast.Call) -> bool:
    return _dotted(call.func).split(".")[-1] in CLIENTS and not _keywords(call) & {"timeout", "http_client", "**"}


def _no_cap(call: ast.Call) -> bool:
    name = _dotted(call.func)
    return name.endswith(("responses.create", "chat.completions.create")) and not _keywords(call) & CAPS


# -- a reply's text that may be None (python_guards.guard_reply) ----------------------------------
LOOKED_AT = (ast.Compare, ast.BoolOp, ast.FormattedValue)  # as guard_reply's LOOKED_AT, with assignment targets


def _guards_reply(tree: ast.Module, lines: list[str], found: list[int]) -> bool:
    """guard_reply writes `(... .message.content or "")` for each read not looked at (in a condition,
    a comparison, an `or`/`and`, an f-string, an assignment's target), in the functions holding the
    finding's lines (in every function once an earlier repair changed the file), and at the top
    level. Certain when one such read is in those functions, and every read it may rewrite anywhere
    is one a parenthesised expression can replace (a plain load, outside a `case` pattern)."""
    hits = set(found)
    certain = False
    pending: list[tuple[ast.AST, bool, tuple[int, int] | None, bool]] = [(tree, False, None, False)]
    while pending:
        node, tested, scope, pattern = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            scope = (node.lineno, node.end_lineno)
        tested = tested or isinstance(node, LOOKED_AT)
        pattern = pattern or isinstance(node, ast.pattern)
        if isinstance(node, ast.Attribute) and node.attr == "content" and \
                isinstance(node.value, ast.Attribute) and node.value.attr == "message" and not tested:
            if not isinstance(node.ctx, ast.Load) or pattern:
                return False
            certain = certain or not hits or scope is None or any(scope[0] <= h <= scope[1] for h in hits)
        for field, value in ast.iter_fields(node):
            looked = tested or _tested_field(node, field)
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.AST):
                    pending.append((child, looked, scope, pattern))
    return certain


def _tested_field(node: ast.AST, field: str) -> bool:
    """A condition's test, or an assignment's targets: where guard_reply leaves a read alone."""
    return field == "test" and isinstance(node, (ast.If, ast.While, ast.Assert, ast.IfExp)) or \
        field == "targets" and isinstance(node, ast.Assign)


UNSAFE_REPAIRS: dict[str, Callable[[ast.Module, list[str], list[int]], bool]] = {
    "client-no-timeout": _adds_keyword(_no_timeout),
    "max-tokens-missing": _adds_keyword(_no_cap),
    "reply-unguarded": _guards_reply,
}
