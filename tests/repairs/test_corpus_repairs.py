"""The code repairs applied, round after round, to every project of the code corpus (tests/fixtures/
code_corpus): every plan parses, the rounds end (no plan comes back), and the repaired codes do not
come back. Run with -s to see the figures: plans per round, codes before and after, time."""

from __future__ import annotations

import shutil
import time
from collections import Counter

import pytest

from doctor import fixes
from doctor.fixes.registry import FixInputs, plan
from doctor.model import Finding, Status
from doctor.project.tools import Tool
from doctor.repairs.codes import CODE_UNSAFE
from tests.conftest import git
from tests.test_code_corpus import PROJECTS, analyse

MAX_ROUNDS = 4


def repairable(project) -> tuple[Counter, tuple[Finding, ...]]:
    _, found, _ = analyse(project)
    findings = tuple(Finding(Status.FAIL, code, code, location=(file, line if isinstance(line, int) else None))
                     for code, file, line in found if code in CODE_UNSAFE)
    return Counter(f.code for f in findings), findings


@pytest.mark.parametrize("source", PROJECTS, ids=[p.name for p in PROJECTS])
def test_repairs_on_the_corpus_end_and_do_not_bring_codes_back(tmp_path, source):
    project = tmp_path / source.name
    shutil.copytree(source, project, symlinks=True)
    git(project, "init", "-q")  # backups go into .git
    before, findings = repairable(project)
    rounds: list[int] = []
    started = time.perf_counter()
    for _ in range(MAX_ROUNDS):
        plans = plan(FixInputs(project, frozenset(f.code for f in findings), Tool("pip"), findings=findings), True)
        if not plans:
            break
        for planned in plans:
            fixes.apply(planned, project)
        rounds.append(len(plans))
        _, findings = repairable(project)
    else:
        pytest.fail(f"{source.name}: still planning after {MAX_ROUNDS} rounds: {rounds}")
    after, _ = repairable(project)
    print(f"\n{source.name}: plans per round {rounds}, before {dict(before)}, after {dict(after)}, "
          f"{(time.perf_counter() - started) * 1000:.0f} ms")
    assert set(after) <= set(before), f"{source.name}: repairs brought {set(after) - set(before)}"
    assert sum(after.values()) <= sum(before.values())
