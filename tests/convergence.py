"""The convergence harness: does a broken project get well by doing what the doctor says?

A patient is a real project (a real venv with real SDK releases, a real requirements file, a
script `ask.py` written the guide's way) that is broken in one way. A treatment is a loop of
rounds, each as a new user would do it, mechanically:
- "commands": run the doctor, take the first failing problem, and run its `fix.commands` as
  written with /bin/sh from the project folder;
- "fix": run `llm-doctor check --fix --yes` (and, when that changes nothing, with
  `--unsafe-fixes`), then, when the doctor could apply nothing, the first problem's commands.
The loop ends healthy when the doctor finds no failure AND the user's own script, run by the
project's Python against doctor/sandbox.py on 127.0.0.1, gets its reply. It ends in an Outcome
that names what went wrong otherwise:
- a loop: the project comes back to a state seen before (its failures, its record, its
  installed distributions);
- a dead end: a failure with neither a command that runs nor a fix the doctor can apply;
- a false all-clear: the doctor green while the user's script fails;
- the round limit.

Nothing here touches the internet after the first build: the releases come from a wheelhouse
downloaded once into the test cache ($LLM_DOCTOR_TEST_CACHE, else ~/.cache/llm-doctor-tests),
every install in a round reads only that wheelhouse (PIP_NO_INDEX), and the template venvs
are built once and copied for each patient.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tests.conftest import CANARY_KEY, base_environ

FORMAT = 1  # bump to rebuild the wheelhouse and the template venvs
ROUND_LIMIT = 6
STEP_SECONDS = 300
# What the wheelhouse holds, one download per set (the sets conflict with each other on purpose).
WHEEL_SETS = (("openai>=1.55.3,<2", "httpx==0.28.1", "python-dotenv"), ("openai==1.35.0", "httpx==0.28.1"),
              ("openai==0.28.1", "python-dotenv"), ("python-dotenv==1.0.1",))
# The template venvs: what each broken environment has installed (from the wheelhouse), and what is
# removed after, to break it on purpose.
TEMPLATES = {
    "proxies": (("openai==1.35.0", "httpx==0.28.1", "python-dotenv==1.0.1"), ()),
    "sdk-0.28": (("openai==0.28.1", "python-dotenv==1.0.1"), ()),
    "httpx-missing": (("openai>=1.55.3,<2", "httpx==0.28.1", "python-dotenv==1.0.1"), ("httpx",)),
    "healthy": (("openai>=1.55.3,<2", "httpx==0.28.1", "python-dotenv==1.0.1"), ()),
}
DOTENV = "OPENAI_API_KEY={key}\nOPENAI_BASE_URL={url}\n"
UV_PIN = "uv==0.13.9"  # as tests/realprojects.py pins it
UV_WARM = ("openai>=1.55.3,<2", "httpx==0.28.1", "python-dotenv==1.0.1")  # what a uv fix may move to, cached at build
ASK = '''\
"""The user's own script, as the guide writes it."""
from dotenv import load_dotenv
from openai import OpenAI

load_dotenv()
client = OpenAI(timeout=30)
response = client.chat.completions.create(
    model="gpt-4o-mini", messages=[{"role": "user", "content": "Say hello"}], max_tokens=20)
text = response.choices[0].message.content
if text is None:
    raise SystemExit("no text in the reply")
print(text)
'''


def cache_root() -> Path:
    given = os.environ.get("LLM_DOCTOR_TEST_CACHE")
    return (Path(given) if given else Path.home() / ".cache" / "llm-doctor-tests") / "convergence"


def _key(*parts: object) -> str:
    return hashlib.sha256(json.dumps([FORMAT, sys.version, *parts]).encode()).hexdigest()[:12]


def _once(folder: Path, build: Callable[[Path], None]) -> Path:
    """`folder`, built by `build` under a file lock the first time; a build killed halfway is built again."""
    marker = folder / ".built"
    if marker.is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f"{folder.name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.is_file():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            marker.write_text("ok")
    return folder


def _pip_environ(wheelhouse: Path | None) -> dict[str, str]:
    """pip reading only the wheelhouse (none: the registry, for the one-time download), never the user's config."""
    env = {k: v for k, v in os.environ.items() if k.startswith(("PIP_", "SSL_CERT_", "HTTP", "NO_PROXY", "no_proxy"))}
    env.update({"PATH": os.environ.get("PATH", os.defpath), "HOME": os.environ.get("HOME", "/tmp"),
                "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"})
    if wheelhouse is not None:
        env.update({"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse), "PIP_CONFIG_FILE": os.devnull})
    return env


def wheelhouse() -> Path:
    def download(folder: Path) -> None:
        for specs in WHEEL_SETS:
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "-d", str(folder), *specs], check=True,
                           capture_output=True, env=_pip_environ(None), timeout=STEP_SECONDS)

    return _once(cache_root() / f"wheels-{_key(WHEEL_SETS)}", download)


def template(name: str) -> Path:
    installs, removes = TEMPLATES[name]
    wheels = wheelhouse()

    def build(folder: Path) -> None:
        venv = folder / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip"]
        subprocess.run([*pip, "install", "-q", *installs], check=True, capture_output=True,
                       env=_pip_environ(wheels), timeout=STEP_SECONDS)
        if removes:
            subprocess.run([*pip, "uninstall", "-q", "-y", *removes], check=True, capture_output=True,
                           env=_pip_environ(wheels), timeout=STEP_SECONDS)

    return _once(cache_root() / f"{name}-{_key(installs, removes)}", build) / "venv"


def uv_bin() -> Path:
    """A folder holding uv, installed once from the registry into the cache."""
    def build(folder: Path) -> None:
        subprocess.run([sys.executable, "-m", "venv", str(folder / "venv")], check=True, capture_output=True)
        subprocess.run([str(folder / "venv" / "bin" / "python"), "-m", "pip", "install", "-q", UV_PIN], check=True,
                       capture_output=True, env=_pip_environ(None), timeout=STEP_SECONDS)

    return _once(cache_root() / f"uv-{_key(UV_PIN)}", build) / "venv" / "bin"


def uv_cache() -> Path:
    return cache_root() / "uv-cache"


def _uv_environ(offline: bool) -> dict[str, str]:
    env = {k: v for k, v in _pip_environ(None).items() if not k.startswith("PIP_")}
    env.update({"UV_CACHE_DIR": str(uv_cache()), "UV_PYTHON_DOWNLOADS": "never", "UV_NO_PROGRESS": "1",
                "PATH": f"{uv_bin()}:/usr/bin:/bin"})
    if offline:
        env["UV_OFFLINE"] = "1"
    return env


def _pyproject(dependencies: tuple[str, ...]) -> str:
    listed = ", ".join(json.dumps(d) for d in dependencies)
    return f'[project]\nname = "patient"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = [{listed}]\n'


def uv_template(dependencies: tuple[str, ...]) -> Path:
    """A uv project (pyproject.toml, uv.lock, .venv) locking `dependencies`, built by uv once; uv's cache
    also learns UV_WARM, so the fixes' `uv add` resolves offline in the rounds."""
    from tests.realprojects import build_python

    def build(folder: Path) -> None:
        for name, wanted in (("warm", UV_WARM), ("project", dependencies)):
            (folder / name).mkdir()
            (folder / name / "pyproject.toml").write_text(_pyproject(wanted))
            subprocess.run([str(uv_bin() / "uv"), "sync", "--python", str(build_python())], cwd=folder / name,
                           check=True, capture_output=True, env=_uv_environ(False), timeout=STEP_SECONDS)
        shutil.rmtree(folder / "warm")

    return _once(cache_root() / f"uv-project-{_key(UV_PIN, dependencies, UV_WARM)}", build) / "project"


@dataclass(frozen=True)
class Patient:
    """A broken project: its files, the template its .venv is copied from (None: no venv at all),
    and whether it can get well before the doctor repairs code and .env itself (issue 18, item 3)."""

    name: str
    files: dict[str, str]
    venv: str | None
    converges_today: bool = True
    dotenv: str = DOTENV  # {key} and {url} are filled in
    uv: tuple[str, ...] = ()  # a uv project locking these, instead of a pip one


PATIENTS = (
    Patient("pip: openai 1.35.0 pinned, httpx 0.28 installed (the proxies crash)",
            {"requirements.txt": "openai==1.35.0\npython-dotenv==1.0.1\n"}, "proxies"),
    Patient("pip: openai 0.28.1, the 0.x SDK", {"requirements.txt": "openai==0.28.1\npython-dotenv==1.0.1\n"},
            "sdk-0.28"),
    Patient("pip: httpx missing from the venv", {"requirements.txt": "openai>=1.55.3,<2\npython-dotenv==1.0.1\n"},
            "httpx-missing"),
    Patient("pip: no venv at all", {"requirements.txt": "openai>=1.55.3,<2\npython-dotenv==1.0.1\n"}, None),
    Patient("pip: a record pinning a broken set, beside a working venv",
            {"requirements.txt": "openai==1.35.0\nhttpx==0.28.1\npython-dotenv==1.0.1\n"}, "healthy"),
    Patient("uv: openai 1.35.0 locked with httpx 0.28 (the proxies crash)", {}, None,
            uv=("openai==1.35.0", "httpx==0.28.1", "python-dotenv==1.0.1")),
    Patient(".env: the key in quotes with a space inside them", {"requirements.txt": "openai>=1.55.3,<2\n"
                                                                 "python-dotenv==1.0.1\n"},
            "healthy", dotenv='OPENAI_API_KEY=" {key}"\nOPENAI_BASE_URL={url}\n'),
    Patient("code: written for openai 0.28", {"requirements.txt": "openai>=1.55.3,<2\npython-dotenv==1.0.1\n",
                                              "ask.py": 'import openai\nfrom dotenv import load_dotenv\n\n'
                                              'load_dotenv()\nresponse = openai.ChatCompletion.create(model='
                                              '"gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}], '
                                              'max_tokens=20)\nprint(response["choices"][0]["message"]'
                                              '["content"])\n'}, "healthy"),
    Patient(".env: an unclosed quote, written the PowerShell way", {"requirements.txt": "openai>=1.55.3,<2\n"
                                                                     "python-dotenv==1.0.1\n"},
            "healthy", dotenv='$env:OPENAI_API_KEY="{key}\nOPENAI_BASE_URL={url}\n'),
    Patient("code: the script never loads .env", {"requirements.txt": "openai>=1.55.3,<2\npython-dotenv==1.0.1\n",
                                                  "ask.py": ASK.replace("from dotenv import load_dotenv\n", "")
                                                  .replace("load_dotenv()\n", "")}, "healthy"),
)


@dataclass
class Outcome:
    patient: str
    way: str
    healthy: bool
    rounds: int
    problem: str = ""  # "loop", "dead end", "false all-clear", "round limit", "" when healthy
    story: list[str] = field(default_factory=list)  # what each round found and did
    round_seconds: list[float] = field(default_factory=list)

    def __str__(self) -> str:
        said = "healthy" if self.healthy else self.problem
        return f"{self.patient} [{self.way}]: {said} after {self.rounds} round(s)\n  " + "\n  ".join(self.story)


@dataclass
class Treatment:
    """One patient in its folder, with the doctor and its sandbox; `run(way)` treats it to the end."""

    patient: Patient
    folder: Path
    sandbox_url: str
    doctor_bin: Path  # the folder holding the `llm-doctor` under test

    def prepare(self) -> None:
        env_text = self.patient.dotenv.format(key=CANARY_KEY, url=self.sandbox_url)
        files = {"ask.py": ASK, ".env": env_text, ".gitignore": ".env\n.venv/\n", **self.patient.files}
        self.folder.mkdir(parents=True)
        for name, text in files.items():
            (self.folder / name).write_text(text)
        if self.patient.venv is not None:
            shutil.copytree(template(self.patient.venv), self.folder / ".venv", symlinks=True)
        if self.patient.uv:
            shutil.copytree(uv_template(self.patient.uv), self.folder, symlinks=True, dirs_exist_ok=True)
        _git(self.folder, "init", "-q")

    @property
    def environ(self) -> dict[str, str]:
        """A fresh shell: the doctor (and uv) on PATH, the registry out of reach (pip reads the wheelhouse
        only, uv its cache only)."""
        tools = {k: v for k, v in _pip_environ(wheelhouse()).items() if k.startswith("PIP_")}
        if self.patient.uv:
            tools.update({k: v for k, v in _uv_environ(True).items() if k.startswith("UV_")})
        uv = f"{uv_bin()}:" if self.patient.uv else ""
        return base_environ(PATH=f"{self.doctor_bin}:{uv}/usr/bin:/bin", **tools)

    def doctor(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["llm-doctor", "check", "--offline", *args], cwd=self.folder, env=self.environ,
                              capture_output=True, text=True, timeout=STEP_SECONDS)

    def shell(self, commands: list[str]) -> subprocess.CompletedProcess:
        return subprocess.run(["/bin/sh", "-c", "\n".join(commands)], cwd=self.folder, env=self.environ,
                              capture_output=True, text=True, timeout=STEP_SECONDS)

    def script_works(self) -> tuple[bool, str]:
        python = self.folder / ".venv" / "bin" / "python"
        done = subprocess.run([str(python) if python.exists() else "python3", "ask.py"], cwd=self.folder,
                              env=base_environ(PATH="/usr/bin:/bin"), capture_output=True, text=True, timeout=120)
        last = (done.stderr.strip().splitlines() or [""])[-1]
        return done.returncode == 0, last

    def state(self, failures: list[str]) -> str:
        """What the project is: its failures, its files, and the distributions its venv holds."""
        site = sorted(p.name for p in self.folder.glob(".venv/lib/python*/site-packages/*.dist-info"))
        files = sorted((p.name, p.read_bytes().hex()) for p in self.folder.iterdir() if p.is_file())
        return hashlib.sha256(json.dumps([failures, site, files]).encode()).hexdigest()

    def failures(self) -> tuple[list[dict], dict]:
        done = self.doctor("--format", "json")
        try:
            report = json.loads(done.stdout)
        except ValueError:
            raise AssertionError(f"the doctor broke (exit {done.returncode}) in {self.folder}:\n"
                                 f"{done.stderr[-2000:]}") from None
        return [c for c in report["checks"] if c["status"] in ("fail", "error")], report

    def run(self, way: str, limit: int = ROUND_LIMIT) -> Outcome:
        outcome = Outcome(self.patient.name, way, False, 0)
        seen: set[str] = set()
        for number in range(1, limit + 1):
            started = time.monotonic()
            outcome.rounds = number
            failing, _ = self.failures()
            codes = [c["code"] or c["id"] for c in failing]
            if not failing:
                works, said = self.script_works()
                outcome.healthy, outcome.problem = works, "" if works else "false all-clear"
                outcome.story.append("doctor: no failure; ask.py " + ("gets its reply" if works else f"fails: {said}"))
                outcome.rounds = number - 1
                return outcome
            state = self.state(codes)
            if state in seen:
                outcome.problem = "loop"
                outcome.story.append(f"back to a state seen before: {codes}")
                return outcome
            seen.add(state)
            did = self.treat(way, failing[0], state)
            outcome.round_seconds.append(time.monotonic() - started)
            outcome.story.append(f"{', '.join(codes)} -> {did}")
            if did.startswith("dead end"):
                outcome.problem = "dead end"
                return outcome
        outcome.problem = "round limit"
        return outcome

    def treat(self, way: str, first: dict, state: str) -> str:
        if way == "fix":
            for extra in ((), ("--unsafe-fixes",)):
                self.doctor("--fix", "--yes", *extra)
                failing, _ = self.failures()
                if self.state([c["code"] or c["id"] for c in failing]) != state:
                    return "llm-doctor check --fix --yes" + "".join(f" {e}" for e in extra)
        commands = list((first.get("fix") or {}).get("commands") or ())
        if not commands:
            return f"dead end: {first['code']} has no command and no fix the doctor can apply"
        done = self.shell(commands)
        tail = (done.stderr.strip().splitlines() or [""])[-1][:200]
        return f"ran {commands!r} (exit {done.returncode}{': ' + tail if done.returncode else ''})"


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, env=base_environ())
