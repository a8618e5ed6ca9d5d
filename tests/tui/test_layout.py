"""Readable at 80x24 and at 60x20: nothing cut, nothing broken mid-word, the fix and the keys in reach."""

from __future__ import annotations

import asyncio
import re

import pytest

from doctor.model import Fix, Result, Status, check
from doctor.tui.widgets.key_bar import key_line
from doctor.tui.wrap import line_spans
from tests.tui.helpers import app_for, fake, panel_lines, screen_lines, settle

URL = "https://platform.openai.com/account/api-keys"
COMMAND = "python -m pip install --upgrade 'openai>=1.40.0' 'httpx>=0.27,<0.29' python-dotenv"
SEPARATORS = "/?&=#.-_:,;@+"


@check("sample-call", title="Sample call with the openai SDK", group="API behaviour", codes=("x",))
async def long_winded(ctx):
    """What it checks: the guide's own example, run by the project's Python."""
    return Result(Status.FAIL, "the SDK raised AuthenticationError", code="x", fix=Fix(
        "Use a valid key.",
        steps=(f"Create a new key in the dashboard at {URL} and paste it into .env as OPENAI_API_KEY.",
               "Check that no old key in the shell shadows the one in .env, then run the doctor again."),
        commands=(COMMAND,), links=(URL,)))


CHECKS = [fake("python"), fake("context", group="API behaviour"), long_winded]


def run_at(size, act=None) -> dict:
    """The app at `size` after the run (and `act`): its screen and its panels, as drawn."""
    async def go():
        app = app_for_checks()
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            if act is not None:
                await act(pilot)
                await pilot.pause()
            return {"screen": screen_lines(app), "checks": panel_lines(app, "#checks"),
                    "detail": panel_lines(app, "#detail")}

    return asyncio.run(go())


def app_for_checks():
    import tempfile
    from pathlib import Path

    return app_for(Path(tempfile.mkdtemp()), CHECKS)


def joined(lines: list[str]) -> str:
    return " ".join(" ".join(lines).split())


@pytest.mark.parametrize("size", [(80, 24), (60, 20), (100, 30)])
def test_check_titles_are_never_cut(size):
    shown = run_at(size)["checks"]
    assert "Sample call with the openai SDK" in joined(shown)
    assert "…" not in "".join(shown)


def breaks_inside(lines: list[str], word: str) -> list[str]:
    """The text before each line break that falls inside `word`."""
    found = []
    for line, following in zip(lines, lines[1:]):
        before, after = line.rstrip(), following.lstrip()
        if not before or not after:
            continue
        last, first = before.split()[-1], after.split()[0]
        if last + first in word:
            found.append(last)
    return found


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
def test_urls_and_commands_break_only_after_a_separator_and_steps_keep_their_indent(size):
    async def to_the_fix(pilot):
        await pilot.press("tab")  # the details; the arrows then scroll them
        for _ in range(3):
            await pilot.press("pagedown")

    async def top(pilot):
        await pilot.press("tab")

    for act in (top, to_the_fix):
        lines = run_at(size, act)["detail"]
        for word in [URL, *COMMAND.split()]:
            assert all(piece[-1] in SEPARATORS for piece in breaks_inside(lines, word)), lines
        steps = [n for n, line in enumerate(lines) if re.match(r"\s+1\. ", line)]
        for n in steps:
            indent = lines[n].index("1. ") + 3
            follow = lines[n + 1]
            assert follow[:indent].strip() == "" and follow[indent] != " ", lines[n:n + 2]


def test_the_fix_is_reachable_at_60x20_with_tab_and_the_keys():
    async def scroll(pilot):
        await pilot.press("tab", "end")

    before, after = run_at((60, 20)), run_at((60, 20), scroll)
    assert "python -m pip" not in joined(before["detail"])
    assert "python -m pip" in joined(after["detail"]) and "openai>=1.40.0" in joined(after["detail"])


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
def test_the_key_bar_keeps_help_quit_and_the_palette(size):
    bar = run_at(size)["screen"][-1]
    assert "? Help" in bar and "^p palette" in bar and "q Quit" in bar and "r Re-run" in bar


def test_the_key_bar_drops_what_the_palette_also_offers_first():
    from doctor.tui.app import DoctorApp

    wide, narrow = str(key_line(DoctorApp.BINDINGS, 200)), str(key_line(DoctorApp.BINDINGS, 60))
    assert "R All" in wide and "l Place" in wide
    assert "R All" not in narrow and "? Help" in narrow and len(narrow) <= 60
    assert "^p palette" in str(key_line(DoctorApp.BINDINGS, 10))  # never dropped


@pytest.mark.parametrize("width", range(8, 70, 3))
def test_wrapping_keeps_every_character_within_the_width(width):
    text = f"Open {URL} then run {COMMAND} at once"
    lines = [text[a:b] for a, b in line_spans(text, width)]
    assert "".join(lines).replace(" ", "") == text.replace(" ", "") and all(len(line) <= width for line in lines)
    if width >= 20:
        assert all(piece[-1] in SEPARATORS for piece in breaks_inside(lines, URL))


def test_a_long_word_breaks_after_a_separator_and_only_a_word_without_one_is_cut():
    def wrapped(text, width):
        return [text[a:b] for a, b in line_spans(text, width)]

    assert wrapped(URL, 30) == ["https://platform.openai.com/", "account/api-keys"]
    assert wrapped(f"key at {URL}", 40) == ["key at https://platform.openai.com/", "account/api-keys"]
    assert wrapped("pip install 'openai>=1.40.0'", 20) == ["pip install", "'openai>=1.40.0'"]
    assert wrapped("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert wrapped("one\n\ntwo", 10) == ["one", "", "two"]
