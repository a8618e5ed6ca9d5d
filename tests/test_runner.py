"""The runner: concurrency, needs, timeouts, crashes and selection."""

from __future__ import annotations

import asyncio
import time

import pytest

from doctor.model import Result, Status, check, passed
from doctor.runner import Finished, SelectionError, run, select, validate
from tests.conftest import CANARY_KEY, make_ctx, write_project


def fake(id: str, status: Status = Status.PASS, *, needs=(), live=False, delay=0.0, timeout=5.0, boom=False):
    @check(id, title=id, group="Environment", codes=(), needs=needs, live=live, timeout=timeout)
    async def fn(ctx):
        await asyncio.sleep(delay)
        if boom:
            raise RuntimeError(f"exploded holding {CANARY_KEY}")
        return Result(status, f"{id} done", code=None if status is Status.PASS else f"{id}-code")

    return fn


def run_all(checks, ctx, **kw) -> dict[str, Result]:
    async def go():
        return {e.check.id: e.result async for e in run(checks, ctx, **kw) if isinstance(e, Finished)}

    return asyncio.run(go())


@pytest.fixture
def ctx(tmp_path):
    return make_ctx(write_project(tmp_path, env=f"OPENAI_API_KEY={CANARY_KEY}\n"))


def test_independent_checks_run_concurrently(ctx):
    checks = [fake(f"c{i}", delay=0.2) for i in range(5)]
    start = time.perf_counter()
    results = run_all(checks, ctx)
    assert time.perf_counter() - start < 0.8
    assert all(r.status is Status.PASS for r in results.values())


def test_a_failed_need_skips_its_dependents_transitively(ctx):
    checks = [fake("a", Status.FAIL), fake("b", needs=("a",)), fake("c", needs=("b",)), fake("d")]
    results = run_all(checks, ctx)
    assert results["b"].status is Status.SKIP and "needs a" in results["b"].message
    assert results["c"].status is Status.SKIP and "needs b" in results["c"].message
    assert results["d"].status is Status.PASS


def test_a_warning_need_does_not_block(ctx):
    results = run_all([fake("a", Status.WARN), fake("b", needs=("a",))], ctx)
    assert results["b"].status is Status.PASS


def test_timeout_becomes_error(ctx):
    result = run_all([fake("slow", delay=5, timeout=0.1)], ctx)["slow"]
    assert result.status is Status.ERROR and "did not finish within 0.1 s" in result.message


def test_crash_becomes_error_without_traceback_in_the_message_and_redacted(ctx):
    result = run_all([fake("boom", boom=True)], ctx)["boom"]
    assert result.status is Status.ERROR
    assert "RuntimeError" in result.message and "Traceback" not in result.message
    assert "Traceback" in result.traceback
    assert CANARY_KEY not in result.message + result.traceback


def test_offline_skips_live_checks_with_the_reason(ctx):
    results = run_all([fake("local"), fake("remote", live=True)], ctx, offline=True)
    assert results["local"].status is Status.PASS
    assert results["remote"].status is Status.SKIP and "offline" in results["remote"].message


def test_select_only_and_skip_keep_registry_order():
    checks = [fake("a"), fake("b"), fake("c")]
    assert [c.id for c in select(checks, only=["c", "a"])] == ["a", "c"]
    assert [c.id for c in select(checks, skip=["b"])] == ["a", "c"]
    with pytest.raises(SelectionError, match="unknown check id: nope"):
        select(checks, only=["nope"])


def test_registry_is_valid():
    from checks import ALL_CHECKS

    validate(ALL_CHECKS)
    with pytest.raises(ValueError):
        validate([fake("b", needs=("a",)), fake("a")])


def test_every_check_documents_itself():
    from checks import ALL_CHECKS

    for c in ALL_CHECKS:
        assert "What it checks" in c.doc and "How to fix" in c.doc, c.id
        assert c.codes, c.id


def test_passed_helper_keeps_facts():
    assert passed("ok", facts={"x": 1}).facts == {"x": 1}


def test_exit_codes_follow_the_contract():
    from doctor.model import Report

    def report(*statuses: Status) -> Report:
        return Report("0", "p", "py", tuple((fake(f"c{i}"), Result(s, "m")) for i, s in enumerate(statuses)), 1)

    assert report(Status.PASS, Status.WARN, Status.SKIP).exit_code() == 0
    assert report(Status.PASS, Status.WARN).exit_code(strict=True) == 1
    assert report(Status.FAIL, Status.WARN).exit_code() == 1
    assert report(Status.FAIL, Status.ERROR).exit_code() == 3


def test_a_rerun_respects_earlier_results_of_needs_outside_it(ctx):
    earlier = {"a": Result(Status.FAIL, "a failed before")}
    results = run_all([fake("b", needs=("a",))], ctx, earlier=earlier)
    assert results["b"].status is Status.SKIP and "needs a" in results["b"].message
    assert run_all([fake("b", needs=("a",))], ctx)["b"].status is Status.PASS


def test_the_environment_checks_start_the_probe_with_the_run(ctx):
    """As the run starts (their warm-up), before any check does its own first work."""
    from checks.environment import packages_pinned, python_version, venv_active

    async def warm_only() -> bool:
        packages_pinned.warmup(ctx)
        started = ctx._facts_task is not None
        await ctx.aclose()
        return started
    assert {python_version.warmup, venv_active.warmup} == {packages_pinned.warmup}
    assert asyncio.run(warm_only())
