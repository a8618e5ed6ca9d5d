"""A uv workspace member's record is the workspace root's uv.lock, where uv locks every member
(issue 17): reading the member's own pyproject called a healthy member's packages unpinned."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from checks.environment import packages_pinned
from doctor.model import Status
from tests import realprojects, realtargets
from tests.conftest import make_ctx, run_check

pytestmark = pytest.mark.slow
MEMBERS = realtargets.WORKSPACE_MEMBERS


def _environ(root: Path) -> dict[str, str]:
    return realprojects._doctor_environ(root.parent, realprojects.tools_venv() / "bin")


def _codes(folder: Path, environ: dict[str, str]) -> set[str]:
    return {f.code for f in run_check(packages_pinned, make_ctx(folder, environ=environ)).problems}


def test_a_real_uv_workspace_members_record_is_the_roots_lock():
    root = realtargets.uv_workspace()
    for member, deps in MEMBERS.items():
        ctx = make_ctx(root / "packages" / member, environ=_environ(root))
        assert (ctx.record.kind, ctx.record.files) == ("lock", ("../../uv.lock",))
        assert {d.name for d in ctx.record.declared} == set(deps)  # the member's own entry, not the root's
        assert {p.name for p in ctx.record.locked} >= {"openai", "httpx", "python-dotenv"}
        result = run_check(packages_pinned, ctx)
        assert result.status is Status.PASS and result.message.endswith("recorded in ../../uv.lock"), result
    root_record = make_ctx(root, environ=_environ(root)).record
    assert (root_record.files, root_record.declared) == (("uv.lock",), ())  # the root declares nothing itself


def test_a_member_changed_after_the_workspace_was_locked_is_stale_as_uv_says(tmp_path):
    root = realtargets.uv_workspace()
    copy = tmp_path / "ws"
    for relative in ("pyproject.toml", "uv.lock", *(f"packages/{m}/pyproject.toml" for m in MEMBERS)):
        (copy / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / relative, copy / relative)
    tools = realprojects.tools_venv() / "bin"
    uv_env = realprojects._tool_environ(root.parent, tools)

    def uv_says_current() -> bool:
        return subprocess.run([str(tools / "uv"), "lock", "--check", "--offline"], cwd=copy, env=uv_env,
                              capture_output=True).returncode == 0

    environ = _environ(root)
    assert uv_says_current() and "lock-stale" not in _codes(copy / "packages" / "alpha", environ)
    alpha = copy / "packages" / "alpha" / "pyproject.toml"
    alpha.write_text(alpha.read_text().replace('"python-dotenv"]', '"python-dotenv", "httpx>=0.27"]'))
    assert not uv_says_current()
    result = run_check(packages_pinned, make_ctx(copy / "packages" / "alpha", environ=environ))
    stale = [f for f in result.problems if f.code == "lock-stale"]
    assert stale and stale[0].message == "pyproject.toml lists other dependencies than ../../uv.lock was made from"
    assert stale[0].location.file == "../../uv.lock" and "uv lock" in stale[0].fix.commands
    assert "lock-stale" not in _codes(copy / "packages" / "beta", environ)  # uv keeps one lock; beta's part holds

    gamma = copy / "packages" / "gamma" / "pyproject.toml"  # a member the lock was made without
    gamma.parent.mkdir()
    gamma.write_text('[project]\nname = "gamma"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = []\n')
    assert "lock-stale" in _codes(gamma.parent, environ)
