"""The doctor on real SDK releases, installed from the registry: what it says must be what the release does.

Each environment is built once and cached (tests/realenvs.py). The offline checks read
them from their metadata; the sample call really imports and runs each SDK against the
sandbox.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from doctor.sandbox import Sandbox
from tests.conftest import CANARY_KEY, base_environ, doctor_cli, git, write_project
from tests.realenvs import OPENAI_3, ensure, python_of

pytestmark = pytest.mark.slow


def run(project, python, *args):
    done = doctor_cli("check", "--project", str(project), "--python", str(python), "--format", "json", *args,
                      env=base_environ())
    assert "Traceback" not in done.stderr, done.stderr
    return {c["id"]: c for c in json.loads(done.stdout)["checks"]}


def project_for(tmp_path, requirements: str, base_url: str = "http://127.0.0.1:9/v1"):
    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\nOPENAI_BASE_URL={base_url}\n"
                                              "OPENAI_MODEL=gpt-4o-mini\n",
                            requirements=requirements, gitignore=".env\n")
    git(project, "init", "-q")
    return project


def codes(result: dict) -> set[str]:
    return {f["code"] for f in result["findings"]}


def test_openai_0_28_is_named_offline_and_by_the_sample_call(tmp_path):
    python = python_of(ensure("openai-0.28"))
    with Sandbox("healthy") as sandbox:
        project = project_for(tmp_path, "openai==0.28.1\npython-dotenv\n", sandbox.url)
        results = run(project, python)
    assert "openai-pre-v1" in codes(results["packages-pinned"])
    assert results["sample-call"]["code"] == "openai-pre-v1", results["sample-call"]


def test_openai_1_40_with_httpx_0_28_breaks_and_the_fix_is_the_smallest(tmp_path):
    python = python_of(ensure("openai-1.40-httpx-0.28"))
    with Sandbox("healthy") as sandbox:
        project = project_for(tmp_path, "openai==1.40.0\nhttpx==0.28.1\npython-dotenv\n", sandbox.url)
        results = run(project, python)
        sent = len(sandbox.completions())
    pinned = results["packages-pinned"]
    assert {"sdk-httpx-incompatible", "pins-incompatible"} <= codes(pinned)
    fix = json.dumps(pinned["fix"])
    assert "openai>=1.55.3,<2" in fix and "-m pip install" in fix and " pip install" not in fix.replace("-m pip", "")
    sample = results["sample-call"]
    assert sample["code"] == "sdk-httpx-incompatible", sample
    assert "key-missing" not in json.dumps(sample)
    assert sent <= 3


def test_a_record_that_pins_a_broken_set_is_found_where_todays_venv_works(tmp_path):
    python = python_of(ensure("openai-1.55.3-httpx-0.28"))
    project = project_for(tmp_path, "openai==1.40.0\nhttpx==0.28.1\npython-dotenv\n")
    pinned = run(project, python, "--offline")["packages-pinned"]
    assert "pins-incompatible" in codes(pinned)
    assert "sdk-httpx-incompatible" not in codes(pinned)  # the installed 1.55.3 works with httpx 0.28


def test_a_healthy_openai_3_needs_httpx2_not_httpx(tmp_path):
    python = python_of(ensure("openai-3"))
    versions = subprocess.run([str(python), "-m", "pip", "freeze"], capture_output=True, text=True).stdout
    with Sandbox("healthy") as sandbox:
        project = project_for(tmp_path, versions, sandbox.url)
        results = run(project, python)
    assert results["packages-pinned"]["status"] == "pass", results["packages-pinned"]
    assert f"openai {OPENAI_3}" in results["packages-pinned"]["message"] and "httpx2" in results["packages-pinned"]["message"]
    assert results["sample-call"]["status"] == "pass", results["sample-call"]


def test_openai_3_without_httpx2_is_broken_and_installing_httpx_is_not_the_fix(tmp_path):
    python = python_of(ensure("openai-3-no-httpx2"))
    with Sandbox("healthy") as sandbox:
        project = project_for(tmp_path, f"openai=={OPENAI_3}\npython-dotenv\n", sandbox.url)
        results = run(project, python)
    pinned = results["packages-pinned"]
    assert {"package-missing", "package-broken"} & codes(pinned), pinned
    assert "httpx2" in pinned["message"]
    assert "install httpx " not in json.dumps(pinned) and '"httpx"' not in json.dumps(pinned["fix"])
    assert results["sample-call"]["code"] == "package-broken" and "httpx2" in results["sample-call"]["message"]


def test_a_project_file_named_openai_is_found_offline(tmp_path):
    python = python_of(ensure("openai-3"))
    project = project_for(tmp_path, f"openai=={OPENAI_3}\npython-dotenv\n")
    (project / "openai.py").write_text("print('my experiments')\n")
    pinned = run(project, python, "--offline")["packages-pinned"]
    assert pinned["code"] == "module-shadowed"
    assert any(f["file"] == "openai.py" for f in pinned["findings"])


def copied_venv(name: str, copy):
    """A real venv of SPECS[name], copied to `copy` (inside a project, or to break it on purpose)."""
    import shutil

    venv = ensure(name)
    subprocess.run([python_of(venv), "-m", "venv", "--without-pip", str(copy)], check=True)
    site = next(venv.glob("lib/python3*/site-packages"))
    target = next(copy.glob("lib/python3*/site-packages"))
    shutil.copytree(site, target, dirs_exist_ok=True)
    return target


def test_openai_0_28_in_the_projects_own_venv_is_pre_v1_never_a_shadow(tmp_path):
    """The SDK's own __init__.py inside the project's .venv is an installed package: the fix is
    the upgrade, never "rename .venv/lib/.../openai/__init__.py"."""
    with Sandbox("healthy") as sandbox:
        project = project_for(tmp_path, "openai==0.28.1\npython-dotenv\n", sandbox.url)
        copied_venv("openai-0.28", project / ".venv")
        results = run(project, python_of(project / ".venv"))
    sample = results["sample-call"]
    assert sample["code"] == "openai-pre-v1", sample
    everything = json.dumps(results)
    assert "module-shadowed" not in everything and "Rename .venv" not in everything


def test_a_package_whose_files_were_deleted_is_broken(tmp_path):
    import shutil

    copy = tmp_path / "venv"
    target = copied_venv("openai-1.55.3-httpx-0.28", copy)
    shutil.rmtree(target / "httpx")
    project = project_for(tmp_path, "openai==1.55.3\nhttpx==0.28.1\npython-dotenv\n")
    pinned = run(project, python_of(copy), "--offline")["packages-pinned"]
    assert pinned["code"] == "package-broken" and "httpx" in pinned["message"], pinned
