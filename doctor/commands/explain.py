"""`llm-doctor explain`: a code, a check id, or a pasted error; offline, and never echoing a key."""

from __future__ import annotations

import argparse
import sys
from typing import Mapping, TextIO

from doctor.cli import EXIT_FAILED, EXIT_OK, UsageError

KEEP_BYTES = 256 * 1024  # of a huge paste, its start and its end (where a traceback's error is)


def run(args: argparse.Namespace, environ: Mapping[str, str], stdout: TextIO) -> int:
    """Explains a code, a check id or a pasted error; works offline and never echoes a key."""
    from checks import ALL_CHECKS
    from checks.explain import explain
    from doctor.redact import Redactor

    words = args.topic
    text = read_head_and_tail(sys.stdin.buffer) if words == ["-"] else " ".join(words)
    if not text.strip():
        raise UsageError("nothing to explain: give a code, an error message, or - to read stdin")
    check = next((c for c in ALL_CHECKS if c.id == text.strip().lower()), None)
    if check is not None:
        stdout.write(f"{check.id}: {check.title}\n\n{check.doc}\n\nCodes: {', '.join(check.codes)}\n")
        return EXIT_OK
    from doctor.render import explanation

    result = explain(text)
    render = explanation.to_json if args.format == "json" else explanation.to_text
    stdout.write(Redactor().redact(render(result)))
    return EXIT_OK if result.diagnosis is not None else EXIT_FAILED


def read_head_and_tail(stream, keep: int = KEEP_BYTES) -> str:  # noqa: ANN001 - a binary stream
    """Reads any amount of input in bounded memory, keeping its first and last `keep` bytes."""
    head = stream.read(keep)
    tail = bytearray()
    while chunk := stream.read(65536):
        tail += chunk
        del tail[: max(0, len(tail) - keep)]
    joined = head + (b"\n...\n" if tail else b"") + bytes(tail)
    return joined.decode("utf-8", "replace")
