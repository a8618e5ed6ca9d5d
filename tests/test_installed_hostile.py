"""What is installed, read from hostile `.dist-info` folders (as `--untrusted` reads a stranger's
venv): bounded in count, bytes and time, and saying what it did not read."""

from __future__ import annotations

from pathlib import Path

from doctor.project.installed import MAX_DIST_INFOS, MAX_REQUIRES, Distribution, closure, scan
from doctor.project.interpreter import marker_environment
from doctor.project.venv_files import read_pyvenv_cfg, _VERSION
from tests.growth import assert_linear, run_limited

PY311 = marker_environment((3, 11, 7))


def _dist(site: Path, name: str, requires: list[str], body: str = "") -> None:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    lines = [f"Metadata-Version: 2.1", f"Name: {name}", "Version: 1.0", *(f"Requires-Dist: {r}" for r in requires)]
    (info / "METADATA").write_text("\n".join(lines) + "\n\n" + body)


def test_a_metadata_with_thousands_of_requirements_is_cut(tmp_path):
    _dist(tmp_path, "hostile", [f"dep{i}" for i in range(20_000)])  # 480 KB
    found = scan([tmp_path])
    assert len(found["hostile"].requires) == MAX_REQUIRES
    chains, missing = closure(["hostile"], found, PY311)
    assert len(missing) == MAX_REQUIRES and list(chains) == ["hostile"]


def test_the_closure_is_linear_in_the_environment(tmp_path):
    def environment(size: int):
        count = size // 10  # a chain, each needing the next and the three before it again
        return {f"p{i}": Distribution(f"p{i}", "1.0", (f"p{i + 1}", *(f"p{j}" for j in range(max(0, i - 3), i)),
                                                        f"gone{i % 50}"), tmp_path) for i in range(count)}

    assert_linear(environment, lambda installed: closure(["p0"], installed, PY311))


def test_thousands_of_dist_info_folders_stop_at_the_cap_and_say_so(tmp_path):
    for i in range(MAX_DIST_INFOS + 10):
        (tmp_path / f"p{i:05d}-1.0.dist-info").mkdir()
    found = scan([tmp_path])
    assert found.cut and f"{MAX_DIST_INFOS:,} .dist-info folders" in found.cut


def test_huge_metadata_files_stay_within_memory(tmp_path):
    for i in range(300):
        _dist(tmp_path, f"big{i}", ["openai"], body="x" * (500 * 1024))
    done = run_limited(f"""
        from pathlib import Path
        from doctor.project.installed import scan
        found = scan([Path({str(tmp_path)!r})])
        print(len(found), "more than 64 MB of METADATA" in (found.cut or ""))
    """, memory=768 * 1024 * 1024)
    read, cut = done.stdout.split() or ["", ""]
    assert done.returncode == 0 and cut == "True" and 100 < int(read) < 300, done.stderr[-2000:]


def test_a_pyvenv_cfg_version_past_the_digit_limit_is_no_version(tmp_path):
    (tmp_path / "pyvenv.cfg").write_text(f"version_info = {'3' * 5000}.{'1' * 5000}\n")
    assert _VERSION.match(read_pyvenv_cfg(tmp_path)["version_info"]) is None
    assert _VERSION.match("3.12.1").groups() == ("3", "12", "1")
