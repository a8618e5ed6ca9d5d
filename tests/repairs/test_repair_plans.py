"""The repairs as fixes on real files: one plan per file and level, applied with a backup, and the bad
inputs the issue names, each left exactly as it was (no plan, or a refusal at apply time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from doctor import fixes
from doctor.fixes.registry import FixInputs, plan
from doctor.model import Finding, Status
from doctor.project.tools import Tool
from tests.conftest import CANARY_KEY, base_environ, doctor_cli, git, write_project

LEGACY = ('import os\nimport openai\n\nopenai.api_key = os.getenv("OPENAI_API_KEY")\n\n'
          'reply = openai.ChatCompletion.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])\n'
          'print(reply["choices"][0]["message"]["content"])\n')


def inputs(project, *found: tuple[str, str, int | None]) -> FixInputs:
    findings = tuple(Finding(Status.FAIL, code, code, location=(file, line)) for code, file, line in found)
    return FixInputs(project, frozenset(code for code, _, _ in found), Tool("pip"), findings=findings)


def project_with(tmp_path, files: dict[str, str | bytes], env: str = f"OPENAI_API_KEY={CANARY_KEY}\n"):
    project = write_project(tmp_path / "p", env=env)
    git(project, "init", "-q")  # backups go into .git, never into the real home folder
    for name, content in files.items():
        (project / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    return project


def test_safe_and_unsafe_plans_of_one_file_apply_in_turn_with_a_backup_each(tmp_path):
    source = LEGACY.replace("import openai\n", "import openai\nfrom openai.error import InvalidRequestError\n")
    project = project_with(tmp_path, {"ask.py": source})
    found = inputs(project, ("dotenv-not-loaded", "ask.py", 5), ("code-pre-v1", "ask.py", 7))
    safe = plan(found)
    assert [p.safety for p in safe] == ["safe"] and "load_dotenv()" in safe[0].after
    assert "openai.ChatCompletion" in safe[0].after  # the port renames an exception: not safe
    both = plan(found, unsafe=True)
    assert [p.safety for p in both] == ["safe", "unsafe"] and both[1].before == both[0].after
    backups = [fixes.apply(p, project) for p in both]
    assert [b.read_text() for b in backups] == [source, both[0].after]
    written = (project / "ask.py").read_text()
    assert "client.chat.completions.create(" in written and "load_dotenv()" in written
    assert "BadRequestError as InvalidRequestError" in written
    assert plan(inputs(project, ("code-pre-v1", "ask.py", 9)), unsafe=True) == []  # nothing left: idempotent


BAD_CODE = {
    "does-not-parse": b"import openai\nreply = openai.ChatCompletion.create(model='m'\n",
    "python-2": b"import openai\nprint 'hi'\nreply = openai.ChatCompletion.create(model='m', messages=[])\n",
    "not-utf-8": "import openai\n# caf\xe9\nreply = openai.ChatCompletion.create(model='m', messages=[])\n"
                 .encode("latin-1"),
}


@pytest.mark.parametrize("kind", sorted(BAD_CODE))
def test_code_the_doctor_cannot_read_as_python_3_text_gets_no_plan(tmp_path, kind):
    project = project_with(tmp_path, {"ask.py": BAD_CODE[kind]})
    assert plan(inputs(project, ("code-pre-v1", "ask.py", 2), ("client-no-timeout", "ask.py", 2)), True) == []
    assert (project / "ask.py").read_bytes() == BAD_CODE[kind]


def test_a_read_only_file_gets_no_plan(tmp_path):
    project = project_with(tmp_path, {"ask.py": LEGACY})
    os.chmod(project / "ask.py", 0o444)
    assert plan(inputs(project, ("code-pre-v1", "ask.py", 6)), True) == []
    assert (project / "ask.py").read_text() == LEGACY


def test_a_symlink_out_of_the_project_is_never_read_or_written(tmp_path):
    outside = tmp_path / "elsewhere.py"
    outside.write_text(LEGACY)
    project = project_with(tmp_path, {})
    (project / "ask.py").symlink_to(outside)
    (tmp_path / "secret.env").write_text('OPENAI_API_KEY=" sk-abc "\n')
    (project / ".env").unlink()
    (project / ".env").symlink_to(tmp_path / "secret.env")
    found = inputs(project, ("code-pre-v1", "ask.py", 6), ("key-whitespace", ".env", 1))
    assert plan(found, True) == []
    assert outside.read_text() == LEGACY and (tmp_path / "secret.env").read_text() == 'OPENAI_API_KEY=" sk-abc "\n'


def test_a_file_changed_after_the_preview_is_not_written_and_keeps_the_users_change(tmp_path):
    project = project_with(tmp_path, {"ask.py": LEGACY})
    planned = plan(inputs(project, ("code-pre-v1", "ask.py", 6)))
    (project / "ask.py").write_text(LEGACY + "# edited meanwhile\n")
    with pytest.raises(fixes.StaleFix):
        fixes.apply(planned[0], project)
    assert (project / "ask.py").read_text() == LEGACY + "# edited meanwhile\n"


def test_a_write_that_fails_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    project = project_with(tmp_path, {"ask.py": LEGACY})
    planned = plan(inputs(project, ("code-pre-v1", "ask.py", 6)))[0]

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("doctor.atomic.os.replace", full_disk)
    with pytest.raises(OSError):
        fixes.apply(planned, project)
    assert (project / "ask.py").read_text() == LEGACY
    assert sorted(p.name for p in project.iterdir()) == [".env", ".git", "ask.py"]  # no temporary file left


def test_crlf_and_tabs_survive_a_repair_byte_for_byte_outside_the_change(tmp_path):
    source = LEGACY.replace("\n", "\r\n").replace("print(", "if True:\r\n\tprint(")
    project = project_with(tmp_path, {"ask.py": source.encode()})
    planned = plan(inputs(project, ("code-pre-v1", "ask.py", 6)))[0]
    fixes.apply(planned, project)
    written = (project / "ask.py").read_bytes()
    assert b"\n" not in written.replace(b"\r\n", b"") and b"\tprint(reply.choices[0].message.content)" in written


def test_a_notebooks_cells_are_repaired_in_place_and_its_outputs_are_kept(tmp_path):
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Try the API\n"]},
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": ["%pip install openai\n"],
         "outputs": []},
        {"cell_type": "code", "execution_count": 2, "metadata": {},
         "source": LEGACY.splitlines(keepends=True),
         "outputs": [{"name": "stdout", "output_type": "stream", "text": ["reply[\"choices\"] printed\n"]}]},
    ]
    book = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    text = json.dumps(book, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    project = project_with(tmp_path, {"try.ipynb": text})
    planned = plan(inputs(project, ("code-pre-v1", "try.ipynb", 6), ("dotenv-not-loaded", "try.ipynb", 4)))
    assert len(planned) == 1
    fixes.apply(planned[0], project)
    after = json.loads((project / "try.ipynb").read_text())
    assert after["cells"][2]["outputs"] == cells[2]["outputs"] and after["cells"][:2] == cells[:2]
    code = "".join(after["cells"][2]["source"])
    assert "load_dotenv()" in code and "client.chat.completions.create(" in code and '["choices"]' not in code


def test_a_notebook_not_in_jupyters_own_layout_is_left_alone(tmp_path):
    book = {"cells": [{"cell_type": "code", "metadata": {}, "source": LEGACY, "outputs": [],
                       "execution_count": None}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    project = project_with(tmp_path, {"try.ipynb": json.dumps(book)})  # one line: a diff would show it all
    assert plan(inputs(project, ("code-pre-v1", "try.ipynb", 1))) == []


def test_dotenv_repairs_chain_into_one_plan_and_a_rename_is_unsafe(tmp_path):
    env = f'A=1\nOPENAI_API_KEY="{CANARY_KEY}\nOPENAI_KEY={CANARY_KEY}\n'
    project = project_with(tmp_path, {}, env=env)
    found = inputs(project, ("key-missing", ".env", 2))
    assert plan(found)[0].after == f'A=1\nOPENAI_API_KEY="{CANARY_KEY}"\nOPENAI_KEY={CANARY_KEY}\n'
    project2 = project_with(tmp_path / "two", {}, env=f"A=1\nOPENAI_KEY={CANARY_KEY}\n")
    renamed = plan(inputs(project2, ("key-missing", ".env", 2)), unsafe=True)
    assert [(p.safety, p.after) for p in renamed] == [("unsafe", f"A=1\nOPENAI_API_KEY={CANARY_KEY}\n")]


def test_a_powershell_line_found_by_the_check_is_rewritten_by_the_safe_fix(tmp_path):
    from checks.dotenv_file import dotenv_present
    from tests.conftest import make_ctx, run_check

    project = project_with(tmp_path, {}, env=f'$env:OPENAI_API_KEY="{CANARY_KEY}"\r\n')
    result = run_check(dotenv_present, make_ctx(project, environ=base_environ()))
    found = FixInputs(project, frozenset({result.code}), Tool("pip"), findings=result.problems)
    assert [p.after for p in plan(found)] == [f'OPENAI_API_KEY="{CANARY_KEY}"\r\n']


def test_a_name_the_code_reads_becomes_the_env_files_name(tmp_path):
    code = 'import os\nfrom openai import OpenAI\nclient = OpenAI(api_key=os.environ["OPENAI_API_KEY"])\n'
    project = project_with(tmp_path, {"ask.py": code}, env=f"OPENAI_APIKEY={CANARY_KEY}\n")
    renamed = plan(inputs(project, ("env-name-mismatch", "ask.py", 3)), unsafe=True)
    assert renamed[0].after == f"OPENAI_API_KEY={CANARY_KEY}\n"


def test_duplicate_keys_that_interpolation_reads_get_no_plan(tmp_path):
    env = "OPENAI_API_KEY=sk-old\nCOPY=${OPENAI_API_KEY}\nOPENAI_API_KEY=sk-new\n"
    project = project_with(tmp_path, {}, env=env)
    assert plan(inputs(project, ("dotenv-duplicate-key", ".env", 1)), True) == []
    assert (project / ".env").read_text() == env


def test_a_committed_env_is_untracked_and_ignored_and_its_fix_says_to_revoke_the_key_first(tmp_path):
    project = project_with(tmp_path, {"ask.py": "print('hi')\n"})
    git(project, "add", ".env", "ask.py")
    git(project, "commit", "-qm", "oops")
    env = base_environ(VIRTUAL_ENV=sys.prefix)
    args = ("check", "--offline", "--only", "dotenv-gitignored", "--project", str(project), "--python",
            sys.executable)
    report = json.loads(doctor_cli(*args, "--format", "json", env=env).stdout)
    tracked = next(f for c in report["checks"] for f in c["findings"] if f["code"] == "dotenv-tracked")
    assert tracked["file"] == ".env"
    done = doctor_cli(*args, "--fix", "--yes", env=env)
    assert "then runs: git rm --cached .env" in done.stderr and CANARY_KEY[12:30] not in done.stderr
    listed = subprocess.run(["git", "ls-files"], cwd=project, capture_output=True, text=True).stdout
    assert listed.split() == ["ask.py"] and (project / ".env").read_text() == f"OPENAI_API_KEY={CANARY_KEY}\n"
    assert (project / ".gitignore").read_text() == ".env\n"
    again = json.loads(doctor_cli(*args, "--format", "json", env=env).stdout)["checks"][0]
    assert [f["code"] for f in again["findings"]] == ["dotenv-in-history"]  # revoking stays the user's step


def test_fix_output_of_dotenv_and_code_repairs_shows_no_part_of_the_key_and_reaches_a_clean_run(tmp_path):
    """A misnamed key in curly quotes and a script that never loads .env: the rename (unsafe) and the
    quotes go in the first round; .env's loading is found, and added, in the second; the third is clean."""
    from tests.conftest import leaks

    code = ("import os\nfrom openai import OpenAI\n\nclient = OpenAI(timeout=9)\n"
            "reply = client.chat.completions.create(model='gpt-4o-mini', messages=[], max_tokens=9)\n")
    project = project_with(tmp_path, {"ask.py": code, ".gitignore": ".env\n"},
                           env=f'OPENAI_KEY=\u201c{CANARY_KEY}\u201d\n')
    env = base_environ(VIRTUAL_ENV=sys.prefix)
    args = ("check", "--offline", "--only", "dotenv-present,key-format,code-usage", "--project", str(project),
            "--python", sys.executable)
    before = doctor_cli(*args, "--format", "json", env=env)
    fixes_offered = {c["code"]: c["fix"] for c in json.loads(before.stdout)["checks"] if c["fix"]}
    assert fixes_offered["key-missing"]["applicability"] == "unsafe"  # the rename
    assert fixes_offered["key-missing"]["commands"][0].startswith("llm-doctor check --fix --unsafe-fixes --yes")
    rounds = [doctor_cli(*args, "--fix", "--unsafe-fixes", "--yes", "--format", "json", env=env) for _ in range(2)]
    said = before.stdout + "".join(done.stdout + done.stderr for done in rounds)
    assert not leaks(said, CANARY_KEY)
    assert "[unsafe]" in rounds[0].stderr  # the rename was shown as unsafe before it was applied
    assert (project / ".env").read_text() == f"OPENAI_API_KEY={CANARY_KEY}\n"
    assert "from dotenv import load_dotenv\nload_dotenv()\n" in (project / "ask.py").read_text()
    final = json.loads(doctor_cli(*args, "--format", "json", env=env).stdout)
    assert [c["status"] for c in final["checks"]] == ["pass", "pass", "pass"], final


def test_untracking_starts_from_the_gitignore_fix_listed_before_it_so_both_apply(tmp_path):
    project = project_with(tmp_path, {".env.local": "OPENAI_API_KEY=x\n", ".gitignore": "build/"})
    git(project, "add", ".env")
    planned = plan(inputs(project, ("dotenv-not-ignored", ".gitignore", None), ("dotenv-tracked", ".env", None)))
    assert [p.path.name for p in planned] == [".gitignore", ".gitignore"]
    assert planned[1].before == planned[0].after == "build/\n.env\n" and planned[1].after == planned[1].before
    for each in planned:
        fixes.apply(each, project)
    listed = subprocess.run(["git", "ls-files"], cwd=project, capture_output=True, text=True).stdout
    assert listed == "" and (project / ".gitignore").read_text() == "build/\n.env\n"


def test_untracking_that_fails_half_way_says_what_changed_and_what_is_left(tmp_path):
    project = project_with(tmp_path, {})
    git(project, "add", ".env")
    planned = plan(inputs(project, ("dotenv-tracked", ".env", None)))[0]
    git(project, "rm", "-q", "--cached", ".env")  # someone untracked it meanwhile: git rm now fails
    with pytest.raises(fixes.CommandFailed) as failed:
        fixes.apply(planned, project)
    said = str(failed.value)
    assert ".gitignore was" in said and "`git rm --cached .env` failed" in said and "run `git rm --cached .env` again" \
        in said
    assert (project / ".gitignore").read_text() == ".env\n" and (project / ".env").is_file()
