"""code-usage remembers what the code says between runs (checks/code_memo.py), and a remembered
answer is the very one a fresh reading gives: any change to what it depends on reads the code
again, a broken memo file is read as none, and no secret is ever kept."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path

import pytest

import checks.code_memo as code_memo
import doctor.project.code_base as code_base
from checks.code_usage import code_conclusions, code_usage
from tests.checks.test_code_usage import LEGACY, NO_DOTENV, project_with
from tests.conftest import CANARY_CORE, CANARY_KEY, base_environ, facts, leaks, make_ctx, run_check

CORPUS = Path(__file__).parents[1] / "fixtures" / "code_corpus"
MISNAMED = 'import os\nfrom dotenv import load_dotenv\nload_dotenv()\nkey = os.environ["OPENAI_KEY"]\n'


@pytest.fixture
def readings(monkeypatch) -> list[str]:
    """The projects whose code was read and parsed (not taken from the memo), one entry per reading."""
    read: list[str] = []
    real = code_base.read_code_base

    def counted(files, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        read.append(str(files.root))
        return real(files, *args, **kwargs)

    monkeypatch.setattr(code_base, "read_code_base", counted)
    return read


def judged(project: Path, cache: Path, openai_version: str = "1.99.0", **environ: str):  # noqa: ANN201
    ctx = make_ctx(project, environ=base_environ(XDG_CACHE_HOME=str(cache), **environ),
                   interpreter=facts(project, dists={"openai": openai_version}))
    return run_check(code_usage, ctx)


def shown(result) -> tuple:  # noqa: ANN001
    """Everything of a result the report shows."""
    return (result.status, result.code, result.message, result.details, result.fix, result.facts,
            [(f.status, f.code, f.message, f.location, f.fix) for f in result.findings])


def test_a_second_run_on_the_same_code_takes_the_memo_and_answers_the_same(tmp_path, readings):
    project = project_with(tmp_path, {"app.py": NO_DOTENV, "legacy.py": LEGACY})
    cache = tmp_path / "cache"
    first = judged(project, cache)
    again = judged(project, cache)
    assert readings == [str(project)]  # the second run parsed nothing
    assert shown(again) == shown(first) and {"code-pre-v1", "dotenv-not-loaded"} <= {f.code for f in first.findings}
    [memo] = (cache / "llm-doctor" / "code").iterdir()
    assert str(project) not in memo.read_text()  # files are named relative to the project, the project by a digest


@pytest.mark.parametrize("change", ["edit", "same size and time", "new file", "loader file", "dotenv names",
                                    "shell names", "sdk", "doctor's code"])
def test_any_change_the_conclusions_depend_on_reads_the_code_again(tmp_path, readings, monkeypatch, change):
    project = project_with(tmp_path, {"app.py": MISNAMED}, env="OPENAI_API_KEY=sk-test-fake\n")
    (project / "legacy.py").write_text(LEGACY)
    cache = tmp_path / "cache"
    before = judged(project, cache)
    assert {"env-name-mismatch", "code-pre-v1"} <= {f.code for f in before.findings}
    environ, version = {}, "1.99.0"
    if change == "edit":
        (project / "app.py").write_text(MISNAMED.replace("OPENAI_KEY", "OPENAI_API_KEY"))
    elif change == "same size and time":  # an edit no file time shows: the bytes are what counts
        stat = (project / "app.py").stat()
        (project / "app.py").write_text(MISNAMED.replace("OPENAI_KEY", "OPENAI_KEX"))
        os.utime(project / "app.py", ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert (project / "app.py").stat().st_size == stat.st_size
    elif change == "new file":
        (project / "more.py").write_text("from openai import OpenAI\nclient = OpenAI()\n")
    elif change == "loader file":  # direnv loads .env for the code: the late or missing load_dotenv() is moot
        (project / "app.py").write_text(NO_DOTENV)
        before = judged(project, cache)
        assert "dotenv-not-loaded" in {f.code for f in before.findings}
        (project / ".envrc").write_text("dotenv\n")
    elif change == "dotenv names":
        (project / ".env").write_text("OPENAI_KEY=sk-test-fake\n")
    elif change == "shell names":
        environ = {"OPENAI_KEY": "sk-test-fake"}
    elif change == "sdk":
        version = "0.28.1"
    else:
        monkeypatch.setattr(code_memo, "_doctor_code", lambda: b"another version of the doctor")
    readings.clear()
    after = judged(project, cache, version, **environ)
    assert readings == [str(project)]
    fresh = judged(project, tmp_path / "fresh", version, **environ)  # no memo at all
    assert shown(after) == shown(fresh)
    assert (shown(after) == shown(before)) is (change == "doctor's code")  # every other change changes the answer


@pytest.mark.parametrize("content", [b"", b"not json", b"[1, 2]", b'{"format": 1, "digest": "x"}', b"\0" * 64,
                                     "UNKNOWN CODE", "WRONG TYPES", b"{" * 5_000_000,
                                     b"[" * 1_000_000])
def test_a_broken_foreign_or_forged_memo_file_is_read_as_none(tmp_path, readings, content):
    project = project_with(tmp_path, {"app.py": NO_DOTENV})
    cache = tmp_path / "cache"
    first = judged(project, cache)
    [memo] = (cache / "llm-doctor" / "code").iterdir()
    document = json.loads(memo.read_text())
    kept = json.loads(memo.read_text())["conclusions"]
    if content == "UNKNOWN CODE":  # under the right digest, a code the doctor does not have
        document["conclusions"]["findings"][0][1] = "no-such-code"
        content = json.dumps(document).encode()
    elif content == "WRONG TYPES":
        document["conclusions"]["findings"][0][3][1] = "12"
        content = json.dumps(document).encode()
    memo.write_bytes(content)
    readings.clear()
    again = judged(project, cache)
    assert readings == [str(project)] and shown(again) == shown(first)
    assert json.loads(memo.read_text())["conclusions"] == kept  # and the memo is whole again


def test_without_a_cache_folder_nothing_is_kept_and_the_check_still_runs(tmp_path, readings):
    project = project_with(tmp_path, {"app.py": NO_DOTENV})
    home = tmp_path / "home"
    for _ in range(2):
        ctx = make_ctx(project, environ={**base_environ(XDG_CACHE_HOME="relative/cache", HOME="")},
                       interpreter=facts(project))
        assert run_check(code_usage, ctx).code == "dotenv-not-loaded"
    assert readings == [str(project)] * 2 and not home.exists()
    assert not (project / "relative").exists()


def test_conclusions_that_would_need_masking_are_not_kept(tmp_path, readings):
    """A model named by a value of .env (here the key itself): the memo would have to hold it."""
    code = ('import os\nfrom openai import OpenAI\nclient = OpenAI(timeout=5)\n'
            f'client.chat.completions.create(model="{CANARY_KEY}", messages=[], max_tokens=5)\n')
    project = project_with(tmp_path, {"app.py": code}, env=f"OPENAI_API_KEY={CANARY_KEY}\n")
    cache = tmp_path / "cache"
    for _ in range(2):
        judged(project, cache)
    assert readings == [str(project)] * 2
    assert not (cache / "llm-doctor" / "code").exists()


def test_the_memo_never_holds_a_secret(tmp_path):
    project = project_with(tmp_path, {"app.py": NO_DOTENV.replace('os.getenv("OPENAI_API_KEY")', f'"{CANARY_KEY}"'),
                                      "notes.py": f'# the key: {CANARY_KEY}\nimport os\nos.getenv("OPENAI_KEY")\n'},
                           env=f"OPENAI_API_KEY={CANARY_KEY}\nOTHER=a-private-value-of-dotenv\n")
    cache = tmp_path / "cache"
    judged(project, cache)
    kept = "".join(path.read_text() for path in cache.rglob("*") if path.is_file())
    assert kept and leaks(kept, CANARY_KEY) == [] and CANARY_CORE not in kept
    assert "a-private-value-of-dotenv" not in kept


def test_every_corpus_project_gets_the_same_conclusions_from_the_memo_as_from_a_reading(tmp_path):
    """Code-usage's verdict and the models the live checks test, remembered and read back, for the
    whole code corpus (44 real-shaped projects, notebooks and bad inputs among them)."""
    async def conclusions(project: Path, cache: Path):  # noqa: ANN202
        ctx = make_ctx(project, environ=base_environ(XDG_CACHE_HOME=str(cache)), interpreter=facts(project))
        try:
            return await code_conclusions(ctx)
        finally:
            await ctx.aclose()

    compared = 0
    for source in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        project = tmp_path / source.name
        shutil.copytree(source, project)
        cache = tmp_path / "cache" / source.name
        read = asyncio.run(conclusions(project, cache))
        remembered = asyncio.run(conclusions(project, cache))
        assert remembered == read, source.name
        compared += bool(list(cache.rglob("*.json")))
    assert compared >= 40  # all but the few whose code names a value the redactor masks were remembered


def test_a_project_without_python_keeps_no_memo(tmp_path, readings):
    project = project_with(tmp_path, {"README.md": "# notes\n", "config.yaml": "a: 1\n"})
    cache = tmp_path / "cache"
    for _ in range(2):
        assert judged(project, cache).status.value == "skip"
    assert readings == [str(project)] * 2 and not (cache / "llm-doctor" / "code").exists()


def test_the_memo_is_private_and_a_link_in_its_place_is_never_written_through(tmp_path, readings):
    from doctor.project.user_cache import cache_file

    project = project_with(tmp_path, {"app.py": NO_DOTENV})
    cache = tmp_path / "cache"
    judged(project, cache)
    [memo] = (cache / "llm-doctor" / "code").iterdir()
    assert memo.stat().st_mode & 0o077 == 0  # it quotes the project's code: the user's alone
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep me\n")
    memo.unlink()
    memo.symlink_to(target)
    assert memo == cache_file("code", str(project.resolve()), {"XDG_CACHE_HOME": str(cache)})
    readings.clear()
    assert judged(project, cache).code == "dotenv-not-loaded"
    assert readings == [str(project)] and memo.is_symlink() and target.read_text() == "keep me\n"


def _copy_of_the_doctor(root: Path, installed: bool) -> tuple[Path, Path]:
    """doctor/, doctor/project/ and checks/ with one module each, as a checkout or an install lays them out."""
    package, checks = root / "doctor", root / "checks"
    for folder in (package / "project", checks):
        folder.mkdir(parents=True)
        (folder / "rules.py").write_text("RULE = 1\n")
    if installed:
        record = root / "llm_api_doctor-9.9.dist-info" / "RECORD"
        record.parent.mkdir()
        record.write_text("doctor/__init__.py,sha256=x,1\n")
    return package, checks


def test_an_edited_module_of_a_doctor_run_from_its_source_reads_the_code_afresh(tmp_path):
    package, checks = _copy_of_the_doctor(tmp_path, installed=False)
    before = code_memo.code_identity(package, checks, "9.9")
    assert code_memo.code_identity(package, checks, "9.9") == before
    (checks / "rules.py").write_text("RULE = 22\n")  # an edit of a rule, its time kept
    os.utime(checks / "rules.py", ns=(0, 0))
    assert code_memo.code_identity(package, checks, "9.9") != before
    assert code_memo.code_identity(package, checks, "10.0") != code_memo.code_identity(package, checks, "9.9")


def test_an_installed_doctor_is_known_by_its_install_record_which_a_reinstall_rewrites(tmp_path):
    package, checks = _copy_of_the_doctor(tmp_path, installed=True)
    record = tmp_path / "llm_api_doctor-9.9.dist-info" / "RECORD"
    before = code_memo.code_identity(package, checks, "9.9")
    os.utime(checks / "rules.py", ns=(10**18, 10**18))  # its modules are not looked at, one by one
    assert code_memo.code_identity(package, checks, "9.9") == before
    record.write_text("doctor/__init__.py,sha256=y,22\n")  # the same version installed again, from other files
    assert code_memo.code_identity(package, checks, "9.9") != before
    assert code_memo.code_identity(package, checks, "10.0") != before  # an upgrade has another record
