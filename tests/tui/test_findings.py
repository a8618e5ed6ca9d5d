"""Each finding shows its place (file:line) next to its message; `l` copies the selected one's place."""

from __future__ import annotations

import asyncio

from doctor.model import Finding, Fix, Result, Status
from tests.tui.helpers import app_for, fake, finding_check, settle, text_of
from tests.tui.test_copy import fake_program, path_with

FINDINGS = (
    Finding(Status.FAIL, "secret-in-file", "an API key is written in the code", Fix("Move it to .env."),
            location=("src/app.py", 12, 5)),
    Finding(Status.WARN, "secret-in-notebook", "an old key is kept in a notebook's output",
            location=("notes/explore.ipynb", 3)),
)


def test_findings_show_their_place_and_l_copies_the_selected_ones(tmp_path):
    xclip = fake_program(tmp_path / "bin", "xclip")
    copied = f"{xclip}.got"

    async def go():
        app = app_for(tmp_path, [fake("ok"), finding_check("secrets", *FINDINGS)], DISPLAY=":0",
                      PATH=path_with(tmp_path / "bin"))
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            findings = str(app.query_one("#findings").get_option_at_index(0).prompt)
            assert "src/app.py:12:5  an API key is written in the code" in findings
            detail = text_of(app, "#detail")
            assert "notes/explore.ipynb:3  an old key is kept" in " ".join(
                str(o.prompt) for o in app.query_one("#findings").options)
            assert "also secret-in-notebook" not in detail  # listed once, with its place
            assert "press l to copy" in detail and "Move it to .env." in detail
            await pilot.press("l")
            await pilot.pause(0.3)
            first = open(copied).read()
            assert text_of(app, "#message") == "Copied src/app.py:12:5 to the clipboard."
            await pilot.press("tab", "tab")  # the details, then the findings
            assert app.focused is app.query_one("#findings")
            await pilot.press("down", "l")
            await pilot.pause(0.3)
            return first, open(copied).read()

    assert asyncio.run(go()) == ("src/app.py:12:5", "notes/explore.ipynb:3")


def test_a_result_whose_single_problem_has_a_place_shows_it(tmp_path):
    from doctor.model import check

    @check("dotenv", title="Dotenv", group="Secrets", codes=("quoted",))
    async def dotenv(ctx):
        """What it checks: the .env file."""
        return Result(Status.FAIL, "the key is in quotes", code="quoted",
                      facts={"location": {"file": ".env", "line": 3}})

    async def go():
        app = app_for(tmp_path, [dotenv])
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            return str(app.query_one("#findings").get_option_at_index(0).prompt), app.query_one("#findings").display

    prompt, shown = asyncio.run(go())
    assert shown and prompt == "• .env:3  the key is in quotes  quoted"


def test_a_check_without_places_shows_no_findings_list(tmp_path):
    async def go():
        app = app_for(tmp_path, [fake("bad", Status.FAIL)])
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            return app.query_one("#findings").display, text_of(app, "#detail")

    shown, detail = asyncio.run(go())
    assert not shown and "bad is broken" in detail and "press l" not in detail

