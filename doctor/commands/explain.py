"""`llm-doctor explain`: a code, a check id, or a pasted error; offline, and never echoing a key."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Mapping, TextIO

from doctor.cli import EXIT_FAILED, EXIT_OK, UsageError

if TYPE_CHECKING:
    from checks.explain import Topic
    from doctor.model import Check

KEEP_BYTES = 256 * 1024  # of a huge paste, its start and its end (where a traceback's error is)


def run(args: argparse.Namespace, environ: Mapping[str, str], stdout: TextIO) -> int:
    """Explains a code, a check id or a pasted error; works offline and never echoes a key."""
    from checks.explain import explain
    from doctor.redact import Redactor

    words = args.topic
    text = read_head_and_tail(sys.stdin.buffer) if words == ["-"] else " ".join(words)
    if not text.strip():
        raise UsageError("nothing to explain: give a code, an error message, or - to read stdin")
    named = by_name(text, args.format == "json")
    if named is not None:
        stdout.write(named)
        return EXIT_OK
    from doctor.render import explanation

    result = explain(text)
    render = explanation.to_json if args.format == "json" else explanation.to_text
    stdout.write(Redactor().redact(render(result)))
    return EXIT_OK if result.diagnosis is not None else EXIT_FAILED


def by_name(text: str, json_out: bool) -> str | None:
    """What a topic (a bare status or word such as 429 or quota) or a check id names; None for text to
    diagnose. `timeout` is both: the causes of a timeout, then what the check measures (in JSON, the causes)."""
    from checks import ALL_CHECKS
    from checks.explain import topic

    found = topic(text)
    check = next((c for c in ALL_CHECKS if c.id == text.strip().lower()), None)
    if json_out:
        return topic_json(found) if found else check_json(check) if check else None
    parts = ([topic_text(found)] if found else []) + ([check_text(check)] if check else [])
    return "\n".join(parts) or None


def topic_text(found: Topic) -> str:
    """A bare status or word: every cause it may stand for, what tells each apart, and its fix."""
    lines = [f"{found.title}: {_how_many(found)}", ""]
    for cause in found.causes:
        lines += [f"{cause.diagnosis.code}: {cause.diagnosis.title}", f"  How to tell: {cause.how_to_tell}",
                  f"  Fix: {cause.diagnosis.fix.summary}", ""]
    lines.append("Paste the whole error or traceback to know which (`llm-doctor explain -` reads it from stdin); "
                 "`llm-doctor explain CODE` explains one cause in full.")
    return "\n".join(lines) + "\n"


def topic_json(found: Topic) -> str:
    """The keys of an explanation; no single code, and every cause among the alternatives with what tells it."""
    import json

    causes = [{"code": c.diagnosis.code, "title": c.diagnosis.title, "how_to_tell": c.how_to_tell,
               "fix": c.diagnosis.fix.to_dict()} for c in found.causes]
    document = {"code": None, "title": found.title, "confidence": "none", "cause": _how_many(found), "fix": None,
                "evidence": [], "alternatives": causes}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _how_many(found: Topic) -> str:
    count = len(found.causes)
    return "one known cause." if count == 1 else f"{count} possible causes; the whole error tells which."


def check_text(check: Check) -> str:
    return f"{check.id}: {check.title}\n\n{check.doc}\n\nCodes: {', '.join(check.codes)}\n"


def check_json(check: Check) -> str:
    import json

    document = {"check": check.id, "title": check.title, "doc": check.doc, "codes": list(check.codes)}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def read_head_and_tail(stream, keep: int = KEEP_BYTES) -> str:  # noqa: ANN001 - a binary stream
    """Reads any amount of input in bounded memory, keeping its first and last `keep` bytes."""
    head = stream.read(keep)
    tail = bytearray()
    while chunk := stream.read(65536):
        tail += chunk
        del tail[: max(0, len(tail) - keep)]
    joined = head + (b"\n...\n" if tail else b"") + bytes(tail)
    return joined.decode("utf-8", "replace")
