"""Reading `.env` and the record of packages is bounded by the run's deadline (issue 21, item 4).

A read that does not finish by `--timeout` leaves the run going on with an input that says so:
the checks that need it report that they did not finish, and none takes the unread file for an
empty or a healthy one.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from pathlib import Path

import pytest

from checks import ALL_CHECKS
from doctor.context import Context
from doctor.model import NotFinished, Status
from doctor.project import dotenv_files, record
from doctor.project.pyproject import read_pyproject
from doctor.runner import Finished, run
from doctor.session import Session
from doctor.settings import Flags, ProjectConfig
from tests.conftest import CANARY_KEY, HEALTHY_REQUIREMENTS, base_environ, doctor_cli, write_project
from tests.growth import assert_linear

OFFLINE = ("python-version", "venv-active", "packages-pinned", "dotenv-present", "dotenv-gitignored", "key-format",
           "secrets-in-files", "code-usage", "context-length")


@pytest.fixture
def stuck(monkeypatch):
    """Makes a reader block until the test ends, as a hostile input would for seconds; returns a
    function that sticks the named reader ("read_dotenv" or "read_record")."""
    release = threading.Event()
    modules = {"read_dotenv": dotenv_files, "read_record": record}

    def stick(name: str) -> None:
        real = getattr(modules[name], name)

        def slow(*args, **kwargs):
            release.wait(60)
            return real(*args, **kwargs)
        monkeypatch.setattr(modules[name], name, slow)
    yield stick
    release.set()


def results_of(ctx: Context, ids=OFFLINE) -> dict:
    async def go():
        try:
            return {e.check.id: e.result async for e in run([c for c in ALL_CHECKS if c.id in ids], ctx, offline=True)
                    if isinstance(e, Finished)}
        finally:
            await ctx.aclose()
    return asyncio.run(go())


def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\nOPENAI_MODEL=gpt-4o\n",
                         requirements=HEALTHY_REQUIREMENTS)


def test_a_dotenv_read_that_outlasts_the_deadline_is_reported_as_not_finished(tmp_path, stuck):
    stuck("read_dotenv")
    start = time.monotonic()
    ctx = Context.build(project(tmp_path), Flags(offline=True, timeout=0.3), environ=base_environ())
    assert 0.3 <= time.monotonic() - start < 30  # back at the deadline, while the reader is still stuck
    with pytest.raises(NotFinished):
        ctx.lookup("OPENAI_API_KEY")
    found = results_of(ctx)
    for needs_dotenv in ("dotenv-present", "key-format", "context-length"):
        result = found[needs_dotenv]
        assert (result.status, result.code) == (Status.ERROR, "check-timeout"), (needs_dotenv, result)
        assert result.message == "not finished: reading .env did not finish within 0.3 s (--timeout); " \
                                 "nothing it holds was checked"
    assert "record of packages" in found["packages-pinned"].message  # read after .env, in the same worker


def test_the_shell_key_still_answers_when_dotenv_was_not_read(tmp_path, stuck):
    stuck("read_dotenv")
    start = time.monotonic()
    ctx = Context.build(project(tmp_path), Flags(offline=True, timeout=0.2),
                        environ=base_environ(OPENAI_API_KEY=CANARY_KEY, OPENAI_MODEL="gpt-4o"))
    assert time.monotonic() - start < 30
    assert ctx.api_key.source == "shell" and ctx.model == "gpt-4o"  # load_dotenv() would not override them either
    assert ctx.dotenv.exists and ctx.dotenv.shown == ".env"


def test_a_record_read_that_outlasts_the_deadline_is_reported_as_not_finished(tmp_path, stuck):
    stuck("read_record")
    config = ProjectConfig(timeout=0.3)
    ctx = Context.build(project(tmp_path), Flags(offline=True), config, environ=base_environ())
    assert ctx.tool.name == "pip"  # known from the project's files' names, without the record
    found = results_of(ctx, ("packages-pinned", "dotenv-present"))
    assert found["dotenv-present"].status == Status.PASS  # .env was read before the record, in time
    result = found["packages-pinned"]
    assert (result.status, result.code) == (Status.ERROR, "check-timeout")
    assert "record of packages" in result.message and "within 0.3 s ([tool.llm-doctor] timeout)" in result.message
    assert "--timeout" in result.fix.summary


def test_the_app_and_the_report_say_what_was_not_read(tmp_path, stuck):
    from doctor.support import gather

    stuck("read_dotenv")
    flags = Flags(offline=True, timeout=0.2)
    session = Session(project(tmp_path), flags, ProjectConfig(), base_environ(), ALL_CHECKS)
    assert "not known: .env was not read in time" in session.base_url()
    ctx = session.new_context()
    bundle = gather(ctx, ctx.report([], {}, 0))
    assert bundle["settings"]["model"] == "not known (.env was not read in time)"
    assert bundle["variables"][-1] == {"name": ".env", "sources": [], "note": ctx.dotenv.unfinished}


def test_the_app_keeps_answering_while_a_slow_dotenv_is_read(tmp_path, stuck, monkeypatch):
    """The app reads the project off its own thread: a .env that takes seconds to read (up to the
    deadline) does not freeze the screen; the keys work meanwhile."""
    import time

    from doctor.tui.app import DoctorApp

    stuck("read_dotenv")
    entered: list[float] = []
    slow = dotenv_files.read_dotenv

    def marked(*args, **kwargs):
        entered.append(time.perf_counter())
        return slow(*args, **kwargs)
    monkeypatch.setattr(dotenv_files, "read_dotenv", marked)
    app = DoctorApp(Session(project(tmp_path), Flags(offline=True, timeout=5), ProjectConfig(), base_environ(),
                            ALL_CHECKS), ask_before_live=False, version="test")

    async def go():
        async with app.run_test(size=(120, 40)) as pilot:
            while not entered:
                await asyncio.sleep(0.01)
            first = app.query_one("#checks").selected_id
            await pilot.press("down")
            await pilot.pause()
            answered = time.perf_counter() - entered[0]
            moved = app.query_one("#checks").selected_id != first
            await pilot.press("q")
            return answered, moved

    answered, moved = asyncio.run(go())
    assert moved and answered < 2, answered  # frozen, the key waited for the 5 s deadline


def _big_inputs(root: Path) -> Path:
    """A project whose `.env` (1 MB, each line a reference to the one before) and uv.lock (20,000
    packages) take the doctor seconds to read: both within its caps, both linear."""
    root.mkdir()
    lines, size = ["V0=start"], 0
    while size < 1000 * 1024:
        lines.append(f"V{len(lines)}=${{V{len(lines) - 1}}}")
        size += len(lines[-1]) + 1
    (root / ".env").write_text("\n".join(lines) + "\n")
    (root / "pyproject.toml").write_text('[project]\nname = "big"\nversion = "1"\ndependencies = ["openai"]\n')
    (root / "uv.lock").write_text('version = 1\nrequires-python = ">=3.10"\n' + "".join(
        f'\n[[package]]\nname = "pkg-{n}"\nversion = "1.0.{n}"\nsource = {{ registry = "https://pypi.org/simple" }}\n'
        for n in range(19_000)))
    return root


def _snapshot(root: Path) -> dict[str, tuple[str, int]]:
    return {str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_big_real_inputs_under_a_short_timeout_end_in_time_and_change_nothing(tmp_path):
    root = _big_inputs(tmp_path / "big")
    start = time.monotonic()
    dotenv_files.read_dotenv(root / ".env")
    record.read_record(root, read_pyproject(root))
    reading = time.monotonic() - start  # what the run waited for before the deadline, on this machine now
    before = _snapshot(root)
    start = time.monotonic()
    done = doctor_cli("check", "--offline", "--format", "json", "--timeout", "0.5", "--project", str(root))
    took = time.monotonic() - start
    report = json.loads(done.stdout)
    found = {c["id"]: c for c in report["checks"]}
    for check_id, what in (("dotenv-present", "reading .env"), ("packages-pinned", "record of packages")):
        assert found[check_id]["code"] == "check-timeout" and what in found[check_id]["message"], found[check_id]
        assert "within 0.5 s (--timeout)" in found[check_id]["message"]
    assert done.returncode == 3 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert took < reading, (took, reading)  # the run did not wait for the reading to end
    assert _snapshot(root) == before


def test_reading_under_the_deadline_stays_linear(tmp_path):
    count = iter(range(1000))

    def make(size: int) -> Path:
        root = tmp_path / f"p{next(count)}"
        lines, total = [], 0
        while total < size // 2:
            lines.append(f"NAME_{len(lines)}=value-{len(lines)}\nREF_{len(lines)}=${{NAME_{len(lines)}}}/x\n")
            total += len(lines[-1])
        requirements = "".join(f"pkg{n}==1.0.{n}\n" for n in range(size // 32))
        return write_project(root, env="".join(lines), requirements=requirements)

    assert_linear(make, lambda root: Context.build(root, Flags(offline=True), environ=base_environ()))


def test_with_dotenv_unread_the_live_checks_still_get_the_models_the_code_names(tmp_path, stuck):
    """code-usage's rules need .env's names, so they report not finished; the models the code names do not."""
    from checks.code_models import models_to_test

    stuck("read_dotenv")
    root = project(tmp_path)
    (root / "ask.py").write_text("from openai import OpenAI\nclient = OpenAI(timeout=5)\n"
                                 "client.chat.completions.create(model='gpt-4.1-mini', messages=[], max_tokens=5)\n")
    ctx = Context.build(root, Flags(offline=True, timeout=0.2),
                        environ=base_environ(OPENAI_API_KEY=CANARY_KEY, OPENAI_MODEL="gpt-4o"))

    async def chosen():
        try:
            return [c.name for c in await models_to_test(ctx)]
        finally:
            await ctx.aclose()
    assert asyncio.run(chosen()) == ["gpt-4o", "gpt-4.1-mini"]
    assert results_of(Context.build(root, Flags(offline=True, timeout=0.2), environ=base_environ(
        OPENAI_API_KEY=CANARY_KEY, OPENAI_MODEL="gpt-4o")), ("code-usage",))["code-usage"].code == "check-timeout"
