"""The record of packages, read from real lock and requirements files that the real tools wrote
(tests/fixtures/records: made by uv 0.13.9, poetry 2.5.1, pipenv 2026.10.3, pdm 2.29.4, pip-tools 7.6.2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checks.environment import packages_pinned
from doctor.model import Status
from doctor.project.interpreter import marker_environment
from doctor.project.pyproject import read_pyproject
from doctor.project.record import applies, read_record
from tests.conftest import facts, make_ctx, run_check

FIXTURES = Path(__file__).parent / "fixtures" / "records"
PY311, PY312 = marker_environment((3, 11, 7)), marker_environment((3, 12, 1))


def fixture(tmp_path: Path, name: str) -> Path:
    return Path(shutil.copytree(FIXTURES / name, tmp_path / name))


def record_of(project: Path):
    return read_record(project, read_pyproject(project))


@pytest.mark.parametrize("name,tool,lock,openai", [
    ("uv", "uv", "uv.lock", "3.57.0"), ("poetry", "poetry", "poetry.lock", "3.57.0"),
    ("pipenv", "pipenv", "Pipfile.lock", "3.57.0"), ("pdm", "pdm", "pdm.lock", "3.57.0"),
])
def test_each_tools_lock_is_the_record(tmp_path, name, tool, lock, openai):
    record = record_of(fixture(tmp_path, name))
    assert (record.tool, record.kind, record.lock_file) == (tool, "lock", lock)
    assert record.problems == ()
    version, where = record.pinned_version("openai", PY311)
    assert version == openai and where.file == lock and where.line
    assert record.pinned_version("python_dotenv", PY311)[0]


@pytest.mark.parametrize("name", ["uv-markers", "poetry-split", "pdm-split", "requirements"])
def test_pins_split_by_marker_resolve_for_the_target(tmp_path, name):
    record = record_of(fixture(tmp_path, name))
    assert record.pinned_version("openai", PY311)[0] == "1.55.3"
    assert record.pinned_version("openai", PY312)[0] == "1.99.0"


def test_two_marker_conditional_pins_are_not_a_mismatch(tmp_path):
    project = fixture(tmp_path, "requirements")
    installed = {"openai": ("1.55.3", "httpx<1,>=0.23.0"), "httpx": "0.28.1", "python-dotenv": "1.2.4"}
    result = run_check(packages_pinned, make_ctx(project, interpreter=facts(project, version=(3, 11, 7),
                                                                             dists=installed)))
    assert "package-version-mismatch" not in {f.code for f in result.problems}, result


def test_requirements_follow_includes_and_constraints(tmp_path):
    record = record_of(fixture(tmp_path, "requirements"))
    assert record.files[:2] == ("requirements.txt", "requirements/base.txt")
    assert "constraints.txt" in record.files and record.problems == ()
    httpx = record.declared_for("httpx", PY311)
    assert {d.constraint for d in httpx} == {False, True}


def test_a_hash_pinned_file_is_read_in_hash_mode(tmp_path):
    project = tmp_path / "p"
    project.mkdir()
    shutil.copy(FIXTURES / "requirements" / "requirements-uv-hashes.txt", project / "requirements.txt")
    record = record_of(project)
    assert record.hashed and record.problems == ()
    assert record.pinned_version("openai", PY311)


def test_a_requirements_folder_is_the_record_without_a_top_file(tmp_path):
    project = tmp_path / "p"
    (project / "requirements").mkdir(parents=True)
    (project / "requirements" / "base.txt").write_text("openai==1.99.0\n")
    (project / "requirements" / "dev.txt").write_text("-r base.txt\npytest\n")
    record = record_of(project)
    assert record.kind == "requirements" and record.pinned_version("openai", PY311)[0] == "1.99.0"


def test_an_include_loop_is_a_finding_not_a_hang(tmp_path):
    project = tmp_path / "p"
    project.mkdir()
    (project / "requirements.txt").write_text("-r other.txt\nopenai==1.99.0\n")
    (project / "other.txt").write_text("-r requirements.txt\n")
    record = record_of(project)
    assert [p.code for p in record.problems] == ["requirements-invalid"] and "loop" in record.problems[0].message
    assert record.pinned_version("openai", None)[0] == "1.99.0"


@pytest.mark.parametrize("text,says", [
    ("<<<<<<< HEAD\nversion = 1\n=======\n", "is not"),
    ("version = 99\n[[package]]\nname = 'openai'\nversion = '1.0'\n", "newer than the doctor knows"),
    ("", "no format version"),
])
def test_a_broken_or_future_lock_is_named(tmp_path, text, says):
    project = tmp_path / "p"
    project.mkdir()
    (project / "uv.lock").write_text(text)
    record = record_of(project)
    assert record.problems and record.problems[0].code == "lock-unreadable" and says in record.problems[0].message


def test_a_lock_older_than_pyproject_is_stale(tmp_path):
    from doctor.project.lock_freshness import stale_lock

    for name, lock in (("poetry", "poetry.lock"), ("pdm", "pdm.lock"), ("uv", "uv.lock")):
        project = fixture(tmp_path, name)
        assert stale_lock(project, read_pyproject(project), lock) is None
        text = (project / "pyproject.toml").read_text().replace('"python-dotenv', '"rich", "python-dotenv', 1)
        (project / "pyproject.toml").write_text(text)
        assert stale_lock(project, read_pyproject(project), lock), name
    pipenv = fixture(tmp_path, "pipenv")
    assert stale_lock(pipenv, read_pyproject(pipenv), "Pipfile.lock") is None
    (pipenv / "Pipfile").write_text((pipenv / "Pipfile").read_text().replace('httpx = "*"', 'httpx = "*"\nrich = "*"'))
    assert stale_lock(pipenv, read_pyproject(pipenv), "Pipfile.lock")


def test_pyproject_dependencies_alone_are_a_record_without_pins(tmp_path):
    project = tmp_path / "p"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["openai>=1.40", '
                                            '"python-dotenv"]\n[tool.uv]\n')
    record = record_of(project)
    assert (record.kind, record.tool) == ("pyproject", "uv")
    result = run_check(packages_pinned, make_ctx(project, interpreter=facts(project)))
    assert result.code == "package-unpinned" and "uv lock" in result.fix.commands


MARKERS = [
    'python_version < "3.11"', 'python_version >= "3.8"', 'sys_platform == "win32"', 'platform_system != "Windows"',
    'python_version >= "3.11" and python_version < "3.12"', '(python_version < "3.12") or (sys_platform == "emscripten")',
    "python_full_version >= '3.12' and sys_platform == 'emscripten'", 'extra == "cli"', 'os_name == "nt"',
    '"linux" in sys_platform', 'python_version ~= "3.11"', 'implementation_name == "cpython" and python_version > "3"',
    'platform_machine in "x86_64 aarch64"', 'python_version < "3.11.0rc1"',
]


@pytest.mark.parametrize("marker", MARKERS)
@pytest.mark.parametrize("environment", [PY311, PY312], ids=["3.11", "3.12"])
def test_markers_evaluate_as_packaging_evaluates_them(marker, environment):
    from packaging.markers import Marker

    assert applies(marker, environment) == Marker(marker).evaluate({"extra": "", **environment})


def test_a_pep_751_lock_written_for_hatch_is_the_record(tmp_path):
    record = record_of(fixture(tmp_path, "hatch"))
    assert (record.tool, record.kind, record.lock_file) == ("hatch", "lock", "pylock.toml")
    assert record.problems == () and record.pinned_version("openai", PY311)


def test_the_machines_marker_values_are_platforms_own_without_importing_it():
    """marker_environment and the probe read the machine from os.uname(); they must give what
    packaging's default_environment (which asks platform) gives, for the running interpreter."""
    import json
    import subprocess
    import sys

    from packaging.markers import default_environment

    from doctor.project import interpreter

    expected = default_environment()
    assert marker_environment(tuple(sys.version_info[:3])) == expected  # type: ignore[arg-type]
    probed = subprocess.run([sys.executable, "-I", "-c", interpreter._PROBE + "\nprint('platform' in sys.modules)"],
                            capture_output=True, text=True, check=True).stdout.splitlines()
    assert json.loads(probed[-2])["environment"] == expected
    assert probed[-1] == "False"  # the probe did not pay platform's import
