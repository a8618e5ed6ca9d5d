"""The README and the docs claim only what is true: the commands CI runs, files that exist,
the corpora's sizes, and a README that follows the user's path and ends with development.

(The list of checks and codes lives in docs/checks.md, generated; tests/test_docs.py keeps it
and every code's page in step with the code.)
"""

import json
import re
from pathlib import Path

from tests import markdown_check

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"


def test_readme_sections_follow_the_users_path_and_development_comes_last():
    titles = [title for level, title in markdown_check.headings(README.read_text(encoding="utf-8")) if level == 2]
    assert titles == ["Install", "Run it in your project", "When something fails", "CI in five lines", "Read more",
                      "Develop llm-doctor"]


def test_readme_test_command_is_the_one_ci_runs():
    text = README.read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest" in text and "python -m pytest" in ci
    assert 'pip install -e ".[dev]"' in text and 'pip install -e ".[dev]"' in ci


def test_readme_and_docs_name_only_files_that_exist():
    """Every file of this repository the README or a docs page names in backticks is there (no DESIGN.md of
    another repo)."""
    missing = []
    for page in [README, *DOCS.rglob("*.md")]:
        text = page.read_text(encoding="utf-8")
        named = set(re.findall(r"`((?:doctor|checks|tests|bench|docs|\.ci)/[\w./-]+|[A-Z]+\.md)`", text))
        missing += [f"{page.name}: {path}" for path in sorted(named) if not (ROOT / path).exists()]
        assert "DESIGN.md" not in text, page
    assert not missing, missing


def test_the_docs_counts_match_the_corpora():
    from tests.explain_corpus import CORPUS

    support = (DOCS / "support.md").read_text(encoding="utf-8")
    assert f"`tests/explain_corpus.py`, {len(CORPUS)} real texts" in support
    projects = [p for p in (ROOT / "tests" / "fixtures" / "code_corpus").iterdir() if (p / "expected.json").is_file()]
    assert all(json.loads((p / "expected.json").read_text()) for p in projects)
    assert f"on {len(projects)} small projects" in (DOCS / "your-code.md").read_text(encoding="utf-8")


def test_the_docs_list_the_demo_scenarios_as_demo_list_does():
    from doctor.sandbox import DEMO_SCENARIOS, TEST_SCENARIOS

    text = " ".join((DOCS / "development.md").read_text(encoding="utf-8").split())
    shown, _, tests = text.partition("shows these, each with what it does: ")[2].partition(". For the tests there are also ")
    assert re.findall(r"`([\w-]+)`", shown) == list(DEMO_SCENARIOS)
    assert re.findall(r"`([\w-]+)`", tests.partition(" (`demo NAME`")[0]) == list(TEST_SCENARIOS)


def test_the_demo_scenarios_the_readme_names_exist():
    from doctor.sandbox import DEMO_SCENARIOS

    named = re.findall(r"`llm-doctor demo (\w[\w-]*)`", README.read_text(encoding="utf-8"))
    assert named and all(name in DEMO_SCENARIOS for name in named)
