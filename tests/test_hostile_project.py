"""Every hostile input of a project at once (a .env of 1 MB of references, a 2 MB lock, 100,000
repeated -r lines, 20,000 declared dependencies): the offline run reports, under 1 GB of memory."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import base_environ, git, write_project
from tests.test_record_hostile import _uv_lock


@pytest.mark.skipif(sys.platform == "win32", reason="ulimit")
@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_a_project_of_every_hostile_input_reports_within_memory(tmp_path, fmt):
    env = "A=" + "${" * 200_000 + "\n" + "".join(f"V{i}=${{V{i - 1}}}x\n" for i in range(1, 40_000))
    project = write_project(tmp_path / "p", env=env[:1_000_000], requirements="-r missing.txt\n" * 100_000)
    if fmt == "json":  # a lock is the record; without one, the requirements' 100,000 lines are
        (project / "uv.lock").write_text(_uv_lock(1900 * 1024))
    (project / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1"\ndependencies = [' +
                                            ", ".join(f'"p{i}>=1"' for i in range(20_000)) + "]\n")
    git(project, "init", "-q")
    command = f"ulimit -v {1024 * 1024}; exec {sys.executable} -m doctor check --offline --untrusted " \
              f"--format {fmt} --project {project}"
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=base_environ(), timeout=300)
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr[-3000:]
    report = json.loads(done.stdout)
    if fmt == "json":
        assert all(c["status"] != "error" for c in report["checks"])
    else:  # one result per problem, not one per repeated line (that was 600 MB of SARIF)
        results = report["runs"][0]["results"]
        assert len(done.stdout) < 1024 * 1024 and len(results) < 50, len(results)
