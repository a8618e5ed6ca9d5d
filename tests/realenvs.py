"""Real virtual environments with real SDK versions, built from the registry once and cached.

A test that claims the doctor handles openai 0.28 or openai 1.40 with httpx 0.28 must run
against those releases, not an imitation. Each environment is built under a lock into
its cache folder ($LLM_DOCTOR_TEST_CACHE, else ~/.cache/llm-doctor-tests/venvs) and is
used only once a marker says the build finished: a build killed halfway is built again.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

OPENAI_3 = "3.57.0"  # the newest openai 3.x on the index when these were chosen
SPECS = {
    "openai-0.28": ["openai==0.28.1", "python-dotenv"],
    "openai-1.40-httpx-0.28": ["openai==1.40.0", "httpx==0.28.1", "python-dotenv"],
    "openai-1.55.3-httpx-0.28": ["openai==1.55.3", "httpx==0.28.1", "python-dotenv"],
    "openai-3": [f"openai=={OPENAI_3}", "python-dotenv"],
    "openai-3-no-httpx2": [f"openai=={OPENAI_3}", "python-dotenv"],
}
REMOVE = {"openai-3-no-httpx2": ["httpx2"]}  # uninstalled after the install, to break the env on purpose
MARKER = ".llm-doctor-test-env"


def cache_root() -> Path:
    return Path(os.environ.get("LLM_DOCTOR_TEST_CACHE") or Path.home() / ".cache" / "llm-doctor-tests" / "venvs")


def python_of(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure(name: str) -> Path:
    """The venv for SPECS[name], built on first use with the interpreter running the tests."""
    def build(venv: Path) -> None:
        env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
        env.pop("PYTHONPATH", None)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        pip = [str(python_of(venv)), "-m", "pip"]
        subprocess.run([*pip, "install", "-q", *SPECS[name]], check=True, capture_output=True, env=env)
        if REMOVE.get(name):
            subprocess.run([*pip, "uninstall", "-q", "-y", *REMOVE[name]], check=True, capture_output=True, env=env)

    return cached(name, [SPECS[name], REMOVE.get(name, [])], build, {"name": name, "requirements": SPECS[name]})


def cached(name: str, parts: list, build: Callable[[Path], None], marker: object = None) -> Path:
    """The folder `build` fills, built once per `parts` (and Python) under a lock, and used only
    once its marker says the build finished: a build killed halfway is built again."""
    key = hashlib.sha256(json.dumps([*parts, sys.version], default=str).encode()).hexdigest()[:12]
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    folder = root / f"{name}-{key}"
    if (folder / MARKER).is_file():
        return folder
    with open(root / f"{name}-{key}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (folder / MARKER).is_file():
            return folder  # another process built it while this one waited
        shutil.rmtree(folder, ignore_errors=True)
        build(folder)
        (folder / MARKER).write_text(json.dumps(marker if marker is not None else {"name": name}))
    return folder
