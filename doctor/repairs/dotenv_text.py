"""Repairs of a `.env` text: the key's line written the way python-dotenv reads it.

Every rewrite is checked with python-dotenv's own parser before it is offered: the
variable it meant to change has the value it meant to give, and every other variable
keeps exactly the value it had (after `${VAR}` expansion, as `load_dotenv()` would see
it). A rewrite that cannot pass that check is not offered. Duplicate keys are never
guessed at: python-dotenv uses the last line, and so does every repair here.
"""

from __future__ import annotations

from doctor.project.dotenv_files import expand, parse_entries
from doctor.repairs.rewrite import Rewrite, ending_of, lines_of

SMART_QUOTES = "\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e\u201a"
_QUOTES = "'\"`" + SMART_QUOTES
_SHELL_WORDS = ("export", "EXPORT", "Export", "set", "SET", "setx")
_NAME_FIRST = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"
_NAME_REST = _NAME_FIRST + "0123456789"
# What a key is made of: anything else (a space inside, a backslash, a `$`) is not stripped away blindly.
_KEY_CHARACTERS = frozenset(_NAME_REST + "-.:+/=~")


def loaded(text: str) -> dict[str, str | None]:
    """The variables `load_dotenv()` would set from this text in an empty environment: the last
    line of a name wins and `${VAR}` is expanded, both as python-dotenv does."""
    entries, _ = parse_entries(text)
    return {entry.key: entry.value for entry in expand(entries, {})}


def _checked(before: str, after: str, expected: dict[str, str | None], gone: tuple[str, ...] = ()) -> bool:
    """True when `after` loads exactly what `before` loaded, except the names in `expected` (which must
    now hold those values) and in `gone` (which must no longer be set)."""
    old, new = loaded(before), loaded(after)
    wanted = {k: v for k, v in old.items() if k not in gone}
    wanted.update(expected)
    return new == wanted


def _statement_lines(text: str) -> dict[int, int]:
    """Line number -> how many lines the statement starting there spans (a quoted value may span several)."""
    entries, unparsed = parse_entries(text)
    starts = sorted({e.line for e in entries} | {u.line for u in unparsed})
    total = len(lines_of(text))
    return {line: (starts[i + 1] if i + 1 < len(starts) else total + 1) - line for i, line in enumerate(starts)}


def _replace_line(text: str, number: int, new: str) -> str:
    lines = lines_of(text)
    lines[number - 1] = new + ending_of(lines[number - 1])
    return "".join(lines)


def bare_key(text: str, name: str) -> Rewrite | None:
    """The value of `name` without the spaces, quotes or typographic quotes around it.

    Only the line python-dotenv uses (the last one) is changed, and only when what is left is
    one unbroken run of key characters: a value with a space or a `$` inside is the user's to
    correct. A comment after the value stays.
    """
    entries, _ = parse_entries(text)
    lines = lines_of(text)
    setting = [e for e in entries if e.key == name]
    if not setting or setting[-1].value is None or _statement_lines(text).get(setting[-1].line, 1) != 1:
        return None
    number = setting[-1].line
    line = lines[number - 1].rstrip("\r\n")
    head, sep, raw = line.partition("=")
    clean = setting[-1].value.strip().strip(_QUOTES).strip()
    if not sep or not clean or not set(clean) <= _KEY_CHARACTERS or clean == setting[-1].value:
        return None
    start = raw.find(clean)
    rest = raw[start + len(clean):].strip().lstrip(_QUOTES).strip()
    if start < 0 or raw[:start].strip().strip(_QUOTES).strip() or rest[:1] not in ("", "#"):
        return None
    comment = f" {rest}" if rest else ""
    after = _replace_line(text, number, f"{head.rstrip()}={clean}{comment}")
    if not _checked(text, after, {name: clean}):
        return None
    return Rewrite(after, f"Remove the spaces and quotes around {name}'s value (line {number} of .env)")


def _without_shell_words(line: str) -> tuple[str, str] | None:
    """(indent, `NAME...` with what a shell needs before it removed), or None when nothing is removed:
    `export export NAME=`, `EXPORT NAME=`, `set NAME=` (cmd), `$env:NAME=` (PowerShell)."""
    indent = line[: len(line) - len(line.lstrip())]
    rest, removed = line.lstrip(), False
    while True:
        parts = rest.split(None, 1)
        if len(parts) == 2 and parts[0] in _SHELL_WORDS and parts[1][:1] in _NAME_FIRST:
            rest, removed = parts[1], True
        elif rest[:5].lower() == "$env:":
            rest, removed = rest[5:], True
        else:
            return (indent, rest) if removed else None


def plain_assignment(text: str, number: int) -> Rewrite | None:
    """Line `number` written as NAME=value: the shell words python-dotenv cannot read removed
    (`EXPORT`, a doubled `export`, cmd's `set`, PowerShell's `$env:`), and `NAME: value` given its `=`.

    A plain `export NAME=value` is left alone: python-dotenv reads it, and the shell `source`s it.
    """
    lines = lines_of(text)
    entries, _ = parse_entries(text)
    if not 1 <= number <= len(lines) or any(e.line == number and "$env:" not in e.key for e in entries):
        return None  # python-dotenv reads the line already
    line = lines[number - 1].rstrip("\r\n")
    stripped = _without_shell_words(line)
    indent, rest = stripped if stripped else (line[: len(line) - len(line.lstrip())], line.lstrip())
    name_end = next((i for i, ch in enumerate(rest) if ch not in _NAME_REST), len(rest))
    name, tail = rest[:name_end], rest[name_end:]
    if not name or name[0] not in _NAME_FIRST:
        return None
    if tail.lstrip().startswith(":") and "=" not in tail.split(":", 1)[0]:
        tail = "=" + tail.lstrip()[1:].lstrip()
    elif stripped is None:
        return None
    after = _replace_line(text, number, f"{indent}{name}{tail}")
    value = loaded(after).get(name)
    if value is None or not _checked(text, after, {name: value}, gone=tuple(k for k in loaded(text) if "$env:" in k)):
        return None
    return Rewrite(after, f"Write line {number} of .env as {name}=value, which python-dotenv reads")


def close_quote(text: str, number: int) -> Rewrite | None:
    """The quote that line `number` opens, closed at the end of that line, when nothing else in the
    line could be the closing one (python-dotenv drops the whole line until then)."""
    lines = lines_of(text)
    if not 1 <= number <= len(lines):
        return None
    line = lines[number - 1].rstrip("\r\n")
    head, sep, raw = line.partition("=")
    value = raw.strip()
    quote = value[:1]
    if not sep or quote not in ("'", '"') or quote in value[1:] or "#" in value:
        return None
    name = head.strip().removeprefix("export").strip()
    after = _replace_line(text, number, line.rstrip() + quote)
    if not _checked(text, after, {name: value[1:]}):
        return None
    return Rewrite(after, f"Close the quote {quote} that line {number} of .env opens")


def rename(text: str, old: str, new: str) -> Rewrite | None:
    """Every line that sets `old` set `new` instead. Not when `new` is set already (which one would
    win is not the doctor's guess) or when another line refers to `${old}`."""
    if old == new or new in loaded(text) or old not in loaded(text) or "${" + old in text:
        return None
    entries, _ = parse_entries(text)
    after = text
    for entry in entries:
        if entry.key == old:
            line = lines_of(after)[entry.line - 1]
            at = line.find(old)
            after = _replace_line(after, entry.line, (line[:at] + new + line[at + len(old):]).rstrip("\r\n"))
    if not _checked(text, after, {new: loaded(text)[old]}, gone=(old,)):
        return None
    return Rewrite(after, f"Rename {old} to {new} in .env, the name the code reads")


def drop_unused_duplicates(text: str, name: str) -> Rewrite | None:
    """The lines that set `name` before its last one removed: python-dotenv uses the last, so what
    `load_dotenv()` sets does not change (checked). Not when a `${name}` reference makes order matter."""
    entries, _ = parse_entries(text)
    setting = [e for e in entries if e.key == name]
    spans = _statement_lines(text)
    if len(setting) < 2 or "${" + name in text:
        return None
    doomed = {line for e in setting[:-1] for line in range(e.line, e.line + spans.get(e.line, 1))}
    after = "".join(line for number, line in enumerate(lines_of(text), 1) if number not in doomed)
    if not _checked(text, after, {}):
        return None
    kept = setting[-1].line
    return Rewrite(after, f"Keep only the {name} line python-dotenv uses (line {kept}) and remove the "
                          f"{len(setting) - 1} earlier one{'s' if len(setting) > 2 else ''} it ignores")

