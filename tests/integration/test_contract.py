"""schemathesis against the live service: every operation, generated cases, zero failures.

Checks: no server errors, status codes, content types and response bodies all as
openapi.yaml documents them. The stateful phase follows the declared links (upload →
submit → follow, result, model, cancel).
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)


def test_schemathesis_finds_no_failure(live):
    st = Path(sys.executable).with_name("st")
    done = subprocess.run(
        [
            str(st),
            "run",
            f"{live.url}/openapi.json",
            "--checks",
            CHECKS,
            "--max-examples",
            "10",
            "--seed",
            "1",
            "--workers",
            "1",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--warnings",
            "off",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "passed" in done.stdout and "Stateful" in done.stdout


def test_a_request_the_http_server_cannot_parse_gets_a_problem(live):
    with socket.create_connection(("127.0.0.1", live.port)) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\n\r\n")
        head, _, body = conn.recv(4096).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert b"Content-Type: application/problem+json" in head
    assert b'"status": 400' in body
