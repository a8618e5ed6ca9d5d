"""Pilot tests: the TUI driven with keys, with fake checks, real checks and the sandbox."""

from __future__ import annotations

import asyncio

from doctor.model import Status
from doctor.tui.screens.consent import Consent
from doctor.tui.screens.fix_preview import FixPreview
from doctor.tui.screens.help import HelpScreen
from doctor.tui.widgets.check_list import CheckList
from tests.conftest import CANARY_KEY, git, write_project
from tests.tui.helpers import app_for, fake, settle, text_of


def test_every_check_appears_and_finishes(tmp_path):
    checks = [fake("a"), fake("b", Status.WARN), fake("c", group="Secrets")]

    async def go():
        app = app_for(tmp_path, checks)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert {k: r.status for k, r in app.session.results.items()} == {
                "a": Status.PASS, "b": Status.WARN, "c": Status.PASS}
            summary = str(app.query_one("#summary").render())
            assert "2 passed" in summary and "1 warning" in summary and "done" in summary

    asyncio.run(go())



def test_the_collector_turned_off_for_start_up_is_back_on_once_the_first_frame_is_shown(tmp_path):
    import gc

    async def go():
        app = app_for(tmp_path, [fake("a")])
        gc.disable()  # as run_tui does while Textual loads
        try:
            async with app.run_test() as pilot:
                await settle(pilot)
                assert gc.isenabled() and app.session.results["a"].status is Status.PASS
        finally:
            gc.enable()

    asyncio.run(go())


def test_the_tui_hands_frames_to_the_terminal_thread_within_a_short_slice(tmp_path, monkeypatch):
    import gc
    import sys

    from doctor.cli import parse_args
    from doctor.commands.check import FRAME_SLICE_SECONDS, run_tui
    from doctor.tui.app import DoctorApp

    seen = {}

    def run(app):
        seen.update(slice=sys.getswitchinterval(), collecting=gc.isenabled())
        return 0

    monkeypatch.setattr(DoctorApp, "run", run)
    default = sys.getswitchinterval()
    args = parse_args(["--offline", "--project", str(write_project(tmp_path))])
    try:
        assert run_tui(args, {}) == 0
    finally:
        sys.setswitchinterval(default)
        gc.enable()
    assert seen == {"slice": FRAME_SLICE_SECONDS, "collecting": False} and FRAME_SLICE_SECONDS < default


def test_progress_shows_running_checks_while_the_app_stays_responsive(tmp_path):
    async def go():
        app = app_for(tmp_path, [fake("slow", delay=0.6), fake("quick")])
        async with app.run_test() as pilot:
            await pilot.pause(0.2)
            assert "slow" in app.running and "quick" in app.session.results
            await pilot.press("question_mark")  # keys work while the check runs
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            await settle(pilot)
            assert app.running == set()

    asyncio.run(go())


def test_a_failed_check_is_selected_and_its_fix_shown(tmp_path):
    async def go():
        app = app_for(tmp_path, [fake("ok"), fake("bad", Status.FAIL), fake("meh", Status.WARN)])
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert app.query_one(CheckList).selected_id == "bad"
            detail = text_of(app, "#detail")
            assert "Repair bad." in detail and "repair bad" in detail and "Guide X" in detail
            assert "Why this matters" in detail and "because the test says so" in detail

    asyncio.run(go())


def test_rerun_selected_runs_it_and_its_dependents_only(tmp_path):
    calls: list[str] = []
    checks = [fake("a", calls=calls), fake("b", calls=calls), fake("c", needs=("b",), calls=calls)]

    async def go():
        app = app_for(tmp_path, checks)
        async with app.run_test() as pilot:
            await settle(pilot)
            calls.clear()
            app.query_one(CheckList).select("b")
            await pilot.press("r")
            await settle(pilot)
            assert sorted(calls) == ["b", "c"]
            calls.clear()
            await pilot.press("R")
            await settle(pilot)
            assert sorted(calls) == ["a", "b", "c"]

    asyncio.run(go())


async def run_until_idle(pilot) -> None:
    """Waits for the run in progress and for any re-run queued behind it."""
    for _ in range(20):
        await settle(pilot)
        if not pilot.app.in_progress:
            return


def mid_run(tmp_path, act) -> list[str]:
    """Runs a fast and a slow check; `act` presses keys while the slow one runs. Returns the calls made."""
    calls: list[str] = []
    checks = [fake("a", calls=calls), fake("slow", delay=0.6, calls=calls)]

    async def go():
        app = app_for(tmp_path, checks)
        async with app.run_test() as pilot:
            await pilot.pause(0.2)
            assert "a" in app.session.results and "slow" not in app.session.results
            await act(app, pilot)
            await run_until_idle(pilot)
            assert set(app.session.results) == {"a", "slow"} and not app.running
            assert "done" in str(app.query_one("#summary").render())

    asyncio.run(go())
    return calls


def test_rerun_during_a_run_waits_for_it_and_sends_nothing_twice(tmp_path):
    async def rerun_a(app, pilot):
        app.query_one(CheckList).select("a")
        await pilot.press("r")

    assert mid_run(tmp_path, rerun_a) == ["a", "slow", "a"]


def test_rerun_all_during_a_run_replaces_it_and_ignores_the_replaced_runs_messages(tmp_path):
    async def rerun_all(app, pilot):
        await pilot.press("R")
        await pilot.pause(0.1)
        assert "running" in str(app.query_one("#summary").render())  # the replaced run's end is stale

    assert sorted(mid_run(tmp_path, rerun_all)) == ["a", "a", "slow", "slow"]


def test_rerun_picks_up_an_edited_env(tmp_path):
    from checks.dotenv_file import dotenv_present

    project = write_project(tmp_path / "p", env="OPENAI_API_KEY=\n")

    async def go():
        app = app_for(project, [dotenv_present])
        async with app.run_test() as pilot:
            await settle(pilot)
            assert app.session.results["dotenv-present"].code == "key-missing"
            (project / ".env").write_text(f"OPENAI_API_KEY={CANARY_KEY}\n")
            await pilot.press("r")
            await settle(pilot)
            assert app.session.results["dotenv-present"].status is Status.PASS
            assert CANARY_KEY not in text_of(app, "#detail")

    asyncio.run(go())


def test_offline_toggle(tmp_path):
    async def go():
        app = app_for(tmp_path, [fake("local"), fake("remote", live=True, group="Connection")])
        async with app.run_test() as pilot:
            await settle(pilot)
            assert app.session.results["remote"].status is Status.PASS
            await pilot.press("o")
            await settle(pilot)
            assert app.session.results["remote"].status is Status.SKIP
            assert "offline" in str(app.query_one("#summary").render())
            await pilot.press("o")
            await settle(pilot)
            assert app.session.results["remote"].status is Status.PASS

    asyncio.run(go())


def test_consent_is_asked_once_and_no_means_offline(tmp_path):
    async def go():
        app = app_for(tmp_path, [fake("remote", live=True, group="Connection")], ask=True)
        async with app.run_test() as pilot:
            await pilot.pause()
            assert isinstance(app.screen, Consent)
            await pilot.press("n")
            await settle(pilot)
            assert app.session.results["remote"].status is Status.SKIP
            await pilot.press("o")  # back online: already asked, so no second question
            await settle(pilot)
            assert not isinstance(app.screen, Consent)
            assert app.session.results["remote"].status is Status.PASS

    asyncio.run(go())


def test_fix_preview_apply_backup_and_recheck(tmp_path):
    from checks.dotenv_git import dotenv_gitignored

    project = write_project(tmp_path / "p", env="OPENAI_API_KEY=x\n", gitignore="__pycache__/\n")
    git(project, "init", "-q")

    async def go():
        app = app_for(project, [dotenv_gitignored])
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert app.session.results["dotenv-gitignored"].code == "dotenv-not-ignored"
            assert "press f" in text_of(app, "#detail")
            await pilot.press("f")
            await pilot.pause()
            assert isinstance(app.screen, FixPreview) and "+.env" in app.screen.diff
            await pilot.press("n")
            await pilot.pause()
            assert (project / ".gitignore").read_text() == "__pycache__/\n"
            await pilot.press("f")
            await pilot.pause()
            await pilot.press("y")
            await settle(pilot)
            assert (project / ".gitignore").read_text() == "__pycache__/\n.env\n"
            [backup] = (project / ".git" / "llm-doctor-backups").glob(".gitignore.*")
            assert backup.read_text() == "__pycache__/\n"
            assert app.session.results["dotenv-gitignored"].status is Status.PASS

    asyncio.run(go())


def test_copy_commands(tmp_path):
    async def go():
        app = app_for(tmp_path, [fake("bad", Status.FAIL)])
        async with app.run_test() as pilot:
            await settle(pilot)
            await pilot.press("c")
            assert app.clipboard == "repair bad"

    asyncio.run(go())


def test_quit_returns_the_exit_code(tmp_path):
    async def go():
        app = app_for(tmp_path, [fake("bad", Status.FAIL)])
        async with app.run_test() as pilot:
            await settle(pilot)
            await pilot.press("q")
        return app.return_value

    assert asyncio.run(go()) == 1


def test_quitting_mid_run_leaves_no_process(tmp_path):
    import sys

    from doctor.model import Result, check
    from doctor.process import spawn
    from tests.test_process import children

    @check("spawner", title="Spawner", group="Connection", codes=())
    async def spawner(ctx):
        await spawn([sys.executable, "-c", "import time; time.sleep(60)"], ctx.processes)
        await asyncio.sleep(60)
        return Result(Status.PASS, "never")

    async def go():
        app = app_for(tmp_path, [spawner, fake("bad", Status.FAIL)])
        async with app.run_test() as pilot:
            await pilot.pause(0.5)
            await pilot.press("q")
        return app.return_value

    assert asyncio.run(asyncio.wait_for(go(), 20)) == 1  # the code of the results so far
    assert children() == []


def test_the_whole_guided_run_against_the_sandbox(tmp_path):
    import sys

    from checks import ALL_CHECKS
    from doctor.sandbox import Sandbox
    from tests.test_live_cli import sandbox_project

    with Sandbox("healthy") as sandbox:
        project = sandbox_project(tmp_path / "p", sandbox.url)

        async def go():
            app = app_for(project, ALL_CHECKS, python=sys.executable, VIRTUAL_ENV=sys.prefix)
            async with app.run_test(size=(100, 30)) as pilot:
                await settle(pilot)
                await pilot.pause(0.2)
                finish = text_of(app, "#finish")
                assert "Your first call works" in finish and "Hello there" in finish
                assert {r.status for r in app.session.results.values()} <= {Status.PASS, Status.SKIP}
                assert CANARY_KEY not in text_of(app, "#detail") + finish

        asyncio.run(go())


def test_a_click_selects_a_check_and_shows_its_detail(tmp_path):
    async def go():
        app = app_for(tmp_path, [fake("ok"), fake("bad", Status.FAIL)])
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert app.query_one(CheckList).selected_id == "bad"
            await pilot.click(CheckList, offset=(4, 2))  # border, group heading, then the row
            await pilot.pause()
            assert app.query_one(CheckList).selected_id == "ok"
            assert "ok is fine" in text_of(app, "#detail")

    asyncio.run(go())


def test_rerunning_a_check_whose_need_failed_still_skips_it(tmp_path):
    calls: list[str] = []

    async def go():
        app = app_for(tmp_path, [fake("auth", Status.FAIL), fake("sample", needs=("auth",), calls=calls)])
        async with app.run_test() as pilot:
            await settle(pilot)
            app.query_one(CheckList).select("sample")
            await pilot.press("r")
            await settle(pilot)
            assert calls == [] and app.session.results["sample"].status is Status.SKIP

    asyncio.run(go())


def test_command_palette_offers_the_doctors_commands(tmp_path):
    from textual.command import CommandPalette

    async def go():
        app = app_for(tmp_path, [fake("a")])
        async with app.run_test() as pilot:
            await settle(pilot)
            await pilot.press("ctrl+p")
            await pilot.pause()
            assert isinstance(app.screen, CommandPalette)
            commands = [c.title for c in app.get_system_commands(app.screen)]
            assert {"Re-run all checks", "Toggle offline mode", "Apply the fix"} <= set(commands)

    asyncio.run(go())


def test_the_key_bar_lists_the_bindings_and_its_keys_are_clickable(tmp_path):
    calls: list[str] = []

    async def go():
        app = app_for(tmp_path, [fake("a", calls=calls)])
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            bar = str(app.query_one("#keys").render())
            for label in ("r Re-run", "R All", "o Offline", "c Copy", "f Fix", "? Help", "q Quit", "^p palette"):
                assert label in bar
            calls.clear()
            column = bar.index("R All") + 1
            await pilot.click("#keys", offset=(column, 0))
            await settle(pilot)
            assert calls == ["a"]

    asyncio.run(go())


def test_why_this_matters_is_the_results_own_cause_when_it_has_one(tmp_path):
    """A quota error seen by the JSON-mode check matters because of the quota, not because of JSON mode."""
    from doctor.model import Result, check

    @check("json", title="Fake JSON mode", group="Environment", codes=("quota-exhausted",))
    async def quota(ctx):  # noqa: ANN001, ANN202
        """Why it fails: the reply is not JSON."""
        return Result(Status.FAIL, "no credit", code="quota-exhausted", cause="The account has no credit left.")

    async def go():
        app = app_for(tmp_path, [quota])
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            detail = text_of(app, "#detail")
            assert "The account has no credit left." in detail
            assert "the reply is not JSON" not in detail

    asyncio.run(go())
