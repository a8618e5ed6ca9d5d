"""The repairs as fixes: which findings each answers, and one plan per file (see doctor/fixes/registry.py).

A file gets at most one safe plan and one unsafe plan. The unsafe plan starts from the safe
plan's result, so applying both in turn (safe first, as the registry lists them) meets no
file "changed since the preview"; applying only the safe one leaves a file the unsafe plan
does not claim. A file that is not plain UTF-8 text inside the project (a symlink out of it,
a special file), is read-only, or would not parse after the edit gets no plan: its finding
keeps the steps to do by hand.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Callable, Iterable

from doctor.fixes.plan import SAFE, UNSAFE, Command, FilePlan, link_target, newline_of, read_editable
from doctor.repairs import dotenv_text, python_guards, python_v1
from doctor.repairs.codes import CODE_UNSAFE, DOTENV_SAFE, LOAD_CODES, PORT_CODES, TRACKED
from doctor.repairs.found import places as _places, writable_text as _writable_text
from doctor.repairs.python_text import parsed
from doctor.repairs.rewrite import Rewrite

if TYPE_CHECKING:
    from doctor.fixes.registry import FixInputs

KEY = "OPENAI_API_KEY"
CODE_RECHECKS = ("code-usage",)
DOTENV_RECHECKS = ("dotenv-present", "key-format", "code-usage")

Step = Callable[[str], "Rewrite | None"]
Tagged = tuple[Iterable[str], Step]  # a step and the codes it answers


def _chain(text: str, steps: Iterable[Step]) -> tuple[str, list[str]]:
    """Each step applied to the result of the one before; returns the text and what was done."""
    done = []
    for step in steps:
        rewrite = step(text)
        if rewrite is not None:
            text = rewrite.after
            done.append(rewrite.summary)
    return text, done


def _plan(inputs: FixInputs, name: str, before: str, after: str, done: list[str], rechecks: tuple[str, ...],
          level: str) -> FilePlan | None:
    if not done or after == before:
        return None
    path = inputs.project / name
    return FilePlan(f"{'; '.join(done)} ({name})", path, before, after, rechecks, link_target(path, inputs.project),
                    level)


def _at_level(step: Callable[[str], Rewrite | None], level: str) -> Step:
    """The step, kept only when its rewrite is of this safety level."""
    def kept(text: str) -> Rewrite | None:
        rewrite = step(text)
        return rewrite if rewrite is not None and rewrite.safety == level else None

    return kept


# -- .env ----------------------------------------------------------------------------------------
def _dotenv_steps(places: dict[str, list[int]], level: str, text: str,
                  misread: list[tuple[str, str]]) -> list[Step]:
    """The safe repairs of the lines the findings name; or, for the unsafe level, the renames: a
    misnamed key (key-missing on its line) and each name the code reads instead (`misread`)."""
    if level == SAFE:
        lines = sorted({line for code in ("key-missing", "dotenv-parse-error") for line in places.get(code, [])})
        steps: list[Step] = [step for n in lines for step in (lambda t, n=n: dotenv_text.close_quote(t, n),
                                                              lambda t, n=n: dotenv_text.plain_assignment(t, n))]
        if places.keys() & {"key-whitespace", "key-non-ascii", "key-bad-prefix"}:
            steps.append(lambda t: dotenv_text.bare_key(t, KEY))
        if "dotenv-duplicate-key" in places:
            steps.append(lambda t: dotenv_text.drop_unused_duplicates(t, KEY))
        return steps
    renames = [(entry.key, KEY) for entry in dotenv_text.parse_entries(text)[0]
               if entry.line in places.get("key-missing", []) and entry.key != KEY] + misread
    steps = [lambda t, old=old, new=new: dotenv_text.rename(t, old, new) for old, new in renames]
    # A misnamed key was never checked for quotes or spaces (the SDK's name was not set): now it is.
    return steps + [lambda t: dotenv_text.bare_key(t, KEY)] if steps else []


def _code_reads(inputs: FixInputs, dotenv_names: Iterable[str]) -> list[tuple[str, str]]:
    """(the .env name, the name the code reads instead) for each env-name-mismatch finding: the name
    read at the finding's place, and the .env name the rule found similar to it."""
    import ast

    from checks.code_rules import _similar

    pairs = []
    for file, codes in _places(inputs, ("env-name-mismatch",)).items():
        text = _writable_text(inputs.project / file, inputs.project) if file.endswith(".py") else None
        lines = (text or "").splitlines()
        for line in codes["env-name-mismatch"]:
            try:
                tree = ast.parse(lines[line - 1].strip()) if 0 < line <= len(lines) else None
            except SyntaxError:
                continue
            read = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                    and n.value.isidentifier()] if tree else []
            similar = _similar(read[0], dotenv_names) if len(read) == 1 else None
            if similar:
                pairs.append((similar, read[0]))
    return pairs


def _dotenv_plan(inputs: FixInputs, level: str) -> FilePlan | None:
    from doctor.project.dotenv_files import locate_dotenv

    path = locate_dotenv(inputs.project)
    text = _writable_text(path, inputs.project)
    if text is None:
        return None
    name = os.path.relpath(path, inputs.project.resolve()).replace(os.sep, "/")
    places = {code: lines for file, found in _places(inputs, DOTENV_SAFE).items() if file == name
              for code, lines in found.items()}
    safe_text, safe_done = _chain(text, _dotenv_steps(places, SAFE, text, []))
    if level == SAFE:
        return _plan(inputs, name, text, safe_text, safe_done, DOTENV_RECHECKS, SAFE)
    misread = _code_reads(inputs, dotenv_text.loaded(safe_text))
    after, done = _chain(safe_text, _dotenv_steps(places, UNSAFE, safe_text, misread))
    return _plan(inputs, name, safe_text, after, done, DOTENV_RECHECKS, UNSAFE)


def dotenv_safe(inputs: FixInputs) -> FilePlan | None:
    """The key's line written as python-dotenv reads it: quotes and spaces gone, a quote closed,
    shell words removed, earlier duplicates dropped."""
    return _dotenv_plan(inputs, SAFE)


def dotenv_unsafe(inputs: FixInputs) -> FilePlan | None:
    """A variable renamed to the name the code (or the SDK) reads: anything else that reads the old
    name (a compose file, another script) stops seeing it, so it is unsafe."""
    return _dotenv_plan(inputs, UNSAFE)


# -- code ----------------------------------------------------------------------------------------
def _code_steps(codes: dict[str, list[int]], level: str, lines_valid: Callable[[str], bool]) -> list[Tagged]:
    """The rewrites for one file's findings, each with the codes it answers, in an order whose line
    numbers stay true: load_dotenv() first (it reads the finding's lines), then the port, then the
    rest (by line while still valid)."""
    steps: list[Tagged] = []
    reads = codes.get("dotenv-not-loaded", []) + codes.get("dotenv-loaded-late", [])
    if level == SAFE and LOAD_CODES & codes.keys():
        steps.append((LOAD_CODES & codes.keys(),
                      lambda t: python_guards.load_dotenv_first(t, reads if lines_valid(t) else ())))
    if codes.keys() & PORT_CODES:
        steps.append((PORT_CODES & codes.keys(), _at_level(python_v1.migrate, level)))
    if level == UNSAFE:
        for code, repair in (("client-no-timeout", python_guards.add_timeout),
                             ("max-tokens-missing", python_guards.add_max_tokens),
                             ("reply-unguarded", python_guards.guard_reply)):
            if code in codes:
                steps.append(({code}, lambda t, repair=repair, lines=codes[code]:
                               repair(t, lines if lines_valid(t) else ())))
    return steps


def _code_chain(text: str, steps: Iterable[Tagged]) -> tuple[str, list[str], set[str]]:
    """Like _chain, and also which codes the steps that changed the text answer."""
    done: list[str] = []
    repaired: set[str] = set()
    for codes, step in steps:
        text, made = _chain(text, (step,))
        done += made
        repaired |= set(codes) if made else set()
    return text, done, repaired


def _notebook_step(step: Step, cells: str) -> Step:
    """A rewrite of a notebook's code cells, in place: outputs, metadata and other cells stay as they
    were. `cells` is "first" (only the first code cell that parses: where load_dotenv() goes), "one"
    (declined when more than one cell would change: a port builds one client) or "each".
    Only a notebook saved in Jupyter's own layout is rewritten, so the diff shows the cells alone."""
    import json

    def rewrite(text: str) -> Rewrite | None:
        try:
            book = json.loads(text)
        except ValueError:
            return None
        if not isinstance(book, dict) or _jupyter_layout(book) != text:
            return None
        done: list[Rewrite] = []
        for cell in book.get("cells", []):
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            joined = "".join(source) if isinstance(source, list) else str(source)
            changed = step(joined)
            if changed is not None:
                cell["source"] = changed.after.splitlines(keepends=True) if isinstance(source, list) else changed.after
                done.append(changed)
            if cells == "first" and parsed(joined) is not None:
                break
        if not done or (cells == "one" and len(done) > 1):
            return None
        return Rewrite(_jupyter_layout(book), done[0].summary,
                       UNSAFE if any(not d.safe for d in done) else SAFE)

    return rewrite


def _jupyter_layout(book: dict) -> str:
    import json

    return json.dumps(book, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def _file_repairs(inputs: FixInputs, file: str, codes: dict[str, list[int]],
                  level: str) -> tuple[str, str, list[str], set[str]] | None:
    """One file's repairs at this level: (before, after, what was done, the codes repaired), or None
    for a file the doctor does not edit. The unsafe level starts from the safe level's result."""
    if not file.endswith((".py", ".ipynb")):
        return None
    text = _writable_text(inputs.project / file, inputs.project)
    if text is None:
        return None
    notebook = file.endswith(".ipynb")
    safe = _code_chain(text, _file_steps(codes, SAFE, text, notebook))
    if level == SAFE:
        return (text, *safe)
    return (safe[0], *_code_chain(safe[0], _file_steps(codes, UNSAFE, text, notebook)))


def _code_plans(inputs: FixInputs, level: str) -> list[FilePlan]:
    made = []
    for file, codes in _places(inputs, CODE_UNSAFE).items():
        repairs = _file_repairs(inputs, file, codes, level)
        plan = _plan(inputs, file, *repairs[:3], CODE_RECHECKS, level) if repairs else None
        if plan is not None:
            made.append(plan)
    return made


def repaired_codes(inputs: FixInputs, level: str) -> dict[str, set[str]]:
    """file -> the codes whose repair `--fix` makes there at this level (the plans, built for real):
    what the cheap decision of applies.py must never claim more than."""
    made = {}
    for file, codes in _places(inputs, CODE_UNSAFE).items():
        repairs = _file_repairs(inputs, file, codes, level)
        made[file] = repairs[3] if repairs and repairs[0] != repairs[1] else set()
    return made


def repaired_levels(inputs: FixInputs, codes: Iterable[str]) -> dict[str, str]:
    """code -> the level at which `--fix` repairs every finding of it, for those of `codes` it repairs:
    the plans built for real (libcst), where applies.py cannot say without them."""
    made = {level: repaired_codes(inputs, level) for level in (SAFE, UNSAFE)}
    levels = {}
    for code in codes:
        files = {f.location.file if f.location else None for f in inputs.findings if f.code == code}
        level = next((level for level in (SAFE, UNSAFE) if files and all(code in made[level].get(file, ())
                                                                       for file in files)), None)
        if level is not None:
            levels[code] = level
    return levels


def _file_steps(codes: dict[str, list[int]], level: str, original: str, notebook: bool) -> list[Tagged]:
    """The steps for a script, or for a notebook's cells (where the finding's lines are not used)."""
    steps = _code_steps(codes, level, lambda current: current == original and not notebook)
    if not notebook:
        return steps
    kinds = (["first"] if level == SAFE and LOAD_CODES & codes.keys() else []) + \
        (["one"] if codes.keys() & PORT_CODES else [])
    kinds += ["each"] * (len(steps) - len(kinds))
    return [(tags, _notebook_step(step, kind)) for (tags, step), kind in zip(steps, kinds)]


def code_safe(inputs: FixInputs) -> list[FilePlan]:
    """load_dotenv() where the key is read before .env is loaded, and a 0.28 port that only changes calls
    and reads."""
    return _code_plans(inputs, SAFE)


def code_unsafe(inputs: FixInputs) -> list[FilePlan]:
    """A 0.28 port that renames exceptions, the guide's timeout and token cap, and a reply's text that
    may be None: each may change what the code does beyond the finding."""
    return _code_plans(inputs, UNSAFE)


# -- git -----------------------------------------------------------------------------------------
def untrack_dotenv(inputs: FixInputs) -> list[FilePlan]:
    """`git rm --cached` for each tracked `.env` file of the project (the file stays on disk), after
    an ignore line for it. Rotating the key is the user's own first step, which the finding says."""
    from doctor.fixes.dotfiles import IGNORE_LINES, gitignore_plan
    from doctor.git import HARDENING

    gitignore = inputs.project / ".gitignore"
    names = [f.location.file for f in inputs.findings if f.code in TRACKED and f.location is not None
             and "/" not in f.location.file and (inputs.project / f.location.file).is_file()]
    if not names:
        return []
    editable, before = read_editable(gitignore, inputs.project)
    if not editable:
        return []
    # The .gitignore fix, listed before this one, may add .env first: this plan then starts from its result.
    planned = gitignore_plan(inputs.project) if any(f.code == "dotenv-not-ignored" for f in inputs.findings) else None
    text = planned.after if planned is not None else before or ""
    ignored = {line.strip() for line in text.splitlines()}
    newline = newline_of(text)
    after = text + ("" if not text or text.endswith(("\n", "\r")) else newline)
    for name in names:
        if name not in ignored and not (name == ".env" and ignored & set(IGNORE_LINES)):
            after += name + newline
    then = tuple(Command(("git", *HARDENING, "rm", "--cached", "--quiet", "--", name), f"git rm --cached {name}")
                 for name in names)
    return [FilePlan(f"Stop tracking {', '.join(names)} (the file stays on disk) and ignore it", gitignore,
                     text if planned is not None else before, after, ("dotenv-gitignored",),
                     link_target(gitignore, inputs.project), SAFE, then)]
