"""No fragment of a key leaves the doctor, whatever a hostile server sends back, in any output.

The server echoes the key whole, cut after padding, in headers, in the reply, in an HTML
title, in a plain-text body, base64-, percent-encoded, reversed and upper-cased; every
output (each format, -v, GitHub annotations, the support report) is scanned for every
12-character window of the key in each of those forms.
"""

from __future__ import annotations

import base64
import json
import sys
from urllib.parse import quote

import pytest

from tests.conftest import CANARY_KEY, base_environ, doctor_cli, git, leaks, write_project
from tests.hostile import Hostile, completion, models, response

PADDED = "x" * 175 + CANARY_KEY + " was rejected by the gateway"
ENCODED = " | ".join((base64.b64encode(CANARY_KEY.encode()).decode(), base64.b64encode(CANARY_KEY[1:].encode()).decode(),
                      quote(CANARY_KEY), CANARY_KEY[::-1], CANARY_KEY.upper(), CANARY_KEY[30:60]))
ECHOES = {
    "padded-401": lambda h: h.route("GET", "/models", response(401, {"error": {"message": PADDED, "type": "x",
                                                                                "code": "invalid_api_key"}})),
    "encoded-429": lambda h: h.route("POST", "/chat/completions", response(429, {"error": {"message": ENCODED,
                                                                                           "code": "rate_limit"}})),
    "headers": lambda h: h.route("POST", "/chat/completions", response(200, completion("hi"), headers={
        "x-ratelimit-limit-requests": CANARY_KEY, "x-ratelimit-remaining-requests": ENCODED,
        "x-ratelimit-reset-requests": PADDED})),
    "reply": lambda h: h.route("POST", "/chat/completions", response(200, completion(PADDED + " " + ENCODED))),
    "html-title": lambda h: h.route("GET", "/models", response(200, f"<html><title>{PADDED}</title></html>".encode(),
                                                                content_type="text/html")),
    "plain-text": lambda h: h.route("GET", "/models", response(500, (PADDED + ENCODED).encode(),
                                                                content_type="text/plain")),
    "status-line": lambda h: h.route("GET", "/models", response(403, {"error": "no"}, reason=PADDED)),
    "model-id": lambda h: h.route("GET", "/models", response(200, models("gpt-4o-mini", PADDED))),
}


def project_for(tmp_path, url):
    project = write_project(tmp_path / "p", env=f"OPENAI_API_KEY={CANARY_KEY}\nOPENAI_BASE_URL={url}\n",
                            gitignore=".env\n", requirements="openai\n")
    git(project, "init", "-q")
    return project


@pytest.mark.parametrize("echo", sorted(ECHOES))
def test_no_window_of_the_key_in_any_output(tmp_path, echo):
    with Hostile() as server:
        ECHOES[echo](server)
        project = project_for(tmp_path, server.url)
        env = base_environ(VIRTUAL_ENV=sys.prefix, GITHUB_ACTIONS="true", GITHUB_WORKSPACE=str(project))
        common = ("--project", str(project), "--python", sys.executable, "--timeout", "5")
        outputs = [doctor_cli("check", *common, "--format", fmt, *extra, env=env)
                   for fmt, extra in (("text", ["-v"]), ("json", []), ("markdown", []), ("junit", ["-v"]))]
        report_file = tmp_path / "report.md"
        outputs.append(doctor_cli("report", *common, "-o", str(report_file), env=env))
        outputs.append(doctor_cli("report", *common, "--format", "json", env=env))
    texts = [o.stdout + o.stderr for o in outputs]
    if report_file.exists():
        texts.append(report_file.read_text())
    for done in outputs:
        assert done.returncode in (0, 1), done.stdout + done.stderr
        assert "Traceback" not in done.stderr
    for text in texts:
        assert leaks(text, CANARY_KEY) == [], text[-3000:]
    assert json.loads(outputs[1].stdout)["schema_version"] == 1


FORGERY = "gpt-4o\n::error file=app.py,line=1::forged\x1b]8;;http://evil.example\x07click\x1b]8;;\x07\x1b[2J\x00\x0b"


def test_server_text_cannot_forge_ci_lines_or_break_xml_and_json(tmp_path):
    import xml.etree.ElementTree as ET

    with Hostile() as server:
        server.route("GET", "/models", response(200, models(FORGERY, "gpt-4o-mini-x")))
        server.route("POST", "/chat/completions", response(404, {"error": {"message": FORGERY, "code": "model_not_found"}}))
        project = project_for(tmp_path, server.url)
        env = base_environ(VIRTUAL_ENV=sys.prefix, GITHUB_ACTIONS="true", GITHUB_WORKSPACE=str(project))
        common = ("--project", str(project), "--python", sys.executable, "--timeout", "5", "--model", "gpt-4o-mini-x")
        text = doctor_cli("check", *common, "-v", env=env)
        junit = doctor_cli("check", *common, "--format", "junit", env=env)
        document = doctor_cli("check", *common, "--format", "json", env=env)
    for done in (text, junit, document):
        for line in (done.stdout + done.stderr).splitlines():
            assert "forged" not in line or not line.lstrip().startswith("::"), line
        assert "\x1b" not in done.stdout + done.stderr and "\x00" not in done.stdout
    ET.fromstring(junit.stdout)
    json.loads(document.stdout)
    assert "forged" in text.stdout  # shown, as text
