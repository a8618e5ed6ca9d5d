"""Messages never cover a panel, and the sample-call panel never shows an old success during a re-run."""

from __future__ import annotations

import asyncio

from doctor.model import Result, Status, check
from tests.tui.helpers import app_for, fake, settle, text_of


def test_a_message_takes_its_own_rows_and_covers_no_panel(tmp_path):
    async def go():
        app = app_for(tmp_path, [fake("bad", Status.FAIL)])
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("o")  # "Offline: live checks are skipped."
            await settle(pilot)
            bar = app.query_one("#message")
            assert bar.display and "Offline" in str(bar.render())
            for panel in ("#checks", "#detail", "#finish", "#summary", "#keys"):
                assert not bar.region.overlaps(app.query_one(panel).region), panel
            assert not app.screen.query("Toast")
            app.notify("Textual's own [b]notice[/b]")  # Textual's messages come here too
            await pilot.pause()
            assert "Textual's own notice" in str(bar.render()) and not app.screen.query("Toast")

    asyncio.run(go())


def test_a_message_goes_away_by_itself(tmp_path):
    async def go():
        app = app_for(tmp_path, [fake("a")])
        app.NOTIFICATION_TIMEOUT = 1.0  # long enough to be seen on a loaded machine, which may stall 0.2 s
        async with app.run_test() as pilot:
            await settle(pilot)
            app.say("Hello")
            assert app.query_one("#message").display
            for _ in range(50):  # gone after its second, however late the timer fires
                await pilot.pause(0.1)
                if not app.query_one("#message").display:
                    break
            assert not app.query_one("#message").display

    asyncio.run(go())


def sample(delay: float):
    @check("sample-call", title="Sample call", group="API behaviour", codes=())
    async def fn(ctx):
        """What it checks: the guide's example."""
        await asyncio.sleep(delay)
        return Result(Status.PASS, "it works", facts={"reply": "Hello there", "finish_reason": "stop"})

    return fn


def test_during_a_rerun_the_sample_call_panel_says_it_is_running_again(tmp_path):
    async def go():
        app = app_for(tmp_path, [fake("key"), sample(2.0)])
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert "Your first call works" in text_of(app, "#finish")
            await pilot.press("R")
            for _ in range(30):  # the re-run starts within 1.5 s even on a busy machine; its sample call takes 2 s
                await pilot.pause(0.05)
                during = text_of(app, "#finish")
                if "Checking" in during:
                    break
            assert "Your first call works" not in during and "Checking" in during
            await settle(pilot)
            assert "Your first call works" in text_of(app, "#finish")

    asyncio.run(go())
