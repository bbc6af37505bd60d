"""How ``serve`` tells a role came up (api/role_probes.py): not fooled by another process
holding the API's port and answering ``/healthz``, nor by a heartbeat file older than the
worker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from api.role_probes import api_is_up, listens_on, worker_is_up
from api.supervisor import Role


class _Healthy(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def healthz_here():
    """A server in this process answering 200 on every path; yields its port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Healthy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _role(pid: int) -> Role:
    role = Role("api", [], {})
    role.proc = SimpleNamespace(pid=pid)  # type: ignore[assignment]
    return role


def test_the_api_is_up_when_its_own_process_listens_and_answers(healthz_here):
    assert listens_on(os.getpid(), healthz_here)
    assert api_is_up("127.0.0.1", healthz_here)(_role(os.getpid()))
    assert api_is_up("0.0.0.0", healthz_here)(_role(os.getpid()))


def test_the_api_is_not_up_when_another_process_holds_the_port_and_answers(healthz_here):
    # another service (another tuneforge) on the port: our API failing to bind is not up
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert not listens_on(other.pid, healthz_here)
        assert not api_is_up("127.0.0.1", healthz_here)(_role(other.pid))
    finally:
        other.kill()
        other.wait()


def test_the_api_is_not_up_while_its_socket_listens_but_nothing_answers():
    # bound, but the app not loaded (gunicorn's workers failing to boot)
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        bound.listen()
        port = bound.getsockname()[1]
        assert listens_on(os.getpid(), port)
        assert not api_is_up("127.0.0.1", port)(_role(os.getpid()))


def test_a_worker_is_up_once_it_beat_after_its_start(tmp_path: Path):
    beat = tmp_path / "heartbeats" / "search-worker-host"
    role = Role("worker", [], {})
    role.started_wall = time.time()
    probe = worker_is_up(beat)
    assert not probe(role)  # no file yet
    beat.parent.mkdir()
    beat.touch()
    os.utime(beat, (role.started_wall - 60, role.started_wall - 60))
    assert not probe(role)  # a beat from a worker that ran before
    beat.touch()
    assert probe(role)
