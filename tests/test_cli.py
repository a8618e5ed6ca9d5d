"""End to end: the real command line in a subprocess, on real temporary projects."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import jsonschema
import pytest

from checks import guide
from tests.conftest import CANARY_CORE, CANARY_KEY, SHELL_CANARY, base_environ, doctor_cli, git, write_project

SCHEMA = json.loads((Path(__file__).parents[1] / "doctor" / "render" / "report.schema.json").read_text())


def env_for(project: Path, **extra: str) -> dict[str, str]:
    return base_environ(VIRTUAL_ENV=sys.prefix, **extra)


def check(project: Path, *args: str, **env: str):
    """The offline run on a real project (live checks are tested against the sandbox elsewhere)."""
    return doctor_cli("check", "--offline", "--project", str(project), "--python", sys.executable, *args,
                      env=env_for(project, **env))


def test_healthy_project_passes(project):
    done = check(project, "--offline")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No problems found" in done.stdout and done.stderr == ""


def test_json_is_one_document_matching_the_schema(project):
    done = check(project, "--offline", "--format", "json")
    document = json.loads(done.stdout)
    jsonschema.validate(document, SCHEMA)
    assert document["summary"]["exit_code"] == done.returncode == 0
    assert [c["id"] for c in document["checks"]][:3] == ["python-version", "venv-active", "packages-pinned"]


def test_failures_exit_1_and_json_carries_codes_and_fixes(project):
    (project / ".env").write_text("OPENAI_API_KEY=sk-your-real-key-goes-here\n")
    done = check(project, "--offline", "--format", "json")
    assert done.returncode == 1
    jsonschema.validate(json.loads(done.stdout), SCHEMA)
    by_id = {c["id"]: c for c in json.loads(done.stdout)["checks"]}
    assert by_id["key-format"]["code"] == "key-placeholder"
    assert by_id["key-format"]["fix"]["guide"] == guide.TROUBLESHOOTING


def test_strict_turns_warnings_into_failure(project):
    (project / "requirements.txt").unlink()
    assert check(project, "--offline").returncode == 0
    assert check(project, "--offline", "--strict").returncode == 1


def test_only_and_skip(project):
    done = check(project, "--only", "key-format,dotenv-present", "--format", "json")
    assert [c["id"] for c in json.loads(done.stdout)["checks"]] == ["dotenv-present", "key-format"]
    done = check(project, "--skip", "dotenv-gitignored", "--format", "json")
    assert "dotenv-gitignored" not in done.stdout


@pytest.mark.parametrize("args,message", [
    (["--only", "nope"], "unknown check id: nope"),
    (["--timeout", "-3"], "must be greater than 0"),
    (["--timeout", "0"], "must be greater than 0"),
    (["--timeout", "inf"], "at most 3600"),
    (["--timeout", "nan"], "at most 3600"),
    (["--format", "yaml"], "invalid choice"),
    (["--prompt-file", "missing.txt"], "no such file"),
])
def test_usage_errors_exit_2_with_one_clear_line(project, args, message):
    done = check(project, *args)
    assert done.returncode == 2 and done.stdout == ""
    assert message in done.stderr


def test_project_that_does_not_exist(tmp_path):
    done = doctor_cli("check", "--project", str(tmp_path / "nowhere"))
    assert done.returncode == 2 and "does not exist" in done.stderr and "Traceback" not in done.stderr


def test_python_path_that_does_not_exist(project):
    done = doctor_cli("check", "--project", str(project), "--python", str(project / "nope" / "python"))
    assert done.returncode == 2 and "no such file" in done.stderr


def test_broken_interpreter_is_a_finding(project, tmp_path):
    broken = tmp_path / "python"
    broken.write_text("#!/bin/sh\necho 'error while loading shared libraries' >&2\nexit 127\n")
    broken.chmod(0o755)
    done = doctor_cli("check", "--offline", "--project", str(project), "--python", str(broken), "--format", "json",
                      env=env_for(project))
    by_id = {c["id"]: c for c in json.loads(done.stdout)["checks"]}
    assert by_id["python-version"]["code"] == "interpreter-broken"
    assert "shared libraries" in by_id["python-version"]["message"]
    assert by_id["venv-active"]["status"] == "skip"
    assert done.returncode == 1


@pytest.mark.parametrize("value", ["'soon'", "inf", "nan", "true", "1e300", "0", "-1"])
def test_a_bad_timeout_in_pyproject_is_a_usage_error_like_the_flag(project, value):
    (project / "pyproject.toml").write_text(f"[tool.llm-doctor]\ntimeout = {value}\n")
    done = check(project)
    assert done.returncode == 2, done.stdout
    assert "timeout must be a number of seconds greater than 0 and at most 3600" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize("text", ['tool = "x"\n', "a = " + "[" * 3000 + "]" * 3000 + "\n", "[tool\n", "\xff\xfe"])
def test_a_pyproject_that_cannot_be_read_is_no_usage_error(project, text):
    (project / "pyproject.toml").write_bytes(text.encode("utf-8", "surrogateescape") if text != "\xff\xfe"
                                             else b"\xff\xfe[tool]")
    done = check(project, "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    jsonschema.validate(json.loads(done.stdout), SCHEMA)


def test_pyproject_config_skips_checks_with_the_reason(project):
    (project / "pyproject.toml").write_text(
        '[tool.llm-doctor]\nskip = [{id = "dotenv-gitignored", reason = "the key comes from CI secrets"}]\n')
    by_id = {c["id"]: c for c in json.loads(check(project, "--format", "json").stdout)["checks"]}
    assert by_id["dotenv-gitignored"]["status"] == "skip"
    assert by_id["dotenv-gitignored"]["message"] == "skipped by [tool.llm-doctor]: the key comes from CI secrets"
    forced = json.loads(check(project, "--format", "json", "--only", "dotenv-gitignored").stdout)
    assert forced["checks"][0]["status"] == "pass"  # a flag overrides the project's configuration


def test_pyproject_config_counts_codes_as_warnings(project):
    (project / ".env").write_text("OPENAI_API_KEY=sk-your-real-key-goes-here\n")
    assert check(project).returncode == 1
    (project / "pyproject.toml").write_text(
        '[tool.llm-doctor]\nreason = "the demo key is a placeholder on purpose"\nwarn = ["key-placeholder"]\n')
    done = check(project, "--format", "json")
    key = next(c for c in json.loads(done.stdout)["checks"] if c["id"] == "key-format")
    assert key["status"] == "warn" and key["code"] == "key-placeholder"
    assert "key-placeholder counted as a warning by [tool.llm-doctor]: the demo key is a placeholder on purpose" \
        in key["details"]
    assert [f["status"] for f in key["findings"]] == ["warn"]
    assert done.returncode == 0


def test_an_excused_code_does_not_excuse_the_other_failures_of_its_check():
    from doctor.model import Finding, Status, from_findings
    from doctor.settings import ProjectConfig, downgrade

    result = from_findings([Finding(Status.FAIL, "dotenv-tracked", "tracked"),
                            Finding(Status.FAIL, "dotenv-in-history", "committed")], "")
    config = ProjectConfig(warn={"dotenv-tracked": "a throwaway key"})
    kept = downgrade(result, config)
    assert kept.status is Status.FAIL and kept.code == "dotenv-in-history"  # it still fails, and now leads
    assert {f.code: f.status for f in kept.findings} == {"dotenv-tracked": Status.WARN,
                                                         "dotenv-in-history": Status.FAIL}
    both = downgrade(result, ProjectConfig(warn={"dotenv-tracked": "a", "dotenv-in-history": "b"}))
    assert both.status is Status.WARN and all(f.status is Status.WARN for f in both.findings)


@pytest.mark.parametrize("table,message", [
    ("skip = ['nope']", "unknown check id: nope"),
    ("warn = [3]", "warn entries are code strings"),
    ("colour = 'blue'", "unknown keys in [tool.llm-doctor]: colour"),
])
def test_bad_pyproject_config(project, table, message):
    (project / "pyproject.toml").write_text(f"[tool.llm-doctor]\n{table}\n")
    done = check(project)
    assert done.returncode == 2 and message in done.stderr


def _tree(root: Path) -> dict[str, tuple[float, str]]:
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            out[str(path.relative_to(root))] = (path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
    return out


def test_the_doctor_writes_nothing_into_the_project(project):
    git(project, "add", ".gitignore")
    before = _tree(project)
    for fmt in ("text", "json"):
        check(project, "--format", fmt, "-v")
    assert _tree(project) == before


def test_canary_keys_appear_in_no_output(project):
    """The key in .env and a different one in the shell: every format, verbose, never shown."""
    for fmt in ("text", "json"):
        done = check(project, "--format", fmt, "-v", OPENAI_API_KEY=SHELL_CANARY, FORCE_COLOR="1")
        out = done.stdout + done.stderr
        assert "key-shadowed" in out
        for secret in (CANARY_KEY, SHELL_CANARY, CANARY_CORE, SHELL_CANARY[12:-6]):
            assert secret not in out


def test_colour_follows_the_terminal_and_no_color(project):
    assert "\x1b[" not in check(project).stdout  # a pipe is not a terminal
    assert "\x1b[" in check(project, FORCE_COLOR="1").stdout
    assert "\x1b[" not in check(project, FORCE_COLOR="1", NO_COLOR="1").stdout
    assert "\x1b[" not in check(project, "--no-color", FORCE_COLOR="1").stdout


@pytest.mark.parametrize("command", [["check"], []], ids=["check", "no command, not a terminal"])
def test_offline_run_imports_no_textual_openai_or_httpx(project, command):
    code = (
        "import sys, io; from doctor.cli import main; out = io.StringIO();"
        f"main({command!r} + ['--offline', '--project', {str(project)!r}, '--python', {sys.executable!r}], stdout=out);"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'openai', 'httpx', 'rich'}));"
        "print('No problems found' in out.getvalue())"
    )
    import subprocess

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env_for(project))
    assert done.stdout.split() == ["[]", "True"], done.stderr


def test_list_and_explain():
    from checks import ALL_CHECKS

    listing = doctor_cli("list").stdout
    assert all(c.id in listing for c in ALL_CHECKS)
    done = doctor_cli("explain", "key-shadowed")
    assert done.returncode == 0 and "load_dotenv" in done.stdout


def test_list_says_what_each_live_check_and_the_whole_run_sends():
    import json

    from checks import ALL_CHECKS

    listing = doctor_cli("list").stdout
    assert "sends: 1 streamed chat completion, max_tokens=16" in listing
    assert "at most 3 chat completions, 72 max_tokens in all" in listing and "--offline sends nothing" in listing
    rows = {row["id"]: row for row in json.loads(doctor_cli("list", "--format", "json").stdout)}
    assert all(bool(rows[c.id]["sends"]) == c.live for c in ALL_CHECKS)  # every live check says, no offline one


def test_version_and_module_entry_point():
    from doctor import __version__

    assert doctor_cli("--version").stdout.strip() == f"llm-doctor {__version__}"


def test_the_command_line_ends_without_teardown_but_loses_no_output(tmp_path):
    """The process ends with os._exit after the run: what is buffered for a file reaches it whole,
    and the exit code is the run's."""
    import json
    import subprocess

    written = tmp_path / "list.json"
    with written.open("w") as out:
        done = subprocess.run([sys.executable, "-m", "doctor", "list", "--format", "json"], stdout=out,
                              stderr=subprocess.PIPE, text=True, env=base_environ())
    assert done.returncode == 0, done.stderr
    assert len(json.loads(written.read_text())) == 16  # all of it sat in the file buffer until the end
    assert doctor_cli("check", "--only", "no-such-check").returncode == 2


def test_version_and_help_answer_without_loading_the_engine():
    import subprocess

    code = ("import sys; from doctor.cli import main\n"
            "for argv in (['--version'], ['--help']):\n"
            "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
            "print(sorted(m for m in ('asyncio', 'doctor.context', 'checks') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip().endswith("[]"), done.stderr


def test_no_engine_or_check_module_imports_textual():
    """checks/, the engine, the renderers and the CLI stay importable without textual."""
    import subprocess

    code = (
        "import importlib, pkgutil, sys, checks, doctor, doctor.render, doctor.commands\n"
        "for package in (checks, doctor, doctor.render, doctor.commands):\n"
        "    for info in pkgutil.iter_modules(package.__path__, package.__name__ + '.'):\n"
        "        if info.name not in ('doctor.__main__', 'doctor.tui'):\n"
        "            importlib.import_module(info.name)\n"
        "print('textual' in sys.modules, 'openai' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False False", done.stderr


def test_the_tui_paints_before_loading_what_only_a_running_check_needs():
    """The app and the registry load neither packaging nor the Context: the first frame waits for neither."""
    import subprocess

    code = ("import sys, checks, doctor.session, doctor.tui.app\n"
            "print(sorted(m for m in ('packaging', 'doctor.context', 'dotenv', 'httpx') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr


def test_a_crashed_check_exits_3_with_its_traceback_on_stderr_only_with_v(tmp_path, capsys):
    """The data formats keep stdout one document; -v puts the (redacted) traceback on stderr."""
    import argparse
    import asyncio
    import io

    from doctor.cli import DEFAULTS
    from doctor.commands.check import diagnose
    from tests.conftest import make_ctx
    from tests.test_runner import fake

    ctx = make_ctx(write_project(tmp_path, env=f"OPENAI_API_KEY={CANARY_KEY}\n"))
    for verbose in (False, True):
        args = argparse.Namespace(**{**DEFAULTS, "format": "json", "verbose": verbose})
        out = io.StringIO()
        code = asyncio.run(diagnose(ctx, [fake("boom", boom=True)], args, {}, out))
        err = capsys.readouterr().err
        assert code == 3 and json.loads(out.getvalue())["checks"][0]["code"] == "check-crashed"
        assert ("Traceback" in err) is verbose
        assert CANARY_KEY not in out.getvalue() + err


# A value for each option that takes one, to try every option a command's help offers.
OPTION_VALUES = {"--format": "json", "--project": ".", "--python": sys.executable, "--only": "key-format",
                 "--skip": "key-format", "--model": "gpt-4o-mini", "--base-url": "https://api.openai.com/v1",
                 "--timeout": "5", "--prompt-file": "prompt.txt", "--output": "report.md", "--latency": "0",
                 "--error": "error.txt"}


def _help(capsys, *argv: str) -> str:
    from doctor.cli import parse_args

    with pytest.raises(SystemExit):
        parse_args([*argv, "--help"])
    return capsys.readouterr().out


@pytest.mark.parametrize("command", ["check", "list", "explain", "report", "demo"])
def test_every_help_describes_its_command_and_offers_only_what_it_accepts(capsys, command):
    """A help that offers an option the command then rejects sends the user round in circles."""
    from doctor.cli import parse_args

    text = _help(capsys, command)
    assert text.split("\n\n")[1].strip().endswith("."), text  # a description under the usage line
    offered = set(re.findall(r"(--[a-z][a-z-]+)", text.split("options:")[1])) - {"--help", "--version"}
    for flag in offered:
        parse_args([command, flag, *([OPTION_VALUES[flag]] if flag in OPTION_VALUES else [])])


def test_report_and_demo_help_leave_out_what_they_cannot_do(capsys):
    report, demo, listing = _help(capsys, "report"), _help(capsys, "demo"), _help(capsys, "list")
    assert "{markdown,json}" in report and not {"--fix", "--yes", "junit", "--no-color"} & set(report.split())
    assert not {"--project", "--python", "--base-url", "--fix"} & set(demo.split())
    assert "{text,json}" in listing


@pytest.mark.parametrize("argv,message", [
    (["report", "--fix"], "--fix does not apply to `llm-doctor report`"),
    (["--fix", "report"], "--fix does not apply to `llm-doctor report`"),
    (["--format", "junit", "report"], "`llm-doctor report` prints markdown or json, not junit"),
    (["demo", "--project", "."], "--project does not apply to `llm-doctor demo`"),
    (["list", "--format", "markdown"], "invalid choice: 'markdown'"),
    (["report", "--timeout", "0"], "must be greater than 0"),
    (["demo", "--timeout", "0"], "must be greater than 0"),
])
def test_an_option_a_command_does_not_take_is_a_usage_error(argv, message):
    done = doctor_cli(*argv)
    assert done.returncode == 2 and message in done.stderr and done.stdout == ""


REPORT_NOTICE = "the report runs the live checks: they send requests to the API with your key, and spend a few tokens"


@pytest.mark.parametrize("offline", [False, True])
def test_report_says_before_it_starts_that_it_spends_tokens_unless_offline(project, tmp_path, offline):
    """A user asked by support to run `report` should know first that it calls the API with their key."""
    unreachable = ("--only", "api-auth,json-mode", "--base-url", "http://127.0.0.1:9/v1")  # refused at once
    out = tmp_path / "report.md"
    done = doctor_cli("report", "--project", str(project), "--python", sys.executable, *unreachable, "-o", str(out),
                      *(["--offline"] if offline else []), env=env_for(project))
    assert out.exists(), done.stderr
    if offline:
        assert REPORT_NOTICE not in done.stderr
    else:
        assert done.stderr.index(REPORT_NOTICE) < done.stderr.index("Add --offline") < done.stderr.index("wrote")


@pytest.mark.parametrize("typed,meant", [("chek", "check"), ("lsit", "list"), ("explian", "explain")])
def test_a_mistyped_command_names_the_one_meant(typed, meant):
    done = doctor_cli(typed)
    assert done.returncode == 2 and f"did you mean `llm-doctor {meant}`?" in done.stderr


def test_a_word_like_no_command_gets_no_guess():
    done = doctor_cli("xyzzy")
    assert done.returncode == 2 and "invalid choice" in done.stderr and "did you mean" not in done.stderr


@pytest.mark.parametrize("command", ["check", "list", "explain", "report", "demo"])
def test_version_is_accepted_wherever_help_is(command):
    done = doctor_cli(command, "--version")
    assert done.returncode == 0 and done.stdout.startswith("llm-doctor ")
