"""The package fix for a pip project: one edit of requirements.txt, then the environment synced from it.

One cause gets one fix that keeps the record and the environment in agreement, so the next
run never sees a mismatch the fix itself made:
- the SDK too old, or openai below 1.55.3 next to httpx 0.28 (the `proxies` crash): the openai
  line becomes `openai>=1.55.3,<2`, the smallest change that works (not the newest major, which
  changes the SDK's API), and `python -m pip install -r requirements.txt` installs it;
- versions not pinned, or pinned to other versions than the working ones installed: the lines
  are pinned to what is installed, and nothing needs installing.
It never pins a set that the packages check's `pins-incompatible` rule rejects, and never pins
a package the installed SDK does not use (httpx beside openai 3, which uses httpx2).

An edit keeps what it does not understand: comments, extras, markers, options and the file's
line endings. No plan for a hash-pinned file (pip would refuse a line without its hashes), a
package listed more than once (by marker), or a project whose packages another tool records:
those need the project's own tool, which the check's fix names.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from doctor.fixes.plan import Command, FilePlan, link_target, newline_of, read_editable
from doctor.project.sdk import PROXIES_FIXED_IN, SDK_UPGRADE, proxies_crash, sdk_too_old, within_versions

if TYPE_CHECKING:
    from doctor.fixes.registry import FixInputs

GUIDE_PACKAGES = ("openai", "httpx", "python-dotenv")
# A project with one of these records its packages elsewhere; requirements.txt is not its record.
MANAGED_BY_TOOL = ("uv.lock", "poetry.lock", "Pipfile", "Pipfile.lock", "pdm.lock")
UPGRADE_CODES = frozenset({"sdk-httpx-incompatible", "openai-pre-v1", "pins-incompatible", "package-below-floor"})
PIN_CODES = frozenset({"requirements-missing", "package-unpinned", "package-version-mismatch"})
_REQUIREMENT_HEAD = re.compile(r"^(\s*[A-Za-z0-9][A-Za-z0-9._\-]*(?:\s*\[[^\]]*\])?)")
_INCLUDES = ("-r", "-c", "--requirement", "--constraint")


def requirement_name(line: str) -> str | None:
    """The distribution a requirements line names, or None for options, URLs and comments."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    spec = line.split(" #")[0].split(" --")[0].strip()
    if not spec or spec.startswith(("-", "#")):
        return None
    try:
        return canonicalize_name(Requirement(spec).name)
    except InvalidRequirement:
        return None


def respecified_line(line: str, specifier: str) -> str:
    """The same line with its version specifier replaced: the name, extras, marker, options,
    comment and line ending stay as they were."""
    ending = line[len(line.rstrip("\r\n")):]
    body = line[: len(line) - len(ending)]
    head = _REQUIREMENT_HEAD.match(body)
    if head is None:
        return line
    rest = body[head.end():]
    cuts = [i for i in (rest.find(";"), rest.find(" #"), rest.find(" --")) if i >= 0]
    cut = min(cuts) if cuts else len(rest)
    while cut > 0 and rest[cut - 1] == " ":
        cut -= 1
    return f"{head.group(1).rstrip()}{specifier}{rest[cut:]}{ending}"


def wanted_specifiers(inputs: FixInputs) -> dict[str, str]:
    """What each guide package's line should say: the SDK's smallest working upgrade when a finding
    asks for one, else the installed version where the record should pin it and that set works."""
    installed = inputs.installed
    openai, httpx = installed.get("openai"), installed.get("httpx")
    wanted: dict[str, str] = {}
    # A record pinning a broken set, next to a working openai installed, is fixed by pinning that one.
    record_broken = "pins-incompatible" in inputs.codes and not within_versions(openai, PROXIES_FIXED_IN)
    if inputs.codes & UPGRADE_CODES and (sdk_too_old(openai) or proxies_crash(openai, httpx) or record_broken):
        wanted["openai"] = SDK_UPGRADE
    if not inputs.codes & PIN_CODES:
        return wanted
    broken_set = "openai" in wanted or proxies_crash(openai, httpx) or sdk_too_old(openai)
    uses = ("openai", "python-dotenv", *(("httpx",) if inputs.http_library == "httpx" else ()))
    for name in uses:
        version = installed.get(name)
        if version and name not in wanted and not (broken_set and name in ("openai", "httpx")):
            wanted[name] = f"=={version}"
    return wanted


def record_plan(inputs: FixInputs) -> FilePlan | None:
    """requirements.txt edited in place for what `wanted_specifiers` asks, then, when the environment
    must change, `python -m pip install -r requirements.txt` run by the project's Python."""
    from packaging.utils import canonicalize_name

    project = inputs.project
    if inputs.tool.name != "pip" or any((project / name).exists() for name in MANAGED_BY_TOOL):
        return None
    path = project / "requirements.txt"
    editable, before = read_editable(path, project)
    if not editable or (before is not None and "--hash" in before):
        return None
    wanted = {canonicalize_name(name): (name, spec) for name, spec in wanted_specifiers(inputs).items()}
    lines = (before or "").splitlines(keepends=True)
    named = [requirement_name(line) for line in lines]
    out, newline, written = [], newline_of(before), set()
    for line, name in zip(lines, named):
        if name in wanted and named.count(name) == 1:
            line = respecified_line(line, wanted[name][1])
            written.add(name)
        out.append(line)
    if out and not out[-1].endswith(("\n", "\r")):
        out[-1] += newline
    if not any(line.lstrip().startswith(_INCLUDES) for line in lines):  # else it may be listed in an included file
        added = [key for key in wanted if key not in named]
        out += [f"{wanted[key][0]}{wanted[key][1]}{newline}" for key in added]
        written.update(added)
    after = "".join(out)
    if after == (before or ""):
        return None
    installs = {n: spec for key, (n, spec) in wanted.items() if key in written and not spec.startswith("==")}
    then = _sync(inputs) if installs else ()
    if installs and not then:
        return None  # no project Python to install into: the record alone would disagree with it
    title = (f"Require {', '.join(n + s for n, s in installs.items())} in requirements.txt and install it"
             if installs else f"Pin {', '.join(n for n, _ in wanted.values())} to the installed versions")
    return FilePlan(title, path, before, after, ("packages-pinned", "sample-call"), link_target(path, project),
                    then=then)


def _sync(inputs: FixInputs) -> tuple[Command, ...]:
    if inputs.python is None:
        return ()
    return (Command((str(inputs.python), "-m", "pip", "install", "-r", "requirements.txt"),
                    inputs.tool.pip("install", "-r", "requirements.txt")),)
