"""The terminal app shows no fragment of a key and no raw control character, whatever the server sends."""

from __future__ import annotations

import asyncio
import sys

from checks import ALL_CHECKS
from doctor.tui.widgets.check_list import CheckList
from tests.conftest import CANARY_KEY, leaks
from tests.hostile import Hostile, completion, response
from tests.test_leaks import PADDED, project_for
from tests.tui.helpers import app_for, settle

ESCAPES = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\r\n::error::forged"


def test_every_panel_is_clean(tmp_path):
    with Hostile() as server:
        server.route("POST", "/chat/completions", response(200, completion(PADDED + ESCAPES)))
        project = project_for(tmp_path, server.url)

        async def go():
            app = app_for(project, ALL_CHECKS, python=sys.executable, VIRTUAL_ENV=sys.prefix)
            screens = []
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                for check in ALL_CHECKS:
                    app.query_one(CheckList).select(check.id)
                    await pilot.pause()
                    screens.append(app.export_screenshot())
            return screens

        screens = asyncio.run(go())
    for svg in screens:
        assert leaks(svg, CANARY_KEY) == []
        assert "\x1b" not in svg and "\x07" not in svg
    assert any("\\x1b" in svg for svg in screens)  # shown, escaped, not obeyed
