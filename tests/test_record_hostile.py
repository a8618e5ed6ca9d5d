"""The record against hostile lock, requirements and pyproject files: typed values, linear time,
bounded depth and memory, and one finding per problem however often it repeats."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from doctor.model import Status
from doctor.project.interpreter import marker_environment
from doctor.project.pyproject import parse_toml, read_pyproject
from doctor.project.record import applies, parse_version, read_record
from tests.conftest import base_environ, doctor_cli, write_project
from tests.growth import assert_linear, run_limited

FIXTURES = Path(__file__).parent / "fixtures" / "records"
PY311 = marker_environment((3, 11, 7))
HUGE = "1" * 5000  # past int()'s 4,300-digit limit


def record_of(project: Path):
    return read_record(project, read_pyproject(project))


def _lock(tmp_path: Path, name: str, text: str) -> Path:
    project = tmp_path / "p"
    project.mkdir(exist_ok=True)
    (project / name).write_text(text)
    return project


WRONG_SHAPES = [
    ("uv.lock", 'version = 1\npackage = 5\n', "`package` should be an array, not an integer"),
    ("uv.lock", 'version = 1\n[[package]]\nname = "app"\nsource = { virtual = "." }\nmetadata = 7\n'
                '[[package]]\nname = "openai"\nversion = "1.2.3"\n', "`metadata` should be a table, not an integer"),
    ("uv.lock", 'version = 1\n[[package]]\nname = "openai"\nversion = "1.2.3"\nresolution-markers = "x"\n',
     "`resolution-markers` should be an array, not a string"),
    ("poetry.lock", '[[package]]\nname = "openai"\nversion = "1.2.3"\nmarkers = ["a", "b"]\n'
                    '[metadata]\nlock-version = "2.1"\n', "`markers` should be a string, not an array"),
    ("poetry.lock", '[[package]]\nname = "openai"\nversion = "1.2.3"\ngroups = 3\nmetadata = 1\n'
                    'metadata_ = 2\n[metadata]\nlock-version = "2.1"\n', "`groups` should be an array, not an integer"),
    ("poetry.lock", 'metadata = 5\n[[package]]\nname = "openai"\nversion = "1.2.3"\n',
     "`metadata` should be a table, not an integer"),
    ("pdm.lock", '[[package]]\nname = "openai"\nversion = 5\n[metadata]\nlock_version = "4.5"\n',
     "a package's `version` should be a string, not an integer"),
    ("pylock.toml", 'lock-version = "1.0"\npackages = "openai"\n', "`packages` should be an array, not a string"),
    ("Pipfile.lock", json.dumps({"_meta": 3, "default": [1, 2], "develop": {"openai": {"version": "==1.2.3",
                                                                                      "markers": ["x"]}}}),
     "`default` should be a table, not an array"),
]


@pytest.mark.parametrize("name,text,said", WRONG_SHAPES)
def test_a_lock_value_of_the_wrong_shape_is_a_finding_not_a_crash(tmp_path, name, text, said):
    record = record_of(_lock(tmp_path, name, text))
    problems = [p for p in record.problems if "wrong shape" in p.message]
    assert problems and problems[0].code == "lock-unreadable" and problems[0].status is Status.WARN
    assert problems[0].location.file == name
    assert any(said in line for line in (problems[0].message, *problems[0].details)), problems[0]
    for package in record.locked:  # what was read is usable
        assert isinstance(package.version, str) and (package.marker is None or isinstance(package.marker, str))
        applies(package.marker, PY311)


def test_what_a_lock_of_the_wrong_shape_still_holds_is_read(tmp_path):
    record = record_of(_lock(tmp_path, "poetry.lock", '[[package]]\nname = "openai"\nversion = "1.2.3"\nmarkers = [1]\n'
                                     '[[package]]\nname = "httpx"\nversion = "0.28.1"\n[metadata]\nlock-version = "2.1"\n'))
    assert record.pinned_version("openai", PY311)[0] == "1.2.3"
    assert record.pinned_version("httpx", PY311) == ("0.28.1", record.locked[1].where)
    assert record.locked[1].where.line == 6


def test_versions_past_the_digit_limit_read_as_no_version(tmp_path):
    assert parse_version(HUGE) is None and parse_version("1." + HUGE) is None
    record = record_of(_lock(tmp_path, "poetry.lock", f'[[package]]\nname = "openai"\nversion = "{HUGE}"\n'
                                                      f'[metadata]\nlock-version = "{HUGE}"\n'))
    assert record.locked[0].version == HUGE
    assert any("no format version" in p.message for p in record.problems)
    assert applies(f'python_version > "{HUGE}"', PY311) in (True, False)


def test_markers_nested_hundreds_deep_are_counted_as_applying():
    for depth in (40, 400, 4000):
        assert applies("(" * depth + 'python_version > "3"' + ")" * depth, PY311) is True


def test_hostile_projects_never_crash_a_check(tmp_path):
    """Each input crashed a check (exit 3, a traceback) or the whole run before any report."""
    cases = {
        "poetry.lock": f'[[package]]\nname = "openai"\nversion = "{HUGE}"\nmarkers = ["x"]\n[metadata]\nlock-version = 5\n',
        "pyproject.toml": f'[project]\nname = "x"\nversion = "1"\nrequires-python = ">={HUGE}"\n'
                          f'dependencies = ["openai=={HUGE}"]\n',
    }
    project = write_project(tmp_path / "proj", env="OPENAI_API_KEY=sk-test\n", requirements=None)
    for name, text in cases.items():
        (project / name).write_text(text)
    venv = project / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text(f"home = /usr/bin\nversion_info = {HUGE}.{HUGE}\n")
    shutil.copy(base_environ().get("SHELL", "/bin/sh"), venv / "bin" / "python")
    done = doctor_cli("check", "--offline", "--untrusted", "--format", "json", "--project", str(project))
    report = json.loads(done.stdout)
    errors = [(c["id"], c["message"]) for c in report["checks"] if c["status"] == "error"]
    assert errors == [] and done.returncode in (0, 1), done.stderr[-2000:]


def _uv_lock(size: int) -> str:
    lines = ['version = 1\nrequires-python = ">=3.10"\n']
    while sum(map(len, lines)) < size:
        lines.append(f'\n[[package]]\nname = "pkg-{len(lines)}"\nversion = "1.0.{len(lines)}"\n'
                     f'source = {{ registry = "https://pypi.org/simple" }}\n')
    return "".join(lines)


def test_a_lock_of_many_packages_is_read_in_linear_time(tmp_path):
    def read(text: str):
        project = _lock(tmp_path, "uv.lock", text)
        return record_of(project)

    assert_linear(_uv_lock, read)
    record = read(_uv_lock(100 * 1024))
    assert record.locked[-1].where.line == _uv_lock(100 * 1024).count("\n") - 2


def test_requirements_lines_that_made_patterns_backtrack_are_linear(tmp_path):
    project = tmp_path / "p"
    project.mkdir()

    def read(text: str):
        (project / "requirements.txt").write_text(text)
        return record_of(project)

    assert_linear(lambda size: "openai" + " " * size + "x\n", read)  # a comment pattern retried each space
    assert_linear(lambda size: "-r" + " " * size + "\n", read)  # two optional runs of spaces
    assert_linear(lambda size: "openai==1 ; python_version" + " " * size + "x\n", read)  # a lazy marker
    assert_linear(lambda size: "openai==1 \\\n" * (size // 12), read)  # continuations


def test_a_repeated_line_gives_one_finding(tmp_path):
    project = tmp_path / "p"
    project.mkdir()
    (project / "requirements.txt").write_text("-r missing.txt\n" * 100_000 + "-r requirements.txt\n" * 1000)
    record = record_of(project)
    assert len(record.problems) == 2, [p.message for p in record.problems]
    missing = next(p for p in record.problems if "missing.txt" in p.message)
    assert missing.location.line == 1 and "and 99,999 more like it" in missing.details


def test_a_deep_dotted_key_is_refused_within_memory(tmp_path):
    (tmp_path / "pyproject.toml").write_text(".".join(["a"] * 20_000) + " = 1\n")
    done = run_limited(f"""
        from pathlib import Path
        from doctor.project.pyproject import read_pyproject
        print(read_pyproject(Path({str(tmp_path)!r})).problem)
    """, memory=512 * 1024 * 1024)
    assert "dotted key of more than 128 parts" in done.stdout, done.stderr[-2000:]
    assert parse_toml(b'a.b."c.d" = 1\n[x.y]\nz = "1.2.3"\n')[0] == {"a": {"b": {"c.d": 1}}, "x": {"y": {"z": "1.2.3"}}}


def test_dotted_key_scan_is_linear():
    assert_linear(lambda size: ("a." * (size // 2)) + "b = 1\n", lambda text: parse_toml(text.encode()))


def test_numbers_past_the_digit_limit_in_toml_are_a_problem_not_a_crash(tmp_path):
    from doctor.settings import read_project_config, valid_timeout

    assert parse_toml(b"x = " + b"1" * 5000)[1] == "holds a number too long to read (over 4,300 digits)"
    assert valid_timeout(10 ** 4000) is None
    (tmp_path / "pyproject.toml").write_text("[tool.llm-doctor]\ntimeout = " + "9" * 4000 + "\n")
    from doctor.settings import ConfigError

    with pytest.raises(ConfigError, match="timeout must be a number"):
        read_project_config(read_pyproject(tmp_path))
