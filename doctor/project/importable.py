"""Whether `import openai` and `from dotenv import load_dotenv` will work from the project folder, judged without importing.

Two things break them although the packages are installed: a project file that is
imported instead (a script's folder comes first on `sys.path`, so `openai.py`,
`dotenv.py` or `json.py` beside `main.py` shadow the real module), and a package whose
files or dependencies are gone. The first is found with `PathFinder.find_spec` over the
project folder alone (it looks at file names, it runs nothing); the second from the
distributions' metadata (installed.py). Both work the same under `--untrusted`.
"""

from __future__ import annotations

import importlib.machinery
from pathlib import Path
from typing import Iterable, Mapping

from doctor.namedtuples import named_tuple
from doctor.project.installed import Distribution, closure

# The guide's imports: what a broken or shadowed one breaks first.
ROOTS = ("openai", "python-dotenv")

# Standard-library modules that `import openai` (0.28, 1.x, 3.x) and `import dotenv` load
# after start-up, listed by running each release with `-X importtime` on CPython 3.11:
# a project file with one of these names breaks the SDK's import.
SDK_STDLIB = frozenset((
    "argparse", "array", "ast", "asyncio", "atexit", "base64", "binascii", "bisect", "bz2", "calendar",
    "collections", "colorsys", "concurrent", "contextlib", "contextvars", "copy", "copyreg", "csv",
    "dataclasses", "datetime", "decimal", "dis", "email", "enum", "fnmatch", "fractions", "functools",
    "gettext", "hashlib", "heapq", "hmac", "http", "importlib", "inspect", "ipaddress", "json", "keyword",
    "linecache", "locale", "logging", "lzma", "mimetypes", "netrc", "numbers", "opcode", "operator",
    "pathlib", "pickle", "pkgutil", "platform", "pydoc", "queue", "quopri", "random", "re", "reprlib",
    "secrets", "select", "selectors", "shlex", "shutil", "signal", "socket", "ssl", "string", "stringprep",
    "struct", "subprocess", "sysconfig", "tempfile", "textwrap", "threading", "token", "tokenize",
    "traceback", "types", "typing", "unicodedata", "urllib", "uuid", "warnings", "weakref", "zipfile",
    "zlib", "zoneinfo",
))


# Folders that hold installed packages, never a project's own code.
INSTALL_FOLDERS = frozenset(("site-packages", "dist-packages", "__pypackages__"))


def own_file(path: Path, project: Path) -> str | None:
    """`path` relative to the project when it is the project's own file, else None.

    A file inside a virtual environment (a folder holding `pyvenv.cfg`) or inside any
    site-packages is an installed package even when that environment lives in the project
    folder (`.venv/lib/python3.11/site-packages/openai/__init__.py`): renaming it is never the
    fix, and an ImportError from it is the installed release's, not a shadow's.
    """
    try:
        root = project.resolve()
        relative = Path(path).resolve().relative_to(root)
    except (OSError, RuntimeError, ValueError):
        return None
    folders = relative.parts[:-1]
    if INSTALL_FOLDERS & set(folders):
        return None
    for depth in range(1, len(folders) + 1):
        if (root.joinpath(*folders[:depth]) / "pyvenv.cfg").is_file():
            return None
    return relative.as_posix()


@named_tuple
class Shadow:
    module: str  # the module name the project's file takes
    file: str  # relative to the project
    package: str | None  # the distribution it hides, or None for the standard library


@named_tuple
class Broken:
    package: str
    why: str  # "pydantic-core (needed by pydantic) is not installed", "its files are gone: ..."
    needed_by: str  # the root that needs it


def module_owners(chains: Mapping[str, list[str]], installed: Mapping[str, Distribution]) -> dict[str, str]:
    """Importable name -> the distribution that installs it, over the roots' dependency closure."""
    owners: dict[str, str] = {}
    for name in chains:
        for module in installed[name].modules:
            owners.setdefault(module, name)
    return owners


def find_shadows(project: Path, candidates: Mapping[str, str | None], immune: Iterable[str]) -> list[Shadow]:
    """Project files and folders named like a module the SDK imports (module -> its distribution,
    None for the standard library). Modules loaded at start-up are immune: they are never looked up."""
    skip = set(immune)
    found = []
    for module, package in sorted(candidates.items()):
        if module in skip:
            continue
        spec = importlib.machinery.PathFinder.find_spec(module, [str(project)])
        if spec is None:
            continue
        origin = spec.origin if spec.origin and spec.origin != "namespace" else \
            next(iter(spec.submodule_search_locations or []), None)
        if origin is None:
            continue
        relative = own_file(Path(origin), project)
        if relative is not None:
            found.append(Shadow(module, relative, package))
    return found


def find_broken(installed: Mapping[str, Distribution], environment: Mapping[str, str] | None,
                roots: Iterable[str] = ROOTS) -> tuple[list[Broken], dict[str, list[str]]]:
    """Packages of the roots' closure whose dependencies are missing or whose package folders and
    modules are gone (what a hand deletion or an interrupted install leaves). Checking every file
    would cost more than the rest of the offline run. Returns the problems and the closure's chains."""
    chains, missing = closure(roots, installed, environment)
    broken = [Broken(needed, f"{needed} (needed by {by}) is not installed", chains[by][0]) for needed, by in missing]
    for name, chain in chains.items():
        gone = installed[name].missing_modules()
        if gone:
            shown = ", ".join(gone[:3]) + (" and more" if len(gone) > 3 else "")
            broken.append(Broken(name, f"files that {name} installed are gone ({shown})", chain[0]))
    return broken, chains
