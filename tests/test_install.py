"""Installing the doctor never changes the project's packages, and a plain install still works.

The wheel is built once from this checkout. pip resolves it next to real requirements files that
pin old and new SDKs (`pip install --dry-run --report`, the resolution a user's `pip install -r
requirements.txt llm-api-doctor` would make) and must keep every version the project's file alone
resolves to. pipx installs the same wheel as a newcomer would, and its `llm-doctor demo` must pass.
The lowest httpx and python-dotenv that pyproject.toml claims really run the doctor.
These need the package index, as `tests/realenvs.py` does.
"""

from __future__ import annotations

import importlib.metadata as md
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.utils import canonicalize_name

from doctor.sandbox import Sandbox
from tests.conftest import CANARY_KEY, base_environ, doctor_cli, git, write_project
from tests.realenvs import SPECS, ensure, python_of

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[1]


def tool(name: str) -> str:
    return str(python_of(ensure("packaging-tools")).with_name(name))


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> Path:
    """The sdist and the wheel built from it, as `python -m build` makes them for a release."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([tool("python"), "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def wheel(dists) -> Path:
    [built] = dists.glob("*.whl")
    return built


def resolve(tmp_path: Path, requirements: str, *extra: str) -> dict[str, str]:
    """Every package pip would install, name -> version, for `requirements` plus `extra`, from scratch."""
    (tmp_path / "requirements.txt").write_text(requirements, encoding="utf-8")
    report = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                           "--disable-pip-version-check", "--report", str(report),
                           "-r", str(tmp_path / "requirements.txt"), *extra],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    return {canonicalize_name(item["metadata"]["name"]): item["metadata"]["version"]
            for item in json.loads(report.read_text())["install"]}


def newest_openai_3(tmp_path: Path) -> str:
    return resolve(tmp_path, "openai>=3,<4\n")["openai"]


@pytest.mark.parametrize("requirements", [
    "openai==0.28.1\n",  # the pre-1.0 SDK, requests-based: exactly the projects the doctor must diagnose
    # below the 1.40 the doctor used to require, in a late-2023 freeze: httpx and python-dotenv old too
    "openai==1.35.0\nhttpx==0.23.3\npython-dotenv==0.21.0\n",
    "openai==NEWEST_3\n",  # the newest 3.x, on httpx2
])
def test_installing_the_wheel_beside_a_project_keeps_every_pin(tmp_path, wheel, requirements):
    if "NEWEST_3" in requirements:
        requirements = requirements.replace("NEWEST_3", newest_openai_3(tmp_path))
    alone = resolve(tmp_path, requirements)
    together = resolve(tmp_path, requirements, str(wheel))
    assert together.pop("llm-api-doctor")
    changed = {name: (version, together[name]) for name, version in alone.items() if together.get(name) != version}
    assert changed == {}, f"installing the doctor moves the project's packages: {changed}"
    for line in requirements.split():
        name, version = line.split("==")
        assert together[canonicalize_name(name)] == version


def test_the_wheel_and_sdist_pass_twine_check(dists):
    done = subprocess.run([tool("twine"), "check", "--strict", *map(str, sorted(dists.iterdir()))],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2, done.stdout


RELEASE = yaml.safe_load((REPO / ".github/workflows/release.yml").read_text(encoding="utf-8"))


def test_the_release_publishes_on_a_tag_with_trusted_publishing_only():
    assert RELEASE[True] == {"push": {"tags": ["v*"]}}  # YAML reads the key `on` as true
    assert RELEASE["permissions"] == {"contents": "read"}
    build, publish = RELEASE["jobs"]["build"], RELEASE["jobs"]["publish"]
    assert "permissions" not in build and publish["permissions"] == {"id-token": "write"}
    assert publish["needs"] == "build" and publish["environment"] == "pypi"
    assert [step.get("uses", "").split("@")[0] for step in publish["steps"]] == \
        ["actions/download-artifact", "pypa/gh-action-pypi-publish"]
    assert not any("password" in step.get("with", {}) for step in publish["steps"])  # no stored token


def release_check(dists: Path, tmp_path: Path, tag: str) -> subprocess.CompletedProcess:
    """The release's "Check them" step, run as GitHub runs it, in a job folder that holds the repository's
    files and the built dist/, on a Python that has twine (as its build step installed)."""
    step = next(s for s in RELEASE["jobs"]["build"]["steps"] if s.get("name") == "Check them")
    job = tmp_path / "job"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(job)], check=True)  # as actions/checkout does
    shutil.copytree(dists, job / "dist")
    (job / "step.sh").write_text(step["run"], encoding="utf-8")
    env = base_environ(TAG=tag, PATH=f"{Path(tool('python')).parent}:{base_environ()['PATH']}")
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "step.sh"], cwd=job, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_release_check_step_passes_the_built_dists_and_refuses_a_wrong_tag(dists, tmp_path):
    from doctor import __version__

    passed = release_check(dists, tmp_path / "right", f"v{__version__}")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout.count("PASSED") == 2 and "every tracked file" in passed.stdout
    wrong = release_check(dists, tmp_path / "wrong", "v0.0.0-wrong")
    assert wrong.returncode == 1
    assert f"::error::the tag v0.0.0-wrong does not match the package's version {__version__}" in wrong.stdout


def test_the_demo_passes_after_a_plain_pipx_install(tmp_path, wheel):
    home = tmp_path / "pipx"
    env = base_environ(PIPX_HOME=str(home), PIPX_BIN_DIR=str(home / "bin"), PIPX_MAN_DIR=str(home / "man"))
    env.pop("HTTPS_PROXY"), env.pop("HTTP_PROXY")  # pipx fetches the doctor's dependencies from the index
    env.update({name: value for name, value in os.environ.items() if name.startswith("PIP_")})
    installed = subprocess.run([tool("pipx"), "install", str(wheel)], capture_output=True, text=True, env=env,
                               timeout=600)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    demo = subprocess.run([str(home / "bin" / "llm-doctor"), "demo"], capture_output=True, text=True,
                          env=base_environ(), cwd=tmp_path, stdin=subprocess.DEVNULL, timeout=120)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-2000:]
    assert demo.stdout.splitlines()[-1].startswith(("No failures", "No problems found")), demo.stdout[-500:]
    assert str(home / "venvs" / "llm-api-doctor") in demo.stdout  # it ran on pipx's venv, not this one


def test_the_lowest_httpx_and_python_dotenv_claimed_run_the_doctor(tmp_path):
    """httpx 0.23 (before `proxies` became `proxy`) for the live probes, python-dotenv 0.16 for
    reading .env: the same report as with the newest releases, offline and live."""
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    lowest = SPECS["doctor-lowest"]
    assert f'"httpx>={lowest[0].split("==")[1].rsplit(".", 1)[0]}"' in pyproject
    assert f'"python-dotenv>={lowest[1].split("==")[1].rsplit(".", 1)[0]}"' in pyproject
    old = python_of(ensure("doctor-lowest"))
    with Sandbox("healthy") as sandbox:
        project = write_project(tmp_path / "p", env=f"BASE={sandbox.url}\nOPENAI_API_KEY={CANARY_KEY}\n"
                                                    "OPENAI_BASE_URL=${BASE}\nOPENAI_MODEL gpt-4o-mini\n",
                                gitignore=".env\n", requirements="openai\npython-dotenv\n")
        git(project, "init", "-q")
        args = ("check", "--project", str(project), "--python", sys.executable, "--format", "json")
        newest = doctor_cli(*args)
        on_lowest = subprocess.run([str(old), "-m", "doctor", *args], capture_output=True, text=True, timeout=120,
                                   env=base_environ(PYTHONPATH=str(REPO)), cwd=tmp_path)
    assert on_lowest.returncode == newest.returncode, on_lowest.stderr[-3000:]

    def outcome(done: subprocess.CompletedProcess) -> dict[str, tuple]:  # messages differ in their timings only
        return {c["id"]: (c["status"], c["code"], [f["code"] for f in c["findings"]])
                for c in json.loads(done.stdout)["checks"]}
    assert outcome(on_lowest) == outcome(newest)
    results = outcome(on_lowest)
    assert results["api-auth"][0] == "pass" and results["key-format"][0] == "pass"  # ${BASE} expanded, key sent
    assert results["dotenv-present"][1] is not None  # the line without '=' is named


def test_the_demo_refuses_an_sdk_older_than_1_in_its_own_python(tmp_path):
    """The doctor asks for any openai; beside a project's openai 0.28 the demo says why it cannot run."""
    venv = ensure("openai-0.28")
    done = subprocess.run([str(python_of(venv)), "-m", "doctor", "demo"], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, env=base_environ(PYTHONPATH=str(REPO)),
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 2, done.stderr[-3000:]
    assert "which has openai 0.28.1; the sample needs openai 1.0 or newer" in done.stderr
    assert "Traceback" not in done.stderr


def recipe(title: str) -> list[str]:
    """The lines of docs/ci.md's shell block that follow the comment starting with `title`."""
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    lines = block.split(f"# {title}", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    assert lines, title
    return lines


def test_the_ci_recipes_run_the_doctor_from_its_own_environment_on_the_projects_python():
    for title in ("1. pipx run", "2. uvx", "3. a separate venv"):
        lines = recipe(title)
        assert "--python .venv/bin/python" in lines[-1], title
        assert not any(".venv/bin/pip" in line or ".venv/bin/python -m pip" in line for line in lines), title


def test_the_separate_venv_recipe_works_and_leaves_the_projects_packages_alone(tmp_path, wheel):
    """docs/ci.md's third recipe, run as written, with the built wheel for the git URL and this Python
    as the project's."""
    def packages() -> str:
        return subprocess.run([sys.executable, "-m", "pip", "freeze", "--all"], capture_output=True, text=True).stdout
    script = "\n".join(recipe("3. a separate venv"))
    script = script.replace("git+https://github.com/<you>/llm-doctor@v0.1.0", str(wheel))
    script = script.replace(".venv/bin/python", sys.executable)
    pins = "".join(f"{name}=={md.version(name)}\n" for name in ("openai", "httpx", "python-dotenv"))
    project = write_project(tmp_path / "project", env=f"OPENAI_API_KEY={CANARY_KEY}\n", gitignore=".env\n",
                            requirements=pins)
    git(project, "init", "-q")
    before = packages()
    env = {k: v for k, v in base_environ(RUNNER_TEMP=str(tmp_path / "runner"), CI="true").items()
           if not k.endswith("_PROXY")} | {k: v for k, v in os.environ.items() if k.startswith("PIP_")}
    (tmp_path / "runner").mkdir()
    done = subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=project, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "0 failed" in done.stdout.splitlines()[-1]
    assert packages() == before
