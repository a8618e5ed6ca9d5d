"""code-usage measured on a corpus of small realistic projects (tests/fixtures/code_corpus).

Each project says what must be found (code, file, line) and which codes must not be found
anywhere in it. A finding the corpus expects and the rules miss lowers the recall; a code in
a project's "absent" list that the rules report is a false alarm, and there must be none:
a false alarm costs more than a miss.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checks.code_models import code_models
from checks.code_rules import RULES, Environment
from checks.code_usage import _findings
from doctor.project.code_base import read_code_base
from doctor.project.source_files import ProjectFiles, walk

CORPUS = Path(__file__).parent / "fixtures" / "code_corpus"
PROJECTS = sorted(p for p in CORPUS.iterdir() if (p / "expected.json").is_file())


def analyse(project: Path) -> tuple[dict, list[tuple[str, str, int | None]], list[str]]:
    """The expectations, and what code-usage reports: (code, file, line or "cell N, line M")."""
    expected = json.loads((project / "expected.json").read_text())
    version = expected.get("openai_version")
    env = Environment(frozenset(expected.get("dotenv", {})), frozenset(expected.get("shell", [])),
                      int(version.split(".")[0]) if version else None)
    files = ProjectFiles(project, tuple(walk(project)), "a walk of the folder")
    code = read_code_base(files)
    hits = [hit for rule in RULES for hit in rule(code, env)]
    found = []
    for hit in hits:
        position = hit.module.source.position(hit.node)
        found.append((hit.code, hit.module.path, position.label if hit.module.source.notebook else position.line))
    unreadable, _ = _findings([], code)
    found += [(f.code, f.location.file, f.location.line) for f in unreadable]
    return expected, found, [m.name for m in code_models(code)]


def where(finding: dict) -> int | str | None:
    if "cell" in finding:
        return f"cell {finding['cell'] + 1}, line {finding['line']}"
    return finding["line"]


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_project(project):
    expected, found, models = analyse(project)
    wanted = {(f["code"], f["file"], where(f)) for f in expected["findings"]}
    false_alarms = [f for f in found if f[0] in expected.get("absent", [])]
    assert not false_alarms, f"{project.name}: reported what must not be: {false_alarms}"
    missed = wanted - set(found)
    assert not missed, f"{project.name}: missed {sorted(missed, key=str)}; found {sorted(found, key=str)}"
    assert models == expected.get("models", []), project.name


def test_corpus_accuracy(capsys):
    """Prints the recall and the false alarms over the whole corpus (the per-project test asserts them)."""
    wanted = caught = alarms = judged = 0
    for project in PROJECTS:
        expected, found, _ = analyse(project)
        targets = {(f["code"], f["file"], where(f)) for f in expected["findings"]}
        wanted += len(targets)
        caught += len(targets & set(found))
        absent = expected.get("absent", [])
        judged += len(absent)
        alarms += sum(1 for f in found if f[0] in absent)
    with capsys.disabled():
        print(f"\ncode-usage corpus: {len(PROJECTS)} projects; found {caught}/{wanted} expected findings "
              f"({100 * caught / wanted:.0f}%); {alarms} false alarms over {judged} codes that must stay silent")
    assert caught / wanted >= 0.95 and alarms == 0
