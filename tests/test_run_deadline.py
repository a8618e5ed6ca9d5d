"""The live run as a whole keeps its own deadline against a server that answers each request just
before the timeout, one request at a time."""

from __future__ import annotations

import json
import sys
import threading
import time

import pytest

from doctor.http import RUN_TIMEOUTS
from tests.hostile import Hostile, Request, completion, response
from tests.test_hostile_server import diagnose

TIMEOUT = 2.0


def one_at_a_time(delay: float):
    lock = threading.Lock()

    def answer(request: Request) -> bytes:
        with lock:  # a local model that serves one request at a time
            time.sleep(delay)
        return response(200, completion("ok"))
    return answer


@pytest.mark.skipif(sys.platform == "win32", reason="ulimit")
def test_answers_just_before_the_timeout_cannot_stretch_the_run(tmp_path):
    with Hostile() as server:
        server.route("POST", "/chat/completions", one_at_a_time(TIMEOUT * 0.9))
        start = time.monotonic()
        _, results = diagnose(tmp_path, server, timeout=TIMEOUT)
        took = time.monotonic() - start
    # Sliding alone, the three queued completions end 5.4 s after the first was sent; the run's own end is 4 s.
    sample = results["sample-call"]
    assert sample["code"] == "probe-inconclusive" and "live run's own deadline" in sample["message"], sample
    assert all(c["status"] != "error" for c in results.values()), json.dumps(results)[:3000]
    live = max(c["duration_ms"] for c in results.values() if c["live"]) / 1000
    assert live < RUN_TIMEOUTS * TIMEOUT + 1.0, live
