"""How `explain` does on error texts users really posted (tests/explain_corpus_real.py): both scores
printed, the held-out third apart; a confident wrong answer is never allowed anywhere."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from checks.catalogue import CATALOGUE
from checks.explain import explain
from tests.explain_corpus_real import CASES, Case


@dataclass(frozen=True)
class Score:
    right: int = 0
    among: int = 0  # right, or the right code among the alternatives
    wrong: int = 0
    unknown: int = 0
    total: int = 0

    def line(self, name: str) -> str:
        pct = 100 * self.right / self.total if self.total else 0
        return (f"{name}: {self.total} texts, right {self.right} ({pct:.0f}%), right or among the alternatives "
                f"{self.among}, wrong {self.wrong}, unknown {self.unknown}")


def verdict(case: Case) -> str:
    """right, among, wrong or unknown."""
    found = explain(case.text)
    accepted = {case.expected, *case.also}
    if found.diagnosis is None:
        return "among" if accepted & {d.code for d in found.alternatives} else "unknown"
    if found.diagnosis.code in accepted:
        return "right"
    return "among" if accepted & {d.code for d in found.alternatives} else "wrong"


def score(cases: list[Case]) -> Score:
    verdicts = [verdict(c) for c in cases]
    right = verdicts.count("right")
    return Score(right, right + verdicts.count("among"), verdicts.count("wrong"), verdicts.count("unknown"),
                 len(cases))


def test_the_corpus_is_real_sized_and_spread():
    assert len(CASES) >= 80
    assert len({c.source for c in CASES}) == len(CASES), "one text per thread"
    assert all(c.expected in CATALOGUE and all(a in CATALOGUE for a in c.also) for c in CASES)
    held = [c for c in CASES if c.held_out]
    assert len(CASES) // 4 <= len(held) <= len(CASES) // 2
    assert len({c.expected for c in CASES}) >= 20


def test_scores_on_real_texts(capsys):
    held = [c for c in CASES if c.held_out]
    tuned = [c for c in CASES if not c.held_out]
    fresh = [c for c in CASES if c.fresh]
    with capsys.disabled():
        print("\n" + score(tuned).line("real corpus, tuning part") + "\n" + score(held).line("real corpus, held out")
              + "\n" + score(fresh).line("real corpus, found after the rules (blind: 5/13 right, 0 wrong; tuned since)"))
        for case in tuned:  # the held-out third's misses are not shown: nobody tunes on them
            if verdict(case) != "right":
                found = explain(case.text)
                print(f"  {case.label}: expected {case.expected}, got "
                      f"{found.diagnosis.code if found.diagnosis else None} ({found.confidence})")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
def test_no_confident_wrong_answer(case):
    found = explain(case.text)
    if found.confidence == "high":
        assert found.diagnosis.code in {case.expected, *case.also}
