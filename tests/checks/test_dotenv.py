"""dotenv-present and dotenv-gitignored, on real files and real git repositories."""

from __future__ import annotations

from pathlib import Path

from checks.dotenv_file import dotenv_present
from checks.dotenv_git import dotenv_gitignored
from doctor.model import Status
from tests.conftest import CANARY_KEY, SHELL_CANARY, base_environ, facts, git, make_ctx, run_check, write_project


def present(project: Path, **env: str):
    return run_check(dotenv_present, make_ctx(project, environ=base_environ(**env), interpreter=facts(project)))


def test_present_passes_and_names_the_line(tmp_path):
    project = write_project(tmp_path, env=f"# my key\n\nOPENAI_API_KEY={CANARY_KEY}\n")
    result = present(project)
    assert result.status is Status.PASS
    assert result.message == "OPENAI_API_KEY from .env line 3"


def test_missing_dotenv_fails_and_offers_the_example(tmp_path):
    project = write_project(tmp_path)
    (project / ".env.example").write_text("OPENAI_API_KEY=sk-your-real-key-goes-here\n")
    result = present(project)
    assert (result.status, result.code) == (Status.FAIL, "dotenv-missing")
    assert result.fix.commands == ("cp .env.example .env",)


def test_missing_dotenv_with_a_shell_key_is_only_a_warning(tmp_path):
    result = present(write_project(tmp_path), OPENAI_API_KEY=SHELL_CANARY)
    assert (result.status, result.code) == (Status.WARN, "dotenv-missing")


def test_key_missing(tmp_path):
    result = present(write_project(tmp_path, env="OPENAI_KEY=abcdef123456\n"))
    assert (result.status, result.code) == (Status.FAIL, "key-missing")
    assert "OPENAI_KEY is (.env line 1)" in result.message
    assert result.fix.summary == "Rename OPENAI_KEY to OPENAI_API_KEY on .env line 1."


def test_empty_key_is_missing(tmp_path):
    result = present(write_project(tmp_path, env="OPENAI_API_KEY=\n"))
    assert result.code == "key-missing" and "empty" in result.message


def test_unparseable_key_line(tmp_path):
    result = present(write_project(tmp_path, env=f"OPENAI_API_KEY: {CANARY_KEY}\n"))
    assert result.code == "key-missing" and "drops that line" in result.message and "uses ':'" in result.message


def test_shell_key_shadows_dotenv(tmp_path):
    project = write_project(tmp_path, env=f"OPENAI_API_KEY={CANARY_KEY}\n")
    result = present(project, OPENAI_API_KEY=SHELL_CANARY)
    assert (result.status, result.code) == (Status.FAIL, "key-shadowed")
    assert result.fix.commands == ("unset OPENAI_API_KEY",)
    assert "shell" in result.message and ".env line 1" in result.message


def test_same_key_in_shell_and_dotenv_is_fine(tmp_path):
    project = write_project(tmp_path, env=f"OPENAI_API_KEY={CANARY_KEY}\n")
    assert present(project, OPENAI_API_KEY=CANARY_KEY).status is Status.PASS


def test_duplicate_key_lines_warn(tmp_path):
    result = present(write_project(tmp_path, env=f"OPENAI_API_KEY=old\nOPENAI_API_KEY={CANARY_KEY}\n"))
    assert (result.status, result.code) == (Status.WARN, "dotenv-duplicate-key")


# --- bad .env files: a clear finding, never a crash ------------------------------------

def _unreadable(tmp_path: Path, content: bytes) -> str:
    result = present(write_project(tmp_path, env=content))
    assert (result.status, result.code) == (Status.FAIL, "dotenv-unreadable")
    return result.message


def test_binary_dotenv(tmp_path):
    assert "binary" in _unreadable(tmp_path, b"\x7fELF\x00\x00\x01OPENAI")


def test_utf16_dotenv(tmp_path):
    assert "UTF-16" in _unreadable(tmp_path, f"OPENAI_API_KEY={CANARY_KEY}\n".encode("utf-16"))


def test_invalid_utf8_dotenv(tmp_path):
    assert "not valid UTF-8" in _unreadable(tmp_path, b"OPENAI_API_KEY=sk-\xff\xfe\xfa\n")


def test_huge_dotenv(tmp_path):
    assert "MB" in _unreadable(tmp_path, b"A=" + b"x" * (20 * 1024 * 1024))


def test_dotenv_that_is_a_directory(tmp_path):
    (tmp_path / ".env").mkdir()
    result = present(tmp_path)
    assert result.code == "dotenv-unreadable" and "directory" in result.message


def test_bom_crlf_and_export_are_read_like_python_dotenv(tmp_path):
    content = f"\ufeffexport OPENAI_API_KEY={CANARY_KEY}\r\nOTHER=1\r\n".encode()
    result = present(write_project(tmp_path, env=content))
    assert result.status is Status.PASS, result
    assert "byte order mark" in result.details[0]


def test_bom_with_an_old_python_dotenv_fails(tmp_path):
    project = write_project(tmp_path, env=f"\ufeffOPENAI_API_KEY={CANARY_KEY}\n".encode())
    old = facts(project, dists={"python-dotenv": "1.0.1"})
    result = run_check(dotenv_present, make_ctx(project, interpreter=old))
    assert (result.status, result.code) == (Status.FAIL, "dotenv-bom")


# --- dotenv-gitignored on real repositories --------------------------------------------

def gitignored(project: Path, **env: str):
    return run_check(dotenv_gitignored, make_ctx(project, environ=base_environ(**env)))


def test_gitignored_passes(healthy):
    assert gitignored(healthy).status is Status.PASS


def test_not_ignored(tmp_path):
    project = write_project(tmp_path, env=f"OPENAI_API_KEY={CANARY_KEY}\n")
    git(project, "init", "-q")
    result = gitignored(project)
    assert (result.status, result.code) == (Status.FAIL, "dotenv-not-ignored")
    assert result.fix.commands == ("printf '\\n%s\\n' .env >> .gitignore",)


def test_tracked_and_committed(tmp_path):
    project = write_project(tmp_path, env=f"OPENAI_API_KEY={CANARY_KEY}\n")
    git(project, "init", "-q")
    git(project, "add", ".env")
    git(project, "commit", "-qm", "oops")
    result = gitignored(project)
    assert result.status is Status.FAIL
    assert set(result.facts["codes"]) == {"dotenv-in-history", "dotenv-tracked"}
    tracked = next(f.fix for f in result.findings if f.code == "dotenv-tracked")
    assert tracked.summary.startswith("Revoke the key first")
    assert [step.split()[0] for step in tracked.steps] == ["Revoke", "Stop", "Ignore", "Commit"]
    assert tracked.commands == ("git rm --cached .env", "printf '\\n%s\\n' .env >> .gitignore")


def test_tracked_but_never_committed_needs_no_new_key(tmp_path):
    project = write_project(tmp_path, env=f"OPENAI_API_KEY={CANARY_KEY}\n")
    git(project, "init", "-q")
    git(project, "add", ".env")
    tracked = gitignored(project)
    assert tracked.code == "dotenv-tracked" and tracked.fix.summary.startswith("Stop tracking .env")
    assert not any("Revoke" in step for step in tracked.fix.steps)


def test_committed_once_then_removed_is_still_in_history(tmp_path):
    project = write_project(tmp_path, env="OPENAI_API_KEY=x\n")
    git(project, "init", "-q")
    git(project, "add", ".env")
    git(project, "commit", "-qm", "oops")
    git(project, "rm", "-q", "--cached", ".env")
    (project / ".gitignore").write_text(".env\n")
    git(project, "add", ".gitignore")
    git(project, "commit", "-qm", "fix")
    result = gitignored(project)
    assert (result.status, result.code) == (Status.FAIL, "dotenv-in-history")


def test_no_git_repository_is_a_warning(tmp_path):
    project = write_project(tmp_path / "plain", env="OPENAI_API_KEY=x\n")
    result = gitignored(project, GIT_CEILING_DIRECTORIES=str(tmp_path))
    assert (result.status, result.code) == (Status.WARN, "not-a-git-repo")


def test_no_git_installed_is_a_skip(tmp_path):
    result = gitignored(write_project(tmp_path), PATH=str(tmp_path / "empty-bin"))
    assert result.status is Status.SKIP and "git is not installed" in result.message


# -- configuration as the user's code sees it -------------------------------------------------------

def test_a_monorepo_root_env_is_the_users_env_and_named_by_its_path(tmp_path):
    root = write_project(tmp_path / "repo", env=f"OPENAI_API_KEY={CANARY_KEY}\n", gitignore=".env\n")
    project = root / "services" / "bot"
    project.mkdir(parents=True)
    git(root, "init", "-q")
    result = present(project)
    assert result.status is Status.PASS and result.message == "OPENAI_API_KEY from ../../.env line 1"
    ignored = run_check(dotenv_gitignored, make_ctx(project, interpreter=facts(project)))
    assert ignored.status is Status.PASS and "../../.env" in ignored.message
    (root / ".gitignore").write_text("")
    not_ignored = run_check(dotenv_gitignored, make_ctx(project, interpreter=facts(project)))
    assert not_ignored.code == "dotenv-not-ignored" and "../../.env" in not_ignored.message


def test_interpolation_is_evaluated_as_python_dotenv_does(tmp_path):
    from checks.key import key_format

    project = write_project(tmp_path, env="BASE_KEY=" + CANARY_KEY + "\nOPENAI_API_KEY=${BASE_KEY}\n")
    ctx = make_ctx(project, interpreter=facts(project))
    assert ctx.api_key.value == CANARY_KEY
    assert run_check(key_format, ctx).status is Status.PASS
    shell_wins = make_ctx(project, environ=base_environ(BASE_KEY=SHELL_CANARY), interpreter=facts(project))
    assert shell_wins.api_key.value == SHELL_CANARY  # ${VAR} prefers the shell, as load_dotenv() does


def test_an_unclosed_quote_that_swallows_the_key_says_close_the_quote(tmp_path):
    result = present(write_project(tmp_path, env=f'A=1\nOPENAI_API_KEY="{CANARY_KEY}\nB=2\n'))
    assert result.code == "key-missing" and "line 2" in result.message and "never closed" in result.message
    assert "close the quote" in result.fix.summary


def test_a_powershell_line_is_named_with_its_place_so_the_doctor_can_rewrite_it(tmp_path):
    result = present(write_project(tmp_path, env=f'A=1\n$env:OPENAI_API_KEY="{CANARY_KEY}"\n'))
    assert result.code == "key-missing" and "line 2 is a PowerShell line" in result.message
    assert result.problems[0].location[:2] == (".env", 2)


def test_an_empty_key_in_the_shell_hides_the_dotenv_one_and_the_fix_is_unset(tmp_path):
    result = present(write_project(tmp_path, env=f"OPENAI_API_KEY={CANARY_KEY}\n"), OPENAI_API_KEY="")
    assert result.code == "key-shadowed" and "empty" in result.message
    assert result.fix.commands == ("unset OPENAI_API_KEY",)
    alone = present(write_project(tmp_path / "b", env="A=1\n"), OPENAI_API_KEY="")
    assert alone.code == "key-missing" and alone.fix.commands == ("unset OPENAI_API_KEY",)


def test_the_standard_azure_setup_is_valid_without_openai_api_key(tmp_path):
    env = "AZURE_OPENAI_API_KEY=0123abcd" + "9f8e7d6c5b4a3210" * 1 + "fedcba98\n" \
          "AZURE_OPENAI_ENDPOINT=https://acme.openai.azure.com/\nOPENAI_API_VERSION=2024-10-21\n"
    result = present(write_project(tmp_path, env=env))
    assert result.status is Status.PASS and "acme.openai.azure.com" in result.message


# -- history: which commit, and whether the key in use is the one that leaked -------------------------

def _commit(project: Path, message: str, *paths: str) -> str:
    import subprocess

    git(project, "add", *paths)
    git(project, "commit", "-qm", message)
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=project, capture_output=True,
                          text=True).stdout.strip()


def test_history_names_the_commit_that_added_the_key_not_the_one_that_removed_it(tmp_path):
    project = write_project(tmp_path, env=f"OPENAI_API_KEY={CANARY_KEY}\n")
    git(project, "init", "-q")
    added = _commit(project, "oops", ".env")
    git(project, "rm", "-q", "--cached", ".env")
    (project / ".gitignore").write_text(".env\n")
    removed = _commit(project, "fix", ".gitignore")
    result = gitignored(project)
    assert (result.status, result.code) == (Status.FAIL, "dotenv-in-history")
    assert added in result.message and removed not in result.message
    assert not any("rm --cached" in c for c in result.fix.commands)  # .env is not tracked any more


def test_a_rotated_key_that_was_never_committed_is_not_told_to_be_revoked(tmp_path):
    project = write_project(tmp_path, env=f"OPENAI_API_KEY={SHELL_CANARY}\n")
    git(project, "init", "-q")
    _commit(project, "oops", ".env")
    git(project, "rm", "-q", "--cached", ".env")
    (project / ".gitignore").write_text(".env\n")
    _commit(project, "fix", ".gitignore")
    (project / ".env").write_text(f"OPENAI_API_KEY={CANARY_KEY}\n")  # the new key, after rotation
    result = gitignored(project)
    assert (result.status, result.code) == (Status.WARN, "dotenv-in-history")
    assert "never committed" in result.message


def test_a_dotenv_variant_holding_a_secret_must_be_ignored_too(tmp_path):
    project = write_project(tmp_path, env=f"OPENAI_API_KEY={CANARY_KEY}\n", gitignore=".env\n")
    (project / ".env.local").write_text(f"OPENAI_API_KEY={SHELL_CANARY}\n")
    (project / ".env.example").write_text("OPENAI_API_KEY=sk-your-real-key-goes-here\n")
    git(project, "init", "-q")
    result = gitignored(project)
    assert result.code == "dotenv-not-ignored" and ".env.local" in result.message
    assert not any(".env.example" in f.message for f in result.findings)


def test_the_ignore_command_runs_as_written_on_a_gitignore_without_a_last_newline(tmp_path):
    """`echo ".env" >> .gitignore` glued .env to the last pattern (`.venv/.env`), which covers neither: the
    next run gave the same command, a loop."""
    import subprocess

    from checks import guide

    (tmp_path / ".gitignore").write_text(".venv/")
    subprocess.run(["/bin/sh", "-c", guide.ignore_command(".env")], cwd=tmp_path, check=True)
    assert (tmp_path / ".gitignore").read_text().splitlines() == [".venv/", ".env"]


def test_the_activation_line_runs_in_a_posix_sh(tmp_path):
    import subprocess
    import sys

    from checks import guide

    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / ".venv")], check=True)
    line = guide.activate_command(".venv", {"SHELL": "/bin/sh"}, "linux")
    done = subprocess.run(["/bin/sh", "-c", f'{line} && echo "$VIRTUAL_ENV"'], cwd=tmp_path, capture_output=True,
                          text=True)
    assert done.returncode == 0 and done.stdout.strip().endswith(".venv"), done.stderr
