"""Convergence as a property: a broken project gets well by doing what the doctor says (issue 18, item 1).

Each treatment is a real project with a real venv, treated mechanically by tests/convergence.py
until the doctor finds no failure and the user's own script gets its reply from the sandbox. The
suite runs the two headline patients both ways and the others one way each, to stay within the
suite's time; `bench/convergence.py` runs every patient both ways and prints the figures.

The harness itself is tested too, with a stand-in doctor: it must catch a loop, a dead end and a
false all-clear, or a green run proves nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from doctor.sandbox import Sandbox
from tests.convergence import PATIENTS, Patient, Treatment

pytestmark = pytest.mark.slow
DOCTOR_BIN = Path(sys.executable).parent
BOTH_WAYS = {"pip: openai 1.35.0 pinned, httpx 0.28 installed (the proxies crash)", "pip: openai 0.28.1, the 0.x SDK",
             "uv: openai 1.35.0 locked with httpx 0.28 (the proxies crash)", "code: written for openai 0.28"}
ONE_WAY = {"pip: httpx missing from the venv": "commands", "pip: no venv at all": "fix",
           "pip: a record pinning a broken set, beside a working venv": "commands"}


def _cases():
    for patient in PATIENTS:
        ways = ("commands", "fix") if patient.name in BOTH_WAYS else (ONE_WAY.get(patient.name, "fix"),)
        for way in ways:
            marks = () if patient.converges_today else pytest.mark.xfail(
                strict=True, reason="converges once the doctor repairs code and .env itself (branch issue18-repairs)")
            yield pytest.param(patient, way, marks=marks, id=f"{patient.name.split(':')[0]}-{way}-"
                                                            f"{PATIENTS.index(patient)}")


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox("healthy") as running:
        yield running


@pytest.mark.parametrize("patient,way", _cases())
def test_a_broken_project_gets_well_by_doing_what_the_doctor_says(patient, way, sandbox, tmp_path):
    treatment = Treatment(patient, tmp_path / "project", sandbox.url, DOCTOR_BIN)
    treatment.prepare()
    outcome = treatment.run(way)
    assert outcome.healthy, str(outcome)
    assert outcome.rounds <= 3, str(outcome)


# -- the harness catches what it claims to catch ---------------------------------------------------

def _stand_in_doctor(folder: Path, checks: list[dict]) -> Path:
    """An `llm-doctor` that always reports `checks` and applies nothing."""
    folder.mkdir()
    report = json.dumps({"checks": checks})
    script = folder / "llm-doctor"
    script.write_text(f"#!/bin/sh\ncat <<'EOF'\n{report}\nEOF\n")
    script.chmod(0o755)
    return folder


def _failing(commands: list[str]) -> dict:
    return {"id": "packages-pinned", "status": "fail", "code": "package-missing",
            "fix": {"summary": "s", "steps": [], "commands": commands, "applicability": None}}


STUB = Patient("stub", {"requirements.txt": "openai\n"}, None)


def test_the_harness_calls_a_fix_that_changes_nothing_a_loop(tmp_path):
    treatment = Treatment(STUB, tmp_path / "p", "http://127.0.0.1:9/v1", _stand_in_doctor(tmp_path / "bin",
                                                                                          [_failing(["true"])]))
    treatment.prepare()
    outcome = treatment.run("commands")
    assert (outcome.healthy, outcome.problem, outcome.rounds) == (False, "loop", 2)


def test_the_harness_calls_a_failure_without_command_or_fix_a_dead_end(tmp_path):
    treatment = Treatment(STUB, tmp_path / "p", "http://127.0.0.1:9/v1", _stand_in_doctor(tmp_path / "bin",
                                                                                          [_failing([])]))
    treatment.prepare()
    for way in ("commands", "fix"):
        outcome = treatment.run(way)
        assert (outcome.healthy, outcome.problem) == (False, "dead end"), str(outcome)


def test_the_harness_says_so_when_the_doctor_itself_breaks(tmp_path):
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "llm-doctor").write_text("#!/bin/sh\necho 'Traceback: boom' >&2\nexit 3\n")
    (folder / "llm-doctor").chmod(0o755)
    treatment = Treatment(STUB, tmp_path / "p", "http://127.0.0.1:9/v1", folder)
    treatment.prepare()
    with pytest.raises(AssertionError, match=r"(?s)the doctor broke \(exit 3\).*Traceback: boom"):
        treatment.run("commands")


def test_the_harness_calls_a_green_doctor_with_a_failing_script_a_false_all_clear(tmp_path):
    treatment = Treatment(STUB, tmp_path / "p", "http://127.0.0.1:9/v1", _stand_in_doctor(tmp_path / "bin", []))
    treatment.prepare()
    (treatment.folder / "ask.py").write_text("raise SystemExit('the script fails')\n")
    outcome = treatment.run("commands")
    assert (outcome.healthy, outcome.problem) == (False, "false all-clear"), str(outcome)
