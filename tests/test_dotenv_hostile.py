"""`.env` expansion against hostile files: the same answers as python-dotenv, in linear time and
bounded memory, with values capped after expansion."""

from __future__ import annotations

import random

from doctor.project.dotenv_files import EXPANSION_BUDGET, MAX_VALUE_CHARS, read_dotenv, variables
from tests.growth import assert_linear, run_limited


def test_references_are_found_exactly_as_python_dotenv_finds_them():
    from dotenv.variables import parse_variables

    rng = random.Random(21)
    for _ in range(3000):
        value = "".join(rng.choice(["${", "}", ":", ":-", "-", "a", "B_1", "$", "{", " "]) for _ in range(rng.randint(0, 14)))
        assert variables(value) == list(parse_variables(value)), value


def _write(tmp_path, text: str):
    path = tmp_path / ".env"
    path.write_text(text)
    return path


def test_unclosed_references_are_linear(tmp_path):
    assert_linear(lambda size: "A=" + "${" * (size // 2), lambda text: read_dotenv(_write(tmp_path, text)))
    assert_linear(lambda size: "A=" + "${a:" * (size // 4), lambda text: read_dotenv(_write(tmp_path, text)))


def test_a_long_chain_of_references_is_linear(tmp_path):
    def chain(size: int) -> str:
        lines = ["V0=start"]
        while sum(len(line) + 1 for line in lines) < size:
            lines.append(f"V{len(lines)}=${{V{len(lines) - 1}}}")
        return "\n".join(lines) + "\n"

    assert_linear(chain, lambda text: read_dotenv(_write(tmp_path, text)))
    last = read_dotenv(_write(tmp_path, chain(20_000))).entries[-1]
    assert last.value == "start" and last.raw.startswith("${V")


def test_doubling_lines_are_cut_and_stay_within_memory(tmp_path):
    lines = ["A0=" + "x" * 64] + [f"A{i}=${{A{i - 1}}}${{A{i - 1}}}" for i in range(1, 40)]
    path = _write(tmp_path, "\n".join(lines) + "\n")
    done = run_limited(f"""
        from pathlib import Path
        from doctor.project.dotenv_files import read_dotenv
        entries = read_dotenv(Path({str(path)!r})).entries
        assert max(len(e.value) for e in entries) <= {MAX_VALUE_CHARS}
        assert sum(len(e.value) for e in entries) <= {EXPANSION_BUDGET + MAX_VALUE_CHARS * 2 + 64 * 40}
        assert entries[12].cut and not entries[3].cut and entries[3].value == "x" * 512
        print("ok")
    """)
    assert done.stdout.strip() == "ok", done.stderr[-2000:]


def test_the_shell_still_wins_and_defaults_still_apply(tmp_path):
    path = _write(tmp_path, "HOST=file\nURL=https://${HOST}/v1\nOTHER=${MISSING:-fallback}/${HOST}\n")
    found = read_dotenv(path, {"HOST": "shell"})
    assert found.get("URL").value == "https://shell/v1"
    assert found.get("OTHER").value == "fallback/shell"
