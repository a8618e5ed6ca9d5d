"""The text report's words: checks named by their titles, problems counted by cause, and where each one is."""

from __future__ import annotations

import asyncio

import pytest

from doctor.model import Check, Finding, Fix, Report, Result, Status, check, from_findings
from doctor.render import json as json_render
from doctor.render.text import TextStyle, render, root_causes, summary
from doctor.runner import Finished, run
from tests.conftest import base_environ, doctor_cli, make_ctx, write_project

QUOTA = Result(Status.FAIL, "the account has no credit left; waiting will not help", code="quota-exhausted",
               fix=Fix("Add credit in billing."))


def a_check(id: str, title: str | None = None, *, needs: tuple[str, ...] = (),
            result: Result = Result(Status.PASS, "fine")) -> Check:
    """A check with a title unlike its id, so that a message naming it by id shows."""
    @check(id, title=title or id.replace("-", " ").capitalize(), group="API behaviour", codes=(), needs=needs)
    async def fn(ctx):
        return result

    return fn


def report_of(*results: tuple[str, Result]) -> Report:
    return Report("0.1.0", "/p", "/p/.venv/bin/python", tuple((a_check(id), r) for id, r in results), 10)


def test_a_dependency_skip_names_the_needed_check_by_its_title(tmp_path):
    checks = [a_check("model-access", "Model available", result=Result(Status.FAIL, "no", code="model-not-found")),
              a_check("json-mode", "JSON mode", needs=("model-access",))]

    async def results():
        return {e.check.id: e.result async for e in run(checks, make_ctx(write_project(tmp_path)))
                if isinstance(e, Finished)}

    assert asyncio.run(results())["json-mode"].message == "needs Model available, which did not pass"


@pytest.mark.parametrize("statuses,verdict", [
    ((Status.PASS, Status.SKIP), "No problems found."),
    ((Status.PASS, Status.WARN, Status.WARN), "No failures; 2 warnings."),
    ((Status.WARN,), "No failures; 1 warning."),
])
def test_no_problems_found_only_when_nothing_warned(statuses, verdict):
    results = [(f"c{n}", Result(s, "x", code=None if s in (Status.PASS, Status.SKIP) else f"code-{n}"))
               for n, s in enumerate(statuses)]
    assert summary(report_of(*results), TextStyle()).strip().startswith(verdict)


def quota_everywhere() -> Report:
    """The sandbox's quota scenario: three checks fail on one cause, one fails on another, one crashes."""
    crashed = Result(Status.ERROR, "the check crashed", code="check-crashed")
    return report_of(("rate-limit-headers", QUOTA), ("json-mode", QUOTA), ("sample-call", QUOTA),
                     ("key-format", Result(Status.FAIL, "the key looks cut off", code="key-bad-prefix")),
                     ("streaming", crashed), ("timeout", crashed))


def test_problems_are_counted_by_cause_with_the_other_checks_as_consequences():
    text = render(quota_everywhere(), TextStyle())
    assert "Found 4 problems to fix:\n" in text  # quota, the cut key, and two crashes (two bugs)
    assert f"  [✗] {QUOTA.message} (quota-exhausted); also seen by Json mode and Sample call\n" in text  # its own words
    assert "  [☠] Timeout: the check crashed (check-crashed)\n" in text  # a crash names its check
    assert text.count("Fix: Add credit in billing.") == 1
    assert text.count("Same cause as Rate limit headers, above: its fix covers this too.") == 2


def test_the_json_summary_still_counts_checks():
    """JSON's summary.fail is part of its contract: checks, not causes; the causes are the distinct codes."""
    document = json_render.to_dict(quota_everywhere())
    assert document["summary"]["fail"] == 4 and document["summary"]["error"] == 2
    assert len(root_causes(quota_everywhere())) == 4


def test_the_quota_demo_reports_one_problem_seen_by_several_checks():
    done = doctor_cli("demo", "quota", "--no-color", env=base_environ())
    assert "\nFound 1 problem to fix:\n  [✗] the account has no credit left; waiting will not help (quota-exhausted); " \
           "also seen by " in done.stdout
    assert "Same cause as Rate limits and quota, above" in done.stdout and done.returncode == 1


def located(code: str, message: str, where: tuple | None) -> Finding:
    return Finding(Status.FAIL, code, message, Fix(f"fix {code}"), location=where)


def code_usage_result() -> Result:
    """A check that finds three problems: two in files, one without a place."""
    return from_findings([
        located("json-without-mode", "json.loads() of a reply without JSON mode", ("app/llm.py", 42, 5)),
        located("client-no-timeout", "the client has no timeout", ("app/util.py", 7)),
        located("max-tokens-missing", "no max_tokens", None)], "")


def test_every_finding_with_a_location_shows_where_it_is():
    text = render(report_of(("code-usage", code_usage_result())), TextStyle())
    assert "json.loads() of a reply without JSON mode  (json-without-mode)\n      at app/llm.py:42:5\n" in text
    assert "\n      app/util.py:7  client-no-timeout: the client has no timeout\n" in text
    assert "• also max-tokens-missing: no max_tokens" in text and "also client-no-timeout" not in text


def test_the_summary_names_each_problem_in_its_own_words_with_its_place():
    from doctor.model import Finding, from_findings

    found = from_findings([Finding(Status.FAIL, "dotenv-not-loaded", "reads OPENAI_API_KEY but never loads .env",
                                   location=("ask.py", 3))], "fine")
    text = summary(report_of(("code-usage", found)), TextStyle())
    assert "  [✗] ask.py:3: reads OPENAI_API_KEY but never loads .env (dotenv-not-loaded)\n" in text
