"""The app never shows a stale answer: what a change touched runs again, a fix applied stays in view,
and the sample call's panel never promises what the user's own code cannot keep."""

from __future__ import annotations

import asyncio

import pytest

from checks import ALL_CHECKS
from doctor.model import Finding, Result, Status, check, from_findings
from doctor.tui.widgets.detail import MORE_BELOW
from doctor.tui.widgets.finish import finale
from tests.conftest import CANARY_KEY, git, leaks, write_project
from tests.tui.helpers import app_for, fake, screen_lines, session, settle, text_of


def ids(checks) -> list[str]:
    return [c.id for c in checks]


def test_rerunning_the_dotenv_check_reruns_every_check_that_reads_dotenv_and_what_needs_them(tmp_path):
    rerun = ids(session(tmp_path, ALL_CHECKS).rerun_set(["dotenv-present"]))
    assert {"dotenv-present", "dotenv-gitignored", "key-format", "secrets-in-files", "code-usage"} <= set(rerun)
    assert {"api-auth", "model-access", "sample-call"} <= set(rerun)  # they need the key's format
    assert "python-version" not in rerun and "venv-active" not in rerun
    assert rerun == [c.id for c in ALL_CHECKS if c.id in rerun]  # registry order


def test_rerunning_a_live_check_reruns_what_waits_for_it_not_the_offline_checks(tmp_path):
    rerun = ids(session(tmp_path, ALL_CHECKS).rerun_set(["model-access"]))
    assert "context-length" in rerun and "sample-call" in rerun  # context-length waits for the model's facts
    assert not {"dotenv-present", "key-format", "api-auth"} & set(rerun)


def test_r_after_creating_dotenv_updates_the_key_and_git_checks_too(tmp_path):
    """The issue's case: the key check stayed "skipped: no key to check" and the git check still said
    there was no .env, until R."""
    project = write_project(tmp_path / "p", gitignore="__pycache__/\n")
    git(project, "init", "-q")
    checks = [c for c in ALL_CHECKS if c.id in ("dotenv-present", "dotenv-gitignored", "key-format")]

    async def go():
        app = app_for(project, checks, offline=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            before = {k: r.status for k, r in app.session.results.items()}
            assert before["key-format"] is Status.SKIP
            (project / ".env").write_text(f"OPENAI_API_KEY={CANARY_KEY}\n")
            app.query_one("#checks").select("dotenv-present")
            await pilot.press("r")
            await settle(pilot)
            return before, dict(app.session.results)

    before, after = asyncio.run(go())
    assert after["key-format"].status is Status.PASS, after["key-format"].message
    assert after["dotenv-gitignored"].status is Status.FAIL and after["dotenv-gitignored"].code == "dotenv-not-ignored"
    assert before["dotenv-gitignored"] is not Status.FAIL


def test_a_check_that_waits_for_a_live_one_runs_after_consent_not_skipped_before_it(tmp_path):
    """The context check waits for the model's facts: it ran in the offline part and stayed skipped."""
    calls: list[str] = []

    @check("window", title="Fake window", group="API behaviour", codes=("w",), after=("remote",))
    async def window(ctx):
        """What it checks: waits for the remote check's facts."""
        calls.append("window")
        return Result(Status.PASS, "fits")

    checks = [fake("local", calls=calls), fake("remote", live=True, group="Connection", calls=calls), window]

    async def go():
        app = app_for(tmp_path, checks, ask=True)
        async with app.run_test() as pilot:
            await settle(pilot)
            assert "window" not in calls  # not run while the question waits
            await pilot.press("y")
            await settle(pilot)
            return dict(app.session.results)

    results = asyncio.run(go())
    assert calls.count("window") == 1 and calls.index("remote") < calls.index("window")
    assert results["window"].status is Status.PASS


@check("long", title="Fake long", group="Environment", codes=("long-code",))
async def long_check(ctx):
    """What it checks: a problem with many details."""
    from doctor.model import Fix

    return Result(Status.FAIL, "broken in many ways", code="long-code",
                  details=tuple(f"detail number {n} about what is wrong" for n in range(30)),
                  fix=Fix("Repair it.", commands=("repair it",)))


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
def test_a_fix_below_the_fold_is_announced_until_it_is_in_view(tmp_path, size):
    async def go():
        app = app_for(tmp_path, [long_check])
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            detail = app.query_one("#detail")
            hinted = str(detail.border_subtitle)
            detail.scroll_end(animate=False)
            await pilot.pause()
            await pilot.pause()
            return hinted, str(detail.border_subtitle)

    hinted, at_end = asyncio.run(go())
    assert hinted == MORE_BELOW and at_end == ""


def test_a_short_fix_has_no_hint(tmp_path):
    async def go():
        app = app_for(tmp_path, [fake("small", Status.FAIL)])
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            return str(app.query_one("#detail").border_subtitle)

    assert asyncio.run(go()) == ""


@pytest.mark.parametrize("size", [(80, 24), (60, 20), (120, 40)])
def test_the_fix_dialog_shows_its_answers_at_every_size(tmp_path, size):
    from pathlib import Path

    from doctor.fixes import FilePlan

    before = "".join(f"package{i}==1.{i}\n" for i in range(12))
    plan = FilePlan("Pin openai, httpx and python-dotenv to the versions installed", Path("requirements.txt"),
                    before, before.replace("==1.", "==2."), ("packages-pinned",))

    async def look(app, pilot):
        return [app.screen.query_one(f"#{answer}").region for answer in ("yes", "no")], app.screen.region

    answers, screen = previewed(tmp_path, plan, size, look)
    for region in answers:
        assert region.height >= 1 and screen.contains_region(region), (region, screen)


def gitignore_fix(tmp_path, look, gitignore: str = "__pycache__/\n"):
    """A project whose .gitignore does not cover its .env, offline: the git check selected and `f` pressed
    (its fix preview open); returns what `look(app, pilot)` returns."""
    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\n", gitignore=gitignore)
    git(project, "init", "-q")
    checks = [c for c in ALL_CHECKS if c.id in ("dotenv-present", "dotenv-gitignored")]

    async def go():
        app = app_for(project, checks, offline=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.session.results["dotenv-gitignored"].status is Status.FAIL
            app.query_one("#checks").select("dotenv-gitignored")
            await pilot.press("f")
            await pilot.pause()
            return await look(app, pilot)

    return asyncio.run(go())


async def answer_yes(app, pilot):
    await pilot.press("y")
    await settle(pilot)
    return app.session.results["dotenv-gitignored"], text_of(app, "#message"), text_of(app, "#summary")


def test_an_applied_fix_is_listed_in_the_summary_and_its_checks_run_again(tmp_path):
    result, _, summary = gitignore_fix(tmp_path, answer_yes)
    assert result.status is Status.PASS
    assert "Fixed (1):" in summary and ".gitignore" in summary


def sample(reply: str = "Hello") -> Result:
    return Result(Status.PASS, "it works", facts={"reply": reply, "finish_reason": "stop", "prompt_tokens": 5,
                                                  "completion_tokens": 2, "total_tokens": 7})


def words(wrapped) -> str:
    return " ".join(str(wrapped).split())


def test_the_sample_panel_says_the_users_code_would_fail_when_it_is_known_to():
    code = from_findings([Finding(Status.FAIL, "dotenv-not-loaded", "reads OPENAI_API_KEY but never loads .env",
                                  location=("ask.py", 3)),
                          Finding(Status.WARN, "client-no-timeout", "no timeout", location=("ask.py", 5))], "fine")
    shown = words(finale(ALL_CHECKS, {"sample-call": sample(), "code-usage": code}, False, False))
    assert "Your first call works" not in shown
    assert "your own code would not" in shown and "ask.py:3: reads OPENAI_API_KEY but never loads .env" in shown


def test_the_sample_panel_says_the_first_call_works_when_the_code_only_warns():
    code = from_findings([Finding(Status.WARN, "client-no-timeout", "no timeout", location=("ask.py", 5))], "fine")
    shown = words(finale(ALL_CHECKS, {"sample-call": sample(), "code-usage": code}, False, False))
    assert "Your first call works" in shown


def test_the_cost_line_shows_only_where_the_prices_are_known():
    priced = Result(Status.PASS, "ok", facts={**sample().facts, "cost_usd": 0.000012})
    unpriced = Result(Status.PASS, "ok", facts={**sample().facts, "cost_usd": None})
    assert "Estimated cost: ≈ $0.000012" in words(finale(ALL_CHECKS, {"sample-call": priced}, False, False))
    assert "cost" not in words(finale(ALL_CHECKS, {"sample-call": unpriced}, False, False)).lower()


def test_the_fix_names_its_guide_section_and_the_codes_page(tmp_path):
    from doctor.model import Fix
    from doctor.tui.widgets.detail import describe
    from checks import guide

    result = Result(Status.FAIL, "no .env", code="dotenv-missing",
                    fix=Fix("Create it.", guide=guide.TROUBLESHOOTING))
    shown = " ".join(str(describe(ALL_CHECKS[3], result, None, False).body).split())
    assert "docs/guide.md#" in shown and "docs/codes/dotenv-missing.md" in shown


UNSAFE_CODE = '''import os
from dotenv import load_dotenv
from openai import OpenAI

load_dotenv()
client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"))
reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}],
                                       max_tokens=50)
print(reply.choices[0].message.content)
'''


def test_an_unsafe_fix_is_offered_with_a_warning_and_applied_only_on_y(tmp_path):
    from doctor.tui.screens.fix_preview import UNSAFE_WARNING, FixPreview
    from tests.tui.test_dialogs import dialog_text

    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\n", gitignore=".env\n")
    (project / "ask.py").write_text(UNSAFE_CODE)
    checks = [c for c in ALL_CHECKS if c.id == "code-usage"]

    async def go():
        app = app_for(project, checks, offline=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            found = app.session.results["code-usage"]
            app.query_one("#checks").select("code-usage")
            await pilot.press("f")
            await pilot.pause()
            assert isinstance(app.screen, FixPreview), found
            shown = dialog_text(app)
            await pilot.press("n")
            await pilot.pause()
            unchanged = (project / "ask.py").read_text()
            return shown, unchanged

    shown, unchanged = asyncio.run(go())
    assert " ".join(UNSAFE_WARNING.split()) in " ".join(shown.split()) and "timeout" in shown
    assert unchanged == UNSAFE_CODE


def test_a_fix_whose_command_fails_after_the_edit_says_the_file_was_changed(tmp_path, monkeypatch):
    from doctor import fixes

    def half_way(plan, project, environ):
        raise fixes.CommandFailed(".gitignore was changed, then `pip install` failed (exit 1)")

    monkeypatch.setattr(fixes, "apply", half_way)
    _, message, summary = gitignore_fix(tmp_path, answer_yes)
    assert message.startswith("Partly applied: .gitignore was changed") and "Not applied" not in message
    assert "(not finished)" in summary


def test_a_failed_commands_own_output_is_shown_redacted(tmp_path, monkeypatch):
    """The message quotes what the command printed (pip echoes an index URL with its password, a
    tool may echo the key): it is masked in the app as in the headless --fix."""
    from doctor import fixes

    def echoes_the_key(plan, project, environ):
        raise fixes.CommandFailed(f"then `pip install` failed (exit 1: bad header Bearer {CANARY_KEY}\x1b[2J)")

    monkeypatch.setattr(fixes, "apply", echoes_the_key)
    _, message, _ = gitignore_fix(tmp_path, answer_yes)
    assert message.startswith("Partly applied: then `pip install` failed") and leaks(message, CANARY_KEY) == []
    assert "\x1b" not in message


def test_the_fix_preview_shows_a_files_escape_sequences_inert(tmp_path):
    """An OSC 52 sequence in .gitignore (it would write the clipboard) is shown escaped in the app's preview."""
    from doctor.tui.screens.fix_preview import FixPreview

    async def look(app, pilot):
        assert isinstance(app.screen, FixPreview)
        return app.screen.diff

    shown = gitignore_fix(tmp_path, look, gitignore="__pycache__/\n# \x1b]52;c;aGVsbG8=\x07\n")
    assert "\x1b" not in shown and "\x07" not in shown and "\\x1b]52" in shown


def test_the_summary_never_says_online_before_the_user_has_answered(tmp_path):
    async def go():
        app = app_for(tmp_path, [fake("local"), fake("remote", live=True, group="Connection")], ask=True)
        async with app.run_test() as pilot:
            await settle(pilot)
            waiting = text_of(app, "#summary")
            await pilot.press("y")
            await settle(pilot)
            return waiting, text_of(app, "#summary")

    waiting, answered = asyncio.run(go())
    assert "offline until you answer" in waiting and "· online" not in waiting
    assert "· online" in answered


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
def test_the_fix_preview_opens_on_the_change_and_scrolls_with_the_keys(tmp_path, size):
    """QA: at 80x24 the diff box showed only its header and context; the + lines were out of sight and
    PgDn did nothing, while the dialog asked for y."""
    from pathlib import Path

    from doctor.fixes import FilePlan

    before = "".join(f"line {i}\n" for i in range(40))
    after = before.replace("line 30\n", "line 30\nnew line\n")
    plan = FilePlan("Add a line", Path("notes.txt"), before, after, ("a",))

    async def look(app, pilot):
        box = app.screen.query_one("#diff")
        region = box.content_region
        visible = screen_lines(app)[region.y:region.bottom]
        start = box.scroll_y
        await pilot.press("pagedown")
        await pilot.pause()
        return visible, start, box.scroll_y, str(box.border_subtitle)

    visible, start, after_key, hint = previewed(tmp_path, plan, size, look)
    assert any("+new line" in line for line in visible), visible
    assert after_key >= start and hint in ("", "↑ ↓ PgUp PgDn scroll")


def previewed(tmp_path, plan, size, look):
    """Opens the fix preview of `plan` in an app of `size`, and returns what `look(app, pilot)` returns."""
    from doctor.tui.screens.fix_preview import FixPreview

    async def go():
        app = app_for(tmp_path, [fake("a")])
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            app.push_screen(FixPreview(plan, plan.diff(), ".git/llm-doctor-backups"))
            await pilot.pause()
            await pilot.pause()
            return await look(app, pilot)

    return asyncio.run(go())
