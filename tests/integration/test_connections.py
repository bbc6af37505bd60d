"""Slow and long-lived clients do not starve the others (issue 9, item 2).

Real sockets against the API as it runs in production (gunicorn's gevent worker, two
processes) and a worker: 500 clients follow a running job's events and 100 send a request
head a byte at a time, while ``GET /healthz`` is timed, a new job is submitted and
followed to its end, and the slow heads are cut at the deadline with a 408 problem. One
selector, in a process of its own, drives the 600 connections.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import multiprocessing
import resource
import selectors
import socket
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.integration.conftest import Service

pytestmark = pytest.mark.integration

STREAMS = 500
SLOW_HEADS = 100
HEADER_TIMEOUT_S = 10
SAMPLES = 250
SLOW_HEAD = b"GET /healthz HTTP/1.1\r\nHost: tuneforge\r\nX-Slow: " + b"a" * 4096
# A job that records a trial every few tenths of a second for well over the test's length.
BUSY = {
    "target": "target",
    "estimator": "random_forest",
    "n_trials": 500,
    # a float among the parameters: candidates never run out (an int range alone would
    # end the search after its few distinct values)
    "param_space": {
        "n_estimators": {"type": "int", "low": 10, "high": 30},
        "max_features": {"type": "float", "low": 0.1, "high": 1.0},
    },
    "timeout_s": 180,
}


class Crowd:
    """Raw connections in a process of their own (its work must not delay the requests
    this process times), driven by one selector: event streams, which it reads, and slow
    heads, to which it sends one byte a second. Each method runs there, asked by pipe."""

    def __init__(self, port: int) -> None:
        self._conn, child = multiprocessing.Pipe()
        self._process = multiprocessing.get_context("fork").Process(
            target=_Connections(port).serve, args=(child,), daemon=True
        )
        self._process.start()

    def open_streams(self, path: str, n: int) -> None:
        self._ask("open_streams", path, n)

    def open_slow_heads(self, n: int) -> None:
        self._ask("open_slow_heads", n)

    def streams(self) -> list[tuple[bool, bool, float | None]]:
        """For each stream: whether it started (its ``retry:`` hint came), whether a trial
        event came, and after how long it was closed (None: it is open)."""
        return self._ask("streams")

    def slow_heads(self) -> list[tuple[bytes, float | None]]:
        """For each slow head: what it received, and after how long it was closed."""
        return self._ask("slow_heads")

    def close(self) -> None:
        self._process.kill()
        self._process.join()

    def _ask(self, method: str, *args: Any) -> Any:
        self._conn.send((method, args))
        return self._conn.recv()


class _Connections:
    """The crowd's side: its sockets, what each received, and when each was closed."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.selector = selectors.DefaultSelector()
        self.groups: dict[str, list[socket.socket]] = {"streams": [], "slow": []}
        self.received: dict[socket.socket, bytearray] = {}
        self.opened: dict[socket.socket, float] = {}
        self.closed_after: dict[socket.socket, float] = {}
        self.sent: dict[socket.socket, int] = {}  # bytes of SLOW_HEAD sent so far

    def serve(self, conn: Any) -> None:
        self.selector.register(conn, selectors.EVENT_READ)
        next_drip = time.monotonic() + 1
        while True:
            for key, _ in self.selector.select(timeout=0.05):
                if key.fileobj is conn:
                    method, args = conn.recv()
                    conn.send(getattr(self, method)(*args))
                else:
                    self.read(key.fileobj)
            if time.monotonic() >= next_drip:
                next_drip += 1
                self.drip()

    def open_streams(self, path: str, n: int) -> None:
        for _ in range(n):
            self.open("streams").sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())

    def open_slow_heads(self, n: int) -> None:
        for _ in range(n):
            sock = self.open("slow")
            sock.sendall(SLOW_HEAD[:1])
            self.sent[sock] = 1

    def streams(self) -> list[tuple[bool, bool, float | None]]:
        return [
            (b"retry: 1000" in got, b"event: trial" in got, self.closed_after.get(sock))
            for sock, got in ((sock, self.received[sock]) for sock in self.groups["streams"])
        ]

    def slow_heads(self) -> list[tuple[bytes, float | None]]:
        return [(bytes(self.received[s]), self.closed_after.get(s)) for s in self.groups["slow"]]

    def open(self, group: str) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        self.groups[group].append(sock)
        self.received[sock] = bytearray()
        self.opened[sock] = time.monotonic()
        self.selector.register(sock, selectors.EVENT_READ)
        return sock

    def read(self, sock: socket.socket) -> None:
        try:
            data = sock.recv(65536)
        except OSError:
            data = b""
        if data:
            self.received[sock] += data
        else:
            self.selector.unregister(sock)
            self.closed_after[sock] = time.monotonic() - self.opened[sock]

    def drip(self) -> None:
        for sock, sent in self.sent.items():
            if sock not in self.closed_after:
                with contextlib.suppress(OSError):
                    sock.send(SLOW_HEAD[sent : sent + 1])
                    self.sent[sock] = sent + 1


def healthz_seconds(port: int) -> float:
    """One ``GET /healthz`` on a new connection, as a load balancer checks: its seconds."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        assert response.status == 200 and json.loads(response.read()) == {"status": "ok"}
    finally:
        conn.close()
    return time.perf_counter() - started


def follow(service: Service, job_id: str) -> list[str]:
    """Every event kind of the job's stream, reconnecting with Last-Event-ID, until end."""
    kinds: list[str] = []
    last_id = None
    while "end" not in kinds:
        headers = {"Last-Event-ID": last_id} if last_id else {}
        with requests.get(
            f"{service.url}/v1/jobs/{job_id}/events", headers=headers, stream=True, timeout=60
        ) as response:
            assert response.status_code == 200
            for line in response.iter_lines(decode_unicode=True):
                if line.startswith("id: "):
                    last_id = line[4:]
                elif line.startswith("event: "):
                    kinds.append(line[7:])
    return kinds


@pytest.fixture
def crowded_service(tmp_path: Path) -> Iterator[Service]:
    """The API with its production defaults (two processes), streams long enough to stay
    open through the test, and a worker."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    svc = Service(
        tmp_path,
        "",
        TUNEFORGE_API_WORKERS="2",
        TUNEFORGE_EVENTS_STREAM_SECONDS="120",
        TUNEFORGE_HEADER_TIMEOUT_SECONDS=str(HEADER_TIMEOUT_S),
    )
    try:
        svc.start("api")
        svc.start("worker")
        yield svc
    finally:
        svc.close()


def test_slow_and_streaming_clients_do_not_starve_the_others(crowded_service, breast_cancer_csv):
    service = crowded_service
    dataset = service.upload(breast_cancer_csv, "breast_cancer.csv")
    # given a job that runs throughout, recording a trial every fraction of a second
    busy = service.submit(dataset_id=dataset["id"], **BUSY)
    crowd = Crowd(service.port)
    try:
        # and 500 clients following its events, then 100 sending a request head slowly
        crowd.open_streams(f"/v1/jobs/{busy['id']}/events", STREAMS)
        Service.wait_until(
            lambda: all(started for started, _, _ in crowd.streams()),
            60,
            "every stream to start",
        )
        crowd.open_slow_heads(SLOW_HEADS)

        # when /healthz is asked, every 20 ms
        seconds = []
        for _ in range(SAMPLES):
            seconds.append(healthz_seconds(service.port))
            time.sleep(0.02)

        # then it answers within 100 ms, 99 times in 100
        p50, p99 = statistics.median(seconds), statistics.quantiles(seconds, n=100)[98]
        print(f"healthz over {len(seconds)}: p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
        assert p99 < 0.1, f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"
        # while every stream stayed open and followed the job's trials
        assert service.job(busy["id"])["status"] == "running"
        assert all(saw_trial and after is None for _, saw_trial, after in crowd.streams())

        # and a new job can be submitted and followed to its end
        job = service.submit(dataset_id=dataset["id"], target="target", estimator="knn", n_trials=3)
        kinds = follow(service, job["id"])
        assert kinds.count("trial") == 3 and kinds[-2:] == ["status", "end"], kinds
        assert service.job(job["id"])["status"] == "succeeded"

        # and each slow head was answered 408 (a problem) once its deadline passed
        Service.wait_until(
            lambda: all(after is not None for _, after in crowd.slow_heads()),
            HEADER_TIMEOUT_S + 20,
            "the slow heads to be cut",
        )
        slow = crowd.slow_heads()
        assert len(slow) == SLOW_HEADS
        for answer, after in slow:
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 408 Request Timeout"), answer
            assert b"Content-Type: application/problem+json" in head
            assert json.loads(body)["status"] == 408
            assert HEADER_TIMEOUT_S - 1 < after < HEADER_TIMEOUT_S + 10
    finally:
        crowd.close()
