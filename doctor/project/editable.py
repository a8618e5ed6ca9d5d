"""Whether an editable requirement (`-e PATH`, `--editable=URL#egg=NAME`) installs llm-api-doctor itself.

`pip freeze` writes a clone of the doctor installed in development mode as `-e /path/to/clone`,
so the record names the doctor only through that folder's own pyproject.toml: the folder's
name says nothing (a clone may be called anything, and a project folder may be called
llm-doctor-notes). The pyproject is read through the bounded reader; a path that is gone,
is a file, or holds a pyproject that does not parse names nothing, and never raises.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from doctor.project.pyproject import read_pyproject
from doctor.project.record import canonical

DOCTOR_DISTRIBUTION = "llm-api-doctor"
_EDITABLE = re.compile(r"^(?:-e|--editable)(?:\s*=\s*|\s+)(\S+)")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9_.\-]+)")
_EXTRAS = re.compile(r"\[[^\[\]]*\]$")


def editable_names_doctor(line: str, project: Path) -> bool:
    """True when the editable line's `#egg=` or its folder's `[project] name` is llm-api-doctor."""
    found = _EDITABLE.match(line.strip())
    if not found:
        return False
    where = found.group(1).strip("'\"")
    egg = _EGG.search(where)
    if egg:
        return canonical(egg.group(1)) == DOCTOR_DISTRIBUTION
    if where.startswith("file:"):
        where = unquote(urlsplit(where).path)
    elif "://" in where or where.startswith("git+"):
        return False  # a repository URL without #egg=: nothing local to read
    folder = Path(_EXTRAS.sub("", where)).expanduser()
    name = read_pyproject(folder if folder.is_absolute() else project / folder).table("project", "name")
    return isinstance(name, str) and canonical(name) == DOCTOR_DISTRIBUTION
