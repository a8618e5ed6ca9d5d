"""The docs: a page for every code, pages that are what docs/generate.py writes, links that lead
somewhere (in the docs, the README and every fix), and Markdown that renders whole."""

from __future__ import annotations

import ast
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

from checks import ALL_CHECKS, guide
from checks.catalogue import CATALOGUE
from tests import markdown_check
from tests.conftest import base_environ, doctor_cli

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
PAGES = sorted([ROOT / "README.md", *DOCS.rglob("*.md")])


def load_generator():
    spec = importlib.util.spec_from_file_location("docs_generate", DOCS / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_code_has_a_page():
    codes = set(CATALOGUE) | {code for check in ALL_CHECKS for code in check.codes}
    missing = sorted(code for code in codes if not (ROOT / guide.code_page(code)).is_file())
    assert not missing, f"codes without a page (run `python docs/generate.py`): {missing}"


def test_committed_pages_are_what_the_generator_writes():
    stale = load_generator().stale()
    assert not stale, "stale pages; run `python docs/generate.py`: " + ", ".join(str(p) for p in stale)


@pytest.fixture
def generated_copy(tmp_path, monkeypatch):
    """The generator, pointed at a copy of the committed pages."""
    generator = load_generator()
    codes = tmp_path / "codes"
    shutil.copytree(generator.CODES, codes)
    shutil.copy(generator.CHECKS_PAGE, tmp_path / "checks.md")
    monkeypatch.setattr(generator, "CODES", codes)
    monkeypatch.setattr(generator, "CHECKS_PAGE", tmp_path / "checks.md")
    assert generator.stale() == []
    return generator


def test_the_generator_check_finds_a_missing_page(generated_copy):
    (generated_copy.CODES / "quota-exhausted.md").unlink()
    assert generated_copy.stale() == [generated_copy.CODES / "quota-exhausted.md"]
    assert generated_copy.main(["--check"]) == 1


def test_the_generator_check_finds_a_hand_edit_and_a_page_of_no_code(generated_copy):
    page = generated_copy.CODES / "key-missing.md"
    page.write_text(page.read_text() + "\nedited by hand\n")
    orphan = generated_copy.CODES / "no-such-code.md"
    orphan.write_text("# no-such-code\n")
    assert sorted(generated_copy.stale()) == sorted([page, orphan])


def test_the_generator_rewrites_what_is_stale_and_nothing_else(generated_copy, capsys):
    page = generated_copy.CODES / "key-missing.md"
    page.write_text("stale\n")
    (generated_copy.CODES / "no-such-code.md").write_text("# no-such-code\n")
    assert generated_copy.main([]) == 0
    assert generated_copy.stale() == [] and not (generated_copy.CODES / "no-such-code.md").exists()
    assert (generated_copy.CODES / "README.md").is_file()


def test_a_code_page_says_what_it_means_why_how_to_fix_and_shows_an_example():
    for code, entry in CATALOGUE.items():
        text = (ROOT / guide.code_page(code)).read_text(encoding="utf-8")
        titles = [title for _, title in markdown_check.headings(text)]
        assert titles == [f"`{code}`", "What it means", "Why it matters", "How to fix", "Example"], code
        assert entry.cause in text and entry.fix.summary in text
        if entry.fix.guide:
            assert f"](../{guide.section_link(entry.fix.guide)[len('docs/'):]})" in text


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    assert markdown_check.broken_links(page) == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_markdown_renders_whole(page):
    text = page.read_text(encoding="utf-8")
    assert markdown_check.broken_tables(text) == []
    assert markdown_check.heading_problems(text) == []


def test_every_guide_section_is_a_heading_of_the_guide():
    headings = markdown_check.anchors((ROOT / guide.GUIDE_PAGE).read_text(encoding="utf-8"))
    assert [s for s in guide.SECTIONS if guide.anchor(s) not in headings] == []


def _guide_arguments(path: Path):
    """Every section a module's fixes name: each `guide=` (the catalogue's `section=`) that is
    `guide.SOMETHING` or a string; a variable passed on is checked where it was set."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        for keyword in getattr(node, "keywords", ()):
            value = keyword.value
            if keyword.arg not in ("guide", "section"):
                continue
            if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and value.value.id == "guide":
                yield getattr(guide, value.attr, f"guide.{value.attr}")
            elif isinstance(value, ast.Constant) and value.value is not None:
                yield value.value


def test_every_fix_names_a_section_of_the_guide():
    """Fixes are built at run time, so this reads every module of checks/ for the sections they name."""
    named = {(path.name, value) for path in (ROOT / "checks").glob("*.py") for value in _guide_arguments(path)}
    assert len(named) > 10
    assert sorted((name, value) for name, value in named if value not in guide.SECTIONS) == []
    assert {entry.fix.guide for entry in CATALOGUE.values()} <= set(guide.SECTIONS)


def test_the_link_checker_catches_what_a_reader_would_see_broken(tmp_path):
    (tmp_path / "other.md").write_text("# Other\n\n## A part\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text("# Page\n\n### Too deep\n\n[ok](other.md#a-part) [gone](missing.md) [bad](other.md#nope)\n"
                    "![pic](nothing.svg) [web](https://example.com/x)\n\n| a | b |\n\n|---|---|\n| 1 | 2 |\n",
                    encoding="utf-8")
    text = page.read_text(encoding="utf-8")
    assert markdown_check.broken_links(page) == ["missing.md: no such file", "other.md#nope: no such heading",
                                                 "nothing.svg: no such file"]
    assert markdown_check.heading_problems(text) == ["h3 'Too deep' follows an h1"]
    assert markdown_check.broken_tables(text) == ["| a | b |", "|---|---|", "| 1 | 2 |"]


def test_explain_says_where_the_codes_page_is():
    done = doctor_cli("explain", "quota-exhausted")
    page = next(line for line in done.stdout.splitlines() if line.startswith("Page: "))[len("Page: "):]
    assert Path(page).is_file() and Path(page).name == "quota-exhausted.md"
    guide_line = next(line for line in done.stdout.splitlines() if line.startswith("Guide: "))
    assert guide_line.endswith("docs/guide.md#troubleshooting")


def test_text_and_junit_name_each_problems_page(tmp_path):
    project = tmp_path / "p"
    project.mkdir()
    (project / ".env").write_text("OPENAI_API_KEY=sk-your-real-key-goes-here\n", encoding="utf-8")
    for output in ("text", "junit"):
        done = doctor_cli("check", "--project", str(project), "--python", sys.executable, "--offline",
                          "--only", "key-format", "--format", output)
        assert str(ROOT / guide.code_page("key-placeholder")) in done.stdout, output
        assert str(ROOT / guide.section_link(guide.TROUBLESHOOTING)) in done.stdout, output


def test_sarif_rules_link_their_page_and_guide_section(tmp_path):
    import json

    project = tmp_path / "p"
    project.mkdir()
    (project / ".env").write_text("OPENAI_API_KEY=sk-your-real-key-goes-here\n", encoding="utf-8")
    done = doctor_cli("check", "--project", str(project), "--python", sys.executable, "--offline",
                      "--only", "key-format", "--format", "sarif")
    rules = {rule["id"]: rule for rule in json.loads(done.stdout)["runs"][0]["tool"]["driver"]["rules"]}
    rule = rules["key-placeholder"]
    assert rule["properties"]["docs"] == "docs/codes/key-placeholder.md"
    assert "[`key-placeholder`](docs/codes/key-placeholder.md)" in rule["help"]["markdown"]
    help_page = tmp_path / "help.md"
    help_page.write_text(rule["help"]["markdown"], encoding="utf-8")
    targets = markdown_check.links(help_page.read_text(encoding="utf-8"))
    assert targets and all((ROOT / target.partition("#")[0]).is_file() for target in targets)


def test_explain_json_and_github_annotations_name_the_page(tmp_path):
    import json

    data = json.loads(doctor_cli("explain", "--format", "json", "quota-exhausted").stdout)
    assert data["page"] == "docs/codes/quota-exhausted.md" and (ROOT / data["page"]).is_file()
    unknown = json.loads(doctor_cli("explain", "--format", "json", "nothing we know of").stdout)
    assert unknown["page"] is None
    project = tmp_path / "p"
    project.mkdir()
    (project / ".env").write_text("OPENAI_API_KEY=sk-your-real-key-goes-here\n", encoding="utf-8")
    done = doctor_cli("check", "--project", str(project), "--python", sys.executable, "--offline",
                      "--only", "key-format", env={**base_environ(), "GITHUB_ACTIONS": "true"})
    annotation = next(line for line in done.stdout.splitlines() if line.startswith("::error"))
    assert annotation.endswith(" More: docs/codes/key-placeholder.md")


def test_every_hand_written_example_belongs_to_a_code():
    """A renamed or misspelt code in docs/examples.toml would leave its example unused."""
    generator = load_generator()
    examples = generator.tomllib.loads(generator.EXAMPLES.read_text(encoding="utf-8"))
    assert sorted(set(examples) - set(CATALOGUE)) == []
    assert all(example["text"].strip() in (ROOT / guide.code_page(code)).read_text() for code, example in examples.items())


def test_runner_codes_are_read_from_the_runner():
    assert {"check-crashed", "check-timeout"} <= load_generator().runner_codes()
    assert "runner reports it" in (ROOT / guide.code_page("check-crashed")).read_text()
