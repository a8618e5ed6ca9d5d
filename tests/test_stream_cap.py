"""A stream longer than the doctor reads: the doctor's own cap is said, never blamed on the server."""

from __future__ import annotations

import json
import sys

import pytest

from checks.stream_read import cut_note, read_stream
from doctor.http import MAX_BODY_BYTES
from tests.hostile import Hostile, Request, completion, response
from tests.test_hostile_server import diagnose

FRAME = b'data: {"choices":[{"index":0,"delta":{"content":"word "}}]}\n\n'


def _capped(frames: bytes) -> bytes:
    return frames[:MAX_BODY_BYTES]


def test_a_stream_cut_by_the_cap_is_not_malformed():
    body = _capped(FRAME * (MAX_BODY_BYTES // len(FRAME) + 10))
    assert not body.endswith(b"\n\n")  # the cap split a frame
    assert read_stream(body).invalid  # read as if whole, the split frame is "not JSON": the old verdict
    read = read_stream(body, MAX_BODY_BYTES)
    assert read.invalid == [] and read.error is None and read.cut == MAX_BODY_BYTES
    assert read.frames == body.count(b"\n\n") and read.text.startswith("word word")
    note = cut_note(read)
    assert "1024 KB the doctor reads" in note and f"{read.frames} frames" in note


def test_a_broken_frame_before_the_cap_is_still_the_servers():
    body = _capped(FRAME * 10 + b"data: {not json\n\n" + FRAME * (MAX_BODY_BYTES // len(FRAME)))
    read = read_stream(body, MAX_BODY_BYTES)
    assert read.invalid == ["{not json"] and read.frames == 10


def endless_stream(request: Request) -> bytes | None:
    if not (isinstance(request.body, dict) and request.body.get("stream")):
        return response(200, completion("ok"))
    request.connection.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n")
    try:
        while True:
            request.connection.sendall(FRAME * 2000)
    except OSError:
        return None


@pytest.mark.skipif(sys.platform == "win32", reason="ulimit")
def test_an_endless_stream_is_the_doctors_cap_not_stream_malformed(tmp_path):
    with Hostile() as server:
        server.route("POST", "/chat/completions", endless_stream)
        _, results = diagnose(tmp_path, server, "--only", "streaming")
    streaming = results["streaming"]
    assert streaming["status"] == "warn" and streaming["code"] == "probe-inconclusive", streaming
    assert "1024 KB the doctor reads" in streaming["message"] and "stream-malformed" not in json.dumps(streaming)
