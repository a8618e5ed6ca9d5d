"""A fixture that records the git commands the doctor runs, to count the processes a run costs."""

from __future__ import annotations

import pytest

import doctor.git


@pytest.fixture
def git_calls(monkeypatch) -> list[list[str]]:
    """The arguments of every git command the doctor runs (after its hardening options)."""
    calls: list[list[str]] = []
    real = doctor.git.run

    async def spy(argv, owner, **options):  # noqa: ANN001, ANN202
        calls.append([a for a in argv[1:] if a not in doctor.git.HARDENING])
        return await real(argv, owner, **options)
    monkeypatch.setattr(doctor.git, "run", spy)
    return calls
