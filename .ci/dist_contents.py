"""Fails, naming each missing file, when the built wheel or sdist lacks a file it must ship.

The wheel must hold every file git tracks in the packages pyproject.toml lists: the schema,
the stylesheet and the sandbox are data or are imported late, so a wheel without them installs
fine and breaks only when `check --format json`, the app or `demo` runs. The sdist must hold every
tracked file its `include` names. Usage: python .ci/dist_contents.py DIST_DIR (from the repo root).
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

MUST_SHIP = ("doctor/render/report.schema.json", "doctor/tui/doctor.tcss", "doctor/sandbox.py",
             "doctor/sandbox_replies.py")


def tracked(paths: list[str]) -> set[str]:
    listed = subprocess.run(["git", "ls-files", "-z", "--", *paths], capture_output=True, text=True, check=True)
    return set(filter(None, listed.stdout.split("\0")))


def main(dist: Path) -> int:
    targets = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))["tool"]["hatch"]["build"]["targets"]
    [wheel], [sdist] = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    with tarfile.open(sdist) as archive:  # every member sits under "<name>-<version>/"
        in_sdist = {member.split("/", 1)[1] for member in archive.getnames() if "/" in member}
    wanted_in_wheel = set(MUST_SHIP) | tracked(targets["wheel"]["packages"])
    wanted_in_sdist = tracked(targets["sdist"]["include"])
    missing = [f"{wheel.name} lacks {path}" for path in sorted(wanted_in_wheel - in_wheel)]
    missing += [f"{sdist.name} lacks {path}" for path in sorted(wanted_in_sdist - in_sdist)]
    for line in missing:
        print(f"dist_contents: {line}", file=sys.stderr)
    if not missing:
        print(f"{wheel.name}: {len(in_wheel)} files, every tracked file of {', '.join(targets['wheel']['packages'])}; "
              f"{sdist.name}: {len(in_sdist)} files, every tracked file of {', '.join(targets['sdist']['include'])}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
