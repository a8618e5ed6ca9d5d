"""The findings of packages-pinned: the project's packages, as installed and as recorded.

Each function answers one question (is it installed, recorded, matching, whole,
importable, a working set) and returns findings whose fixes use the project's tool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Mapping

from checks import guide
from doctor.model import Finding, Fix, Location, Status
from doctor.project.importable import ROOTS, SDK_STDLIB, find_broken, find_shadows, module_owners
from doctor.project.record import Record, applies, canonical, parse_version
from doctor.project.sdk import SDK_UPGRADE, http_library, proxies_crash, within_versions
from doctor.words import counted

if TYPE_CHECKING:
    from doctor.context import Context
    from doctor.project.installed import Distribution
    from doctor.project.interpreter import InterpreterFacts
    from doctor.project.tools import Tool

GUIDE_FLOORS = {"openai": "1.40", "python-dotenv": "1.0"}  # the guide installs at least these
MAX_LISTED = 5


def _fix(summary: str, *commands: str, steps: tuple[str, ...] = ()) -> Fix:
    return Fix(summary, steps=steps, commands=tuple(c for c in commands if c), guide=guide.SETUP)


def package_findings(ctx: Context, facts: InterpreterFacts) -> tuple[list[Finding], str]:
    record, tool = ctx.record, ctx.tool
    environment = facts.environment
    findings = list(record.problems)
    if record.kind == "none":
        findings.append(_no_record(tool))
    findings += pins_incompatible(record, environment, tool)
    findings += _stale(ctx)
    installed = facts.installed_dists
    if ctx.target.path is None or facts.error or installed is None:
        why = "no project environment was found" if ctx.target.path is None else "the project's Python could not be run"
        return findings, f"installed versions unknown: {why}"
    openai = installed.get("openai")
    http = http_library(openai, environment)
    wanted = ["openai", "python-dotenv", *([http] if http else [])]
    if record.declared_for("httpx", environment) and "httpx" not in wanted:
        wanted.append("httpx")  # the guide uses httpx directly too; the record says this project does
    cut = getattr(installed, "cut", None)  # the scan stopped at the doctor's cap: absent is not known to be missing
    unseen = []
    for name in wanted:
        if cut and name not in installed:
            unseen.append(name)
            continue
        direct = name in ("openai", "python-dotenv") or bool(record.declared_for(name, environment))
        findings += _package(name, installed.get(name), record, environment, tool, direct=direct,
                             http_version=installed["httpx"].version if "httpx" in installed else None)
    findings += sdk_httpx_incompatible(installed, record, tool)
    broken, chains = find_broken(installed, environment, [r for r in ROOTS if r in installed])
    unseen += [item.package for item in broken if cut and item.package not in installed]
    findings += [_broken(item.package, item.why, item.needed_by, tool) for item in broken
                 if not (cut and item.package not in installed)]
    relevant = set(chains) | {d.name for d in record.declared if not d.constraint}
    findings += lock_out_of_sync(record, installed, environment, relevant, tool)
    candidates: dict[str, str | None] = {m: None for m in SDK_STDLIB}
    candidates.update(module_owners(chains, installed))
    candidates.setdefault("openai", "openai")
    candidates.setdefault("dotenv", "python-dotenv")
    findings += [_shadowed(s.module, s.file, s.package) for s in
                 find_shadows(ctx.project, candidates, facts.preloaded)]
    versions = ", ".join(f"{n} {installed[n].version}" for n in wanted if n in installed)
    recorded = f"recorded in {', '.join(record.files[:2])}" if record.files else "not recorded"
    return findings, f"{versions or 'none of the guide packages'}; {recorded}" + (_cap_note(cut, unseen) if cut else "")


def _cap_note(cut: str, unseen: list[str]) -> str:
    """What the doctor's own cap on reading installed packages left unknown: never the project's fault."""
    unique = list(dict.fromkeys(unseen))
    one = len(unique) == 1
    return (f"; the doctor's own cap stopped its reading of the installed packages ({cut})"
            + (f": {', '.join(unique[:MAX_LISTED])} {'was' if one else 'were'} not among those read, so "
               f"{'it is' if one else 'they are'} not called missing" if unique else ""))


def _stale(ctx: Context) -> list[Finding]:
    """A lock made from other declarations than today's: `poetry install` refuses it, the others install
    what the project no longer asks for."""
    from doctor.project.lock_freshness import stale_lock

    record, tool = ctx.record, ctx.tool
    if record.lock_file is None:
        return []
    why = stale_lock(ctx.project, ctx.pyproject, record.lock_file)
    if why is None:
        return []
    return [Finding(Status.FAIL if tool.name == "poetry" else Status.WARN, "lock-stale", why,
                    _fix(f"Lock again, then sync: {tool.lock()}", tool.lock() or "", tool.sync()),
                    location=Location(record.lock_file))]


def _no_record(tool: Tool) -> Finding:
    command = tool.lock() or f"{tool.pip('freeze')} > requirements.txt"
    return Finding(Status.WARN, "requirements-missing",
                   "the project records no package versions (no lock file, requirements.txt or pyproject.toml "
                   "dependencies)", _fix("Record the versions you test with, so a teammate or CI installs the same.",
                                         command))


def _package(name: str, dist: Distribution | None, record: Record, environment: Mapping[str, str] | None,
             tool: Tool, direct: bool, http_version: str | None = None) -> list[Finding]:
    """Installed, and (for what the project itself requires) recorded with the version installed."""
    declared = record.declared_for(name, environment)
    locked = record.locked_for(name, environment)
    where = (locked[0].where if locked else declared[0].where if declared else None)
    if dist is None:
        on_record = bool(declared or locked)
        fix = _fix(f"Install what the record lists: {tool.sync()}", tool.sync()) if on_record else \
            _fix(f"Add {name} to the project and install it.", tool.add(f"{name}>={GUIDE_FLOORS.get(name, '0')}"))
        return [Finding(Status.FAIL, "package-missing", f"{name} is not installed in the project's Python"
                        + (f" although {record.files[0]} lists it" if on_record else ""), fix, location=where)]
    found = []
    floor = installed_floor(name, dist.version, tool, record)
    if floor is not None:
        found.append(floor)
    if direct and record.kind in ("requirements", "pyproject"):
        pinned = record.pinned_version(name, environment)
        if pinned is None and record.hashed:
            pass  # pip's hash-checking mode already requires every line to be an exact pin
        elif pinned is None:
            how = f"is not listed in {record.files[0]}" if not declared else \
                f"is not pinned with == in {declared[0].where} ({declared[0].spec or 'any version'})"
            found.append(Finding(Status.WARN, "package-unpinned", f"{name} {how}",
                                 _pin_fix(name, dist.version, record, tool), location=where))
        elif parse_version(pinned[0]) != parse_version(dist.version):
            found.append(Finding(
                Status.FAIL, "package-version-mismatch",
                f"{pinned[1].file} pins {name}=={pinned[0]} (line {pinned[1].line}) but {dist.version} is installed",
                _mismatch_fix(name, pinned[0], dist.version, record, tool, http_version), location=pinned[1]))
    return found


def _mismatch_fix(name: str, pinned: str, installed: str, record: Record, tool: Tool, http_version: str | None) -> Fix:
    """Install what the record says, unless that version crashes beside the installed httpx (the
    `proxies` crash): then the record moves to the installed version, which works."""
    if name == "openai" and proxies_crash(pinned, http_version) and not proxies_crash(installed, http_version):
        return _fix(f"Pin the installed openai {installed} in {record.files[0]}: the recorded {pinned} crashes with "
                    f"the installed httpx {http_version} (`unexpected keyword argument 'proxies'`).",
                    steps=(f"Change the line to {name}=={installed}, then commit the file.",))
    if record.hashed:
        return _fix("Make the environment and the record agree: install what the record says (pip checks the "
                    f"hashes), or regenerate {record.files[0]} with its hashes for {name}=={installed}.", tool.sync())
    if tool.name == "pip" and record.kind == "requirements":  # what --fix does here: the pin moves, nothing moves back
        return _fix(f"Make the record and the environment agree: pin the installed {name} {installed} in "
                    f"{record.files[0]} (what --fix does), or install the recorded {pinned} instead with the "
                    "command below.", tool.sync())
    return _fix(f"Make the environment and the record agree: install what the record says ({name} {pinned}).",
                tool.sync())


def _pin_fix(name: str, version: str, record: Record, tool: Tool) -> Fix:
    if tool.name == "pip" and record.kind == "requirements":
        return _fix(f"Pin {name} to the version you test with: {name}=={version} in {record.files[0]}.",
                    steps=("Edit the line in place (llm-doctor can do it: --fix), then commit the file.",))
    if tool.locks:
        return _fix(f"Keep a lock file, so every install gets {name} {version} and its dependencies.", tool.lock() or "")
    return _fix(f"Pin {name}=={version} in {record.files[0]}, or keep a lock file.")


def installed_floor(name: str, installed: str, tool: Tool, record: Record | None = None) -> Finding | None:
    """openai 0.x, or a package older than the guide's floor."""
    floor = GUIDE_FLOORS.get(name)
    have = parse_version(installed)
    if floor is None or have is None:
        return None
    if name == "openai" and have < parse_version("1.0"):  # type: ignore[operator]
        return Finding(Status.FAIL, "openai-pre-v1", f"openai {installed} is the old 0.x SDK; the guide's code needs "
                                                     "1.0 or newer",
                       sdk_upgrade_fix("Upgrade the SDK within 1.x; code written for 0.28 (openai.ChatCompletion) must "
                                       "move to client.chat.completions.create.", record, tool))
    if have < parse_version(floor):  # type: ignore[operator]
        return Finding(Status.FAIL, "package-below-floor", f"{name} {installed} is older than the guide's {floor}",
                       sdk_upgrade_fix(f"Upgrade {name} within 1.x.", record, tool) if name == "openai" else
                       _fix(f"Upgrade {name}.", tool.add(f"{name}>={floor}")))
    return None


def sdk_upgrade_fix(summary: str, record: Record | None, tool: Tool, steps: tuple[str, ...] = ()) -> Fix:
    """openai>=1.55.3,<2 (the smallest working change), written where the project records it and then
    installed from there, so the record and the environment agree afterwards. A pip project's
    requirements.txt line is edited in place (the doctor can: --fix); a tool's own command does both."""
    spec = f"openai{SDK_UPGRADE}"
    if tool.name == "pip" and record is not None and record.kind == "requirements":
        return _fix(summary, steps=(f"Change the openai line in {record.files[0]} to {spec}, keeping its extras, "
                                    "marker and comment.", f"Then install from it: {tool.sync()}", *steps))
    if tool.name == "pip":
        return _fix(summary, tool.add(spec), steps=(f"Then record it: {spec} in requirements.txt.", *steps))
    return _fix(summary, tool.add(spec), steps=steps)


def sdk_httpx_incompatible(installed: Mapping[str, Distribution], record: Record | None = None,
                           tool: Tool | None = None) -> list[Finding]:
    openai, httpx = installed.get("openai"), installed.get("httpx")
    if openai and httpx and proxies_crash(openai.version, httpx.version):
        from doctor.project.tools import Tool

        return [Finding(Status.FAIL, "sdk-httpx-incompatible",
                        f"openai {openai.version} breaks with httpx {httpx.version}: `Client.__init__() got an "
                        "unexpected keyword argument 'proxies'`",
                        sdk_upgrade_fix("Move openai to 1.55.3 or later within 1.x (the smallest change).", record,
                                        tool or Tool("pip"), steps=("Or keep this openai and hold httpx below 0.28 "
                                                                    "(httpx<0.28) in the record.",)))]
    return []


def pins_incompatible(record: Record, environment: Mapping[str, str] | None, tool: Tool) -> list[Finding]:
    """A record that pins a set which cannot work: a fresh install breaks even where today's venv works."""
    openai = record.pinned_version("openai", environment)
    httpx = record.pinned_version("httpx", environment)
    found = []
    if openai and httpx and proxies_crash(openai[0], httpx[0]):
        found.append(Finding(
            Status.FAIL, "pins-incompatible",
            f"{openai[1].file} pins openai {openai[0]} with httpx {httpx[0]}: a fresh install from it crashes as soon "
            "as a client is made (`unexpected keyword argument 'proxies'`)",
            sdk_upgrade_fix("Change the smallest thing: openai 1.55.3 or later within 1.x, or httpx below 0.28.",
                            record, tool, steps=("Or keep openai and hold httpx below 0.28 (httpx<0.28) in the "
                                                 "record.",)),
            location=openai[1]))
    if record.kind == "lock" and openai and within_versions(openai[0], "3.0") and \
            not record.locked_for("httpx2", environment):
        found.append(Finding(Status.FAIL, "pins-incompatible",
                             f"{openai[1].file} locks openai {openai[0]} without httpx2, which openai 3 needs",
                             _fix("Lock again with the project's tool.", tool.lock() or tool.sync()),
                             location=openai[1]))
    return found


def lock_out_of_sync(record: Record, installed: Mapping[str, Distribution], environment: Mapping[str, str] | None,
                     relevant: Iterable[str], tool: Tool) -> list[Finding]:
    """Installed versions that differ from the lock, and locked packages the SDK needs that are missing."""
    if record.kind != "lock":
        return []
    wanted = set(relevant)
    differ, missing = [], []
    by_name: dict[str, list[str]] = {}
    for package in record.locked:
        if applies(package.marker, environment):
            by_name.setdefault(package.name, []).append(package.version)
    for name, versions in sorted(by_name.items()):
        dist = installed.get(name)
        if dist is not None and all(parse_version(v) != parse_version(dist.version) for v in versions):
            differ.append(f"{name} {dist.version} (locked: {' or '.join(versions)})")
        elif dist is None and name in wanted and any(p.default for p in record.locked if p.name == name) and \
                not getattr(installed, "cut", None):  # past the doctor's cap on reading them, absent is not missing
            missing.append(name)
    if not differ and not missing:
        return []
    parts = ([f"{counted(len(differ), 'installed version')} {'differs' if len(differ) == 1 else 'differ'} from it"]
             if differ else []) + \
        ([f"{counted(len(missing), 'locked package')} {'is' if len(missing) == 1 else 'are'} not installed"]
         if missing else [])
    details = tuple(differ[:MAX_LISTED]) + tuple(f"{n} is locked but not installed" for n in missing[:MAX_LISTED])
    return [Finding(Status.FAIL, "lock-out-of-sync", f"the environment has drifted from {record.files[0]}: "
                    + " and ".join(parts), _fix(f"Make the environment match the lock: {tool.sync()}", tool.sync()),
                    details, location=Location(record.files[0]))]


def _broken(package: str, why: str, needed_by: str, tool: Tool) -> Finding:
    return Finding(Status.FAIL, "package-broken",
                   f"{needed_by} cannot be imported: {why}",
                   _fix(f"Reinstall it with the project's tool: {tool.reinstall(canonical(package))}",
                        tool.reinstall(canonical(package)),
                        steps=("Files deleted by hand or an interrupted install leave a package recorded as "
                               "installed that cannot be imported.",)))


def _shadowed(module: str, file: str, package: str | None) -> Finding:
    what = f"the {package} package" if package else f"the standard library's {module}"
    return Finding(Status.FAIL, "module-shadowed",
                   f"{file} in the project is imported instead of {what}: `import {module}` picks up your file",
                   Fix(f"Rename {file} (for example to my_{module.lstrip('_')}.py) and delete any stale "
                       f"__pycache__/{module}.*.pyc.",
                       steps=("Python puts the script's own folder first on the import path, so a file named like a "
                              "package replaces it for every script in that folder.",),
                       guide=guide.TROUBLESHOOTING), location=Location(file))
