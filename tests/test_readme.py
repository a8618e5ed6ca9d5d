"""The README's list of checks and codes is the registry's: this test keeps them in sync.

When it fails, paste the table it prints between the README's `checks` markers.
"""

from pathlib import Path

from checks import ALL_CHECKS

README = Path(__file__).parents[1] / "README.md"


def checks_table() -> str:
    rows = ["| id | group | live | codes |", "|---|---|---|---|"]
    for c in ALL_CHECKS:
        live = "yes, spends tokens" if c.spends_tokens else "yes" if c.live else "no"
        rows.append(f"| `{c.id}` | {c.group} | {live} | " + ", ".join(f"`{code}`" for code in c.codes) + " |")
    return "\n".join(rows)


def test_readme_lists_every_check_and_code():
    text = README.read_text(encoding="utf-8")
    start, end = text.index("<!-- checks:start -->\n"), text.index("<!-- checks:end -->")
    current = text[start + len("<!-- checks:start -->\n"):end].strip()
    assert current == checks_table(), "README checks table is stale; expected:\n" + checks_table()


def test_readme_test_command_is_the_one_ci_runs():
    text = README.read_text(encoding="utf-8")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest" in text and "python -m pytest" in ci
    assert 'pip install -e ".[dev]"' in text and 'pip install -e ".[dev]"' in ci


def test_readme_names_only_files_that_exist():
    """Every file of this repository the README points at is there (no DESIGN.md of another repo)."""
    import re

    text = README.read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:doctor|checks|tests|bench|docs|\.ci)/[\w./-]+|[A-Z]+\.md)`", text))
    missing = sorted(path for path in named if not (README.parent / path).exists())
    assert not missing, missing
    assert "DESIGN.md" not in text


def test_readme_counts_match_the_corpora():
    import json

    from tests.explain_corpus import CORPUS

    text = README.read_text(encoding="utf-8")
    assert f"`tests/explain_corpus.py`, {len(CORPUS)} real texts" in text
    projects = [p for p in (README.parent / "tests" / "fixtures" / "code_corpus").iterdir()
                if (p / "expected.json").is_file()]
    assert all(json.loads((p / "expected.json").read_text()) for p in projects)
    assert f"on {len(projects)} small projects" in text
