"""Whether a lock file still matches the declarations it was made from (pyproject.toml, the Pipfile).

A lock made before the last edit of pyproject.toml installs what the project no longer
asks for; `poetry install` refuses it outright. Each tool records a hash of its inputs
in the lock; it is recomputed here the way the tool computes it (the source of each rule
is named), and uv, which records the declarations themselves, is compared directly.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Mapping

from doctor.files import read_bytes
from doctor.project.pyproject import Pyproject, parse_toml
from doctor.project.shapes import array, table

MAX_LOCK_BYTES = 8 * 1024 * 1024


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _load(path: Path, as_json: bool = False) -> Mapping[str, Any] | None:
    found = read_bytes(path, MAX_LOCK_BYTES)
    if not found.ok:
        return None
    if as_json:
        try:
            data = json.loads(found.data or b"")
        except (ValueError, RecursionError):
            return None
    else:
        data, _ = parse_toml(found.data or b"")
    return data if isinstance(data, dict) else None


def poetry_hash(pyproject: Mapping[str, Any]) -> str:
    """poetry/packages/locker.py: Locker._get_content_hash (poetry 2.x)."""
    legacy = ("dependencies", "source", "extras", "dev-dependencies")
    project = table(pyproject.get("project"))
    groups = table(pyproject.get("dependency-groups"))
    tool = table(table(pyproject.get("tool")).get("poetry"))
    relevant_project = {k: project[k] for k in ("requires-python", "dependencies", "optional-dependencies")
                        if project.get(k) is not None}
    relevant_tool = {}
    for key in (*legacy, "group"):
        value = tool.get(key)
        if value is None and (key not in legacy or relevant_project or groups):
            continue
        relevant_tool[key] = value
    content: dict[str, Any] = {}
    if relevant_project:
        content["project"] = relevant_project
    if groups:
        content["dependency-groups"] = groups
    content = {**content, "tool": {"poetry": relevant_tool}} if content else relevant_tool
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def pipfile_hash(pipfile: Mapping[str, Any]) -> str:
    """pipenv/utils/pipfile.py: Pipfile.calculate_hash (recent pipenv canonicalises package names)."""
    fixed = {"source", "packages", "dev-packages", "requires", "scripts", "pipfile", "pipenv"}
    default_source = [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}]

    def names(entries: Any) -> dict[str, Any]:
        return {_canonical(k): v for k, v in table(entries).items()}

    data: dict[str, Any] = {"_meta": {"sources": pipfile.get("source", default_source),
                                      "requires": pipfile.get("requires", {})},
                            "default": names(pipfile.get("packages")), "develop": names(pipfile.get("dev-packages"))}
    data.update({k: names(v) for k, v in pipfile.items() if k not in fixed and isinstance(v, dict)})
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def pdm_hash(pyproject: Mapping[str, Any]) -> str:
    """pdm/project/project_file.py: PyProject.content_hash."""
    project = table(pyproject.get("project"))
    pdm = table(table(pyproject.get("tool")).get("pdm"))
    dev: dict[str, list[Any]] = {}
    for group, deps in table(pyproject.get("dependency-groups")).items():
        dev[_canonical(group)] = array(deps)
    for group, deps in table(pdm.get("dev-dependencies")).items():
        dev.setdefault(_canonical(group), []).extend(array(deps))
    data = {"sources": pdm.get("source", []), "dependencies": project.get("dependencies", []),
            "dev-dependencies": dev, "optional-dependencies": project.get("optional-dependencies", {}),
            "requires-python": project.get("requires-python", ""), "resolution": pdm.get("resolution", {})}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _uv_matches(lock: Mapping[str, Any], pyproject: Mapping[str, Any], member: str = ".") -> bool:
    """uv records each member's declared dependencies: compare names and version ranges (uv rewrites
    markers, python_version into python_full_version, so markers are left out of the comparison).
    `member` is the project's folder from the lock's: a workspace lock that does not list it is stale."""
    from doctor.project.record import parse_requirement
    from doctor.project.uv_workspace import is_member_source

    declared = array(table(pyproject.get("project")).get("dependencies"))
    roots = [p for p in array(lock.get("package")) if isinstance(p, dict) and is_member_source(p.get("source"), member)]
    if not roots:
        return member == "."
    recorded = {(_canonical(r["name"]), _clauses(str(r.get("specifier", ""))))
                for r in array(table(roots[0].get("metadata")).get("requires-dist"))
                if isinstance(r, dict) and isinstance(r.get("name"), str) and "extra" not in str(r.get("marker", ""))}
    wanted = set()
    for entry in declared:
        try:
            name, specifier, _ = parse_requirement(entry) if isinstance(entry, str) else ("", "", None)
        except ValueError:
            return True  # a declaration uv could not lock either; pyproject-invalid says so
        if name:
            wanted.add((name, _clauses(specifier)))
    return recorded == wanted


def _clauses(specifier: str) -> frozenset[str]:
    return frozenset(part.replace(" ", "") for part in specifier.split(",") if part.strip())


def stale_lock(project: Path, pyproject: Pyproject, lock_file: str) -> str | None:
    """What the lock was made from, when that is no longer what the project declares; else None
    (also when the declarations hold values no tool could hash, such as a TOML date: then the
    tool fails on its own, and pyproject-invalid or lock-unreadable has the say)."""
    try:
        return _stale_lock(project, pyproject, lock_file)
    except (TypeError, ValueError, RecursionError):
        return None


def _stale_lock(project: Path, pyproject: Pyproject, lock_file: str) -> str | None:
    data = pyproject.data
    if lock_file == "poetry.lock":
        lock = _load(project / lock_file)
        recorded = table(table(lock).get("metadata")).get("content-hash")
        return "pyproject.toml changed after poetry.lock was made" if recorded and \
            recorded != poetry_hash(data) else None
    if lock_file == "pdm.lock":
        lock = _load(project / lock_file)
        recorded = str(table(table(lock).get("metadata")).get("content_hash", "")).partition(":")[2]
        return "pyproject.toml changed after pdm.lock was made" if recorded and recorded != pdm_hash(data) else None
    if lock_file == "Pipfile.lock":
        lock = _load(project / lock_file, as_json=True)
        pipfile = _load(project / "Pipfile")
        recorded = table(table(table(lock).get("_meta")).get("hash")).get("sha256")
        return "the Pipfile changed after Pipfile.lock was made" if recorded and pipfile is not None and \
            recorded != pipfile_hash(pipfile) else None
    if Path(lock_file).name == "uv.lock":  # the project's own, or its uv workspace's (`../../uv.lock`)
        path = project / lock_file
        lock = _load(path)
        member = project.resolve().relative_to(path.resolve().parent).as_posix()
        return None if lock is None or _uv_matches(lock, data, member) else \
            f"pyproject.toml lists other dependencies than {lock_file} was made from"
    return None
