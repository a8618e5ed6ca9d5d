"""Where one of the doctor's own caps cut what it read, the check that reads that input says so and
judges only what it saw: the cap is never the project's fault (issue 21, items 4 and 7)."""

from __future__ import annotations


from checks.dotenv_file import dotenv_present
from checks.environment import packages_pinned
from checks.key import key_format
from doctor.model import Status
from doctor.project.dotenv_files import EXPANSION_BUDGET, MAX_VALUE_CHARS
from doctor.project.installed import Installed
from tests.conftest import CANARY_KEY, HEALTHY_REQUIREMENTS, facts, make_ctx, run_check, write_project

# Each line doubles the one before: A10 is 64 KB once expanded, all a value keeps; A11 is past it.
DOUBLING = "A0=" + "x" * 64 + "\n" + "".join(f"A{i}=${{A{i - 1}}}${{A{i - 1}}}\n" for i in range(1, 12))


def test_a_key_cut_by_the_expansion_cap_is_not_judged_and_the_cap_is_said(tmp_path):
    assert 64 * 2 ** 11 > MAX_VALUE_CHARS
    project = write_project(tmp_path / "p", env=DOUBLING + "OPENAI_API_KEY=${A11}\n")
    ctx = make_ctx(project)
    key = run_check(key_format, ctx)
    assert key.status == Status.SKIP and key.code is None, key
    assert key.message.startswith("the key on .env line 13 was not judged: its value is longer than 64 KB")
    present = run_check(dotenv_present, ctx)
    notes = [d for d in present.details if "its own cap" in d]
    assert notes[0].startswith(".env line 12: A11's value is longer than 64 KB after ${...} expansion"), notes
    assert len(notes) == 2 and notes[1].startswith(".env line 13: OPENAI_API_KEY's value is longer"), notes


def test_values_past_the_expansion_budget_are_said_to_be_read_as_written(tmp_path):
    lines = DOUBLING + "".join(f"B{i}=${{A10}}\n" for i in range(EXPANSION_BUDGET // MAX_VALUE_CHARS + 8))
    project = write_project(tmp_path / "p", env=lines + f"OPENAI_API_KEY={CANARY_KEY}\nLATE=${{A0}}\n")
    ctx = make_ctx(project)
    present = run_check(dotenv_present, ctx)
    assert present.status == Status.PASS
    notes = [d for d in present.details if "its own cap" in d]
    assert "A11's value is longer than 64 KB" in notes[0]
    assert "B0" not in " ".join(notes), notes  # B0 is A10's 64 KB: whole
    assert " value was not expanded: the doctor stops expanding ${...} after 4 MB in all" in notes[1], notes
    assert len(notes) == 3 and present.details[-1] == "and 9 more like it", present.details
    late = ctx.dotenv.get("LATE")
    assert late.value == "${A0}" and late.cut.startswith("was not expanded")


def test_a_package_past_the_installed_scan_cap_is_not_called_missing(tmp_path):
    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\n", requirements=HEALTHY_REQUIREMENTS)
    seen = facts(project, dists={"httpx": "0.28.1", "python-dotenv": "1.2.4"})
    installed = Installed(seen.installed_dists)
    installed.cut = "more than 5,000 .dist-info folders; 2 distributions were read, the rest were not"
    result = run_check(packages_pinned, make_ctx(project, interpreter=seen._replace(installed_dists=installed)))
    assert "package-missing" not in {f.code for f in result.problems}, result
    assert result.status == Status.PASS, result
    assert result.message.endswith("the doctor's own cap stopped its reading of the installed packages (more than "
                                   "5,000 .dist-info folders; 2 distributions were read, the rest were not): openai "
                                   "was not among those read, so it is not called missing"), result.message
