"""What the project's code says, remembered between runs for code that did not change.

Reading a project's code with `ast` and judging it is most of code-usage's cost, and most runs
judge the same code as the run before (the doctor run again after fixing `.env`, CI run on each
push). So code-usage's conclusions are kept in the user's cache folder
(`$XDG_CACHE_HOME/llm-doctor/code/`, one file per project, the latest conclusions only; see
doctor/project/user_cache.py) and taken from there when nothing they depend on has changed.

Nothing stale can come back, because the conclusions are kept under a digest of all they depend on:
- the bytes of every Python file and notebook the project lists (not their times: an edit that
  keeps a file's size and time is still seen), the list itself and how it was made, and the
  files that load `.env` for the code (code_base.LOADER_FILES);
- the doctor's own code (its version, the Python it runs on, and its install record or, run from
  its source, the size and time of each of its modules; see code_identity)
  and its reading budget;
- the names `.env` and the shell define and, for 0.28-style code, the SDK that code will meet
  (checked on each use: that needs the project's interpreter, and only such code asks for it).
What is kept is what the report shows (messages, files, lines, the models the code names) and
the fact that code-usage found 0.28-style code. Conclusions that hold anything the run's redactor
would mask are not kept at all, so the file never holds a secret or a value of `.env`, and a
remembered answer is the very one a fresh reading gives.
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from doctor.model import Finding, Location, Status
from doctor.project.user_cache import cache_file, load_json, save_json

if TYPE_CHECKING:
    from checks.code_usage import Conclusions, Environment
    from doctor.project.source_files import ProjectFiles
    from doctor.redact import Redactor

MAX_MEMO_BYTES = 4 * 1024 * 1024
_FORMAT = 1  # of the file: a file of another format is read as nothing


class Memo:
    """The conclusions remembered for one project's code as it is now (None when there are none)."""

    def __init__(self, path: Path | None, digest: str, document: object) -> None:
        self.path, self.digest = path, digest
        self.remembered: Conclusions | None = None
        self._environment: str | None = None
        if isinstance(document, dict) and document.get("format") == _FORMAT and document.get("digest") == digest:
            self.remembered = _conclusions(document.get("conclusions"))
            self._environment = document.get("environment") if isinstance(document.get("environment"), str) else None

    def answers(self, env: Environment) -> bool:
        """Whether the remembered conclusions were reached with the names and the SDK `env` holds."""
        return self.remembered is not None and self._environment == environment_digest(env)

    def keep(self, conclusions: Conclusions, env: Environment | None, redactor: Redactor) -> None:
        """Remembers `conclusions`, reached with `env` (None: they did not depend on it), unless some
        text of theirs is one the redactor masks. A failure to write only costs the next run a reading."""
        plain = _plain(conclusions)
        if any(redactor.redact(text) != text for text in _texts(plain)):
            return
        save_json(self.path, {"format": _FORMAT, "digest": self.digest, "conclusions": plain,
                              "environment": environment_digest(env) if env is not None else None})


def open_memo(files: ProjectFiles, environ: Mapping[str, str]) -> Memo:
    """The memo of the project `files` lists, for its code as it is now (reading that code: the run
    reads it once, so code-usage finds it read)."""
    path = cache_file("code", str(files.root.resolve()), environ)
    return Memo(path, code_digest(files), load_json(path, MAX_MEMO_BYTES))


def code_digest(files: ProjectFiles) -> str:
    """A digest of everything code-usage's conclusions depend on in the project, and of the doctor itself."""
    from doctor.project import code_base

    digest = hashlib.blake2b(_doctor_code(), digest_size=20)
    budget = (code_base.MAX_PARSED_FILES, code_base.MAX_PARSED_NODES, code_base.MAX_NODES_PER_FILE,
              code_base.MAX_SOURCE_BYTES, code_base.MAX_LINE)
    digest.update(repr((files.listed_by, files.left_out, budget)).encode())
    listed = set(files.paths)
    paths = [*files.with_suffix(*code_base.PYTHON_SUFFIXES), *(name for name in code_base.LOADER_FILES if name in listed)]
    for path, found in zip(paths, files.read_many(paths)):
        data = found.data or b""
        digest.update(f"\0{path}\0{found.kind}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def environment_digest(env: Environment) -> str:
    """The names .env and the shell define and the SDK 0.28-style code meets, as one digest (never a value)."""
    text = "\0".join([*sorted(env.dotenv), "\1", *sorted(env.shell), "\1", repr(env.openai_major), env.sdk])
    return hashlib.blake2b(text.encode(), digest_size=20).hexdigest()


@cache
def _doctor_code() -> bytes:
    import checks
    import doctor

    return code_identity(Path(doctor.__file__).parent, Path(checks.__file__).parent, doctor.__version__)


def code_identity(package: Path, checks: Path, version: str) -> bytes:
    """The doctor's own code (`package` is doctor/, `checks` its checks): its version and the Python it
    runs on, and what tells one copy of its files from another, so that an upgrade or an edited rule
    reads the code afresh. A copy installed by pip, pipx or uv has a record of its files beside it,
    which every install rewrites (a reinstall of the same version too): its size and time are enough.
    A copy run from its source (an editable install, a checkout) may have any module edited since the
    last run: the size and time of each. (Doing that for an installed copy cost every run 0.7 ms.)
    A hand edit of an installed copy's files is not noticed: reinstall it, or delete the cache folder."""
    parts = [f"{version}\0{sys.version}"]
    record = package.parent / f"llm_api_doctor-{version}.dist-info" / "RECORD"
    if record.is_file():
        parts.append(_stated(record.stat(), str(record)))
    else:
        for folder in (checks, package, package / "project"):
            try:
                entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
            except OSError:
                continue
            parts += [_stated(entry.stat(), entry.path) for entry in entries if entry.name.endswith(".py")]
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=32).digest()


def _stated(stat: os.stat_result, path: str) -> str:
    return f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}"


def _plain(conclusions: Conclusions) -> dict[str, Any]:
    """The conclusions as JSON. A finding's fix is not kept: it is always the catalogue's for its code."""
    return {"skip": conclusions.skip, "ok": conclusions.ok, "details": list(conclusions.details),
            "facts": dict(conclusions.facts), "legacy": conclusions.legacy,
            "findings": [[f.status.value, f.code, f.message, list(f.location) if f.location else None]
                         for f in conclusions.findings],
            "models": [list(model) for model in conclusions.models]}


def _texts(plain: dict[str, Any]) -> list[str]:
    texts = [plain["skip"] or "", plain["ok"], *plain["details"]]
    for _, _, message, location in plain["findings"]:
        texts += [message, location[0] if location else ""]
    for model in plain["models"]:
        texts += [model[0], model[1], model[3]]
    return texts


def _conclusions(plain: object) -> Conclusions | None:
    """Conclusions read back, or None for anything not exactly as _plain writes it (another
    version's file, a hand edit): such a memo is read as no memo."""
    from checks.catalogue import CATALOGUE
    from checks.code_models import CodeModel
    from checks.code_usage import Conclusions

    try:
        findings = tuple(Finding(Status(status), code, message, CATALOGUE[code].fix,
                                 location=Location(*location) if location is not None else None)
                         for status, code, message, location in plain["findings"])
        models = tuple(CodeModel(name, file, line, label) for name, file, line, label in plain["models"])
        conclusions = Conclusions(plain["skip"], findings, plain["ok"], tuple(plain["details"]), dict(plain["facts"]),
                                  models, plain["legacy"])
        return conclusions if _plain(conclusions) == plain and _well_typed(plain) else None
    except (TypeError, KeyError, ValueError, IndexError, AttributeError):
        return None


def _well_typed(plain: dict[str, Any]) -> bool:
    texts = _texts(plain)
    numbers = [part for *_, location in plain["findings"] if location for part in location[1:]]
    return all(isinstance(text, str) for text in texts) and isinstance(plain["legacy"], bool) and \
        all(part is None or type(part) is int for part in numbers) and \
        all(type(model[2]) is int for model in plain["models"]) and \
        all(isinstance(key, str) and type(value) is int for key, value in plain["facts"].items())
