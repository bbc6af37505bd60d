"""Live services for end-to-end tests: the API (gunicorn) and a Celery worker as separate
processes, talking over a real broker (the embedded filesystem transport, or Redis).

``service`` is parametrised over both brokers; Redis must be running on 127.0.0.1:6379
(``.ci/run`` starts it when it is down).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/14"
BROKERS = {"embedded": "", "redis": REDIS_URL}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_flush() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.ConnectionError as exc:
        pytest.fail(f"Redis is not reachable at {REDIS_URL} ({exc}); start it (see .ci/run)")


class Service:
    """The API and a worker on one data dir; each can be stopped and started again."""

    def __init__(self, data_dir: Path, broker_url: str) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.logs = data_dir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "TUNEFORGE_DATA_DIR": str(data_dir / "var"),
            "TUNEFORGE_PORT": str(self.port),
            "TUNEFORGE_BROKER_URL": broker_url,
            "TUNEFORGE_LEASE_SECONDS": "4",
            "TUNEFORGE_API_WORKERS": "1",
            "TUNEFORGE_WEBHOOK_SECRET": "test-secret",
            "TUNEFORGE_WEBHOOK_ALLOW_PRIVATE": "1",
        }
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.http = requests.Session()

    def start(self, name: str) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "api.cli", name],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if name == "api":
            self.wait_until(lambda: self._healthy(), 30, "the API to answer /healthz")
        else:
            self.wait_until(
                lambda: b" ready." in (self.logs / "worker.log").read_bytes(),
                60,
                "the worker to be ready",
            )

    def _healthy(self) -> bool:
        try:
            return self.http.get(f"{self.url}/healthz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 60) -> float:
        """Signal the process (and its pool) and wait; returns how long it took."""
        proc = self.procs.pop(name)
        started = time.monotonic()
        os.killpg(proc.pid, sig) if sig == signal.SIGKILL else proc.send_signal(sig)
        proc.wait(timeout=timeout)
        if name == "worker":
            (self.logs / "worker.log").rename(self.logs / f"worker-{time.time_ns()}.log")
        return time.monotonic() - started

    def close(self) -> None:
        for name in list(self.procs):
            try:
                self.stop(name, timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.procs.get(name, None).pid, signal.SIGKILL)

    @staticmethod
    def wait_until(check: Any, timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if value := check():
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}")

    # HTTP helpers ---------------------------------------------------------------------

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(self.url + path, timeout=30, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.post(self.url + path, timeout=60, **kwargs)

    def upload(self, csv: bytes, name: str = "table.csv") -> dict[str, Any]:
        response = self.post("/v1/datasets", files={"file": (name, csv, "text/csv")})
        assert response.status_code == 201, response.text
        return response.json()

    def submit(self, **spec: Any) -> dict[str, Any]:
        response = self.post("/v1/jobs", json=spec)
        assert response.status_code == 202, response.text
        return response.json()

    def job(self, job_id: str) -> dict[str, Any]:
        return self.get(f"/v1/jobs/{job_id}").json()

    def wait_for(
        self,
        job_id: str,
        statuses: tuple[str, ...] = ("succeeded", "failed", "cancelled"),
        timeout: float = 120,
    ) -> dict[str, Any]:
        return self.wait_until(
            lambda: (job := self.job(job_id))["status"] in statuses and job,
            timeout,
            f"job {job_id} to reach {statuses}",
        )

    def trials(self, job_id: str) -> list[dict[str, Any]]:
        items, url = [], f"/v1/jobs/{job_id}/trials?limit=100"
        while url:
            page = self.get(url).json()
            items += page["items"]
            url = page["next"]
        return items


@pytest.fixture(params=list(BROKERS))
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    broker = request.param
    if broker == "redis":
        redis_flush()
    svc = Service(tmp_path, BROKERS[broker])
    try:
        svc.start("api")
        svc.start("worker")
        yield svc
    finally:
        svc.close()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Service]:
    """One service on the embedded broker, for tests that need no second broker."""
    svc = Service(tmp_path, "")
    svc.env["TUNEFORGE_EVENTS_STREAM_SECONDS"] = "2"
    try:
        svc.start("api")
        svc.start("worker")
        yield svc
    finally:
        svc.close()
