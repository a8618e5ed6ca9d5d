"""Remakes docs/screenshot.svg: the real app, run against the sandbox API, with one safe fix to offer.

    python docs/screenshot.py

The demo's sample project, with `.env` left out of .gitignore, so the picture shows a
failure, its fix and the verified sample call together.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from checks import ALL_CHECKS
from doctor import __version__
from doctor.context import environ_snapshot
from doctor.demo import SANDBOX_ONLY_ENVIRON, sample_project
from doctor.sandbox import Sandbox
from doctor.project.pyproject import read_pyproject
from doctor.session import Session
from doctor.settings import Flags, read_project_config
from doctor.tui.app import DoctorApp

OUTPUT = Path(__file__).with_name("screenshot.svg")


async def shoot(project: Path) -> None:
    environ = {k: v for k, v in environ_snapshot().items() if k not in SANDBOX_ONLY_ENVIRON}
    environ["VIRTUAL_ENV"] = sys.prefix
    config = read_project_config(read_pyproject(project))
    session = Session(project, Flags(python=sys.executable), config, environ, ALL_CHECKS)
    app = DoctorApp(session, ask_before_live=False, version=__version__)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        app.save_screenshot(filename=OUTPUT.name, path=str(OUTPUT.parent))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, Sandbox("healthy") as sandbox:
        project = sample_project(Path(tmp), sandbox.url)
        (project / ".gitignore").write_text(".venv/\n", encoding="utf-8")
        asyncio.run(shoot(project))
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
