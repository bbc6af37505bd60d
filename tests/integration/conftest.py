"""Live services for end-to-end tests: the API (gunicorn) and a Celery worker as separate
processes, on one of the backends below.

``service`` runs on the embedded default (SQLite, a local folder, kombu's filesystem
transport); a test marked ``@backends(...)`` runs once on each backend it names, shown in
its id (``test_…[postgres-s3-redis]``). Each run gets a fresh PostgreSQL database, its own
S3 bucket on the session's moto server, an emptied Redis database or RabbitMQ queue.
PostgreSQL, Redis and RabbitMQ must be running on 127.0.0.1 (``.ci/run`` starts them).

``shared_service`` is one service per backend for the whole session, for the tests that
neither stop, restart nor reconfigure its processes: starting and stopping an API and a
worker takes 15 to 20 s of a test's time on two busy cores. Such a test looks only at the
datasets and jobs it made (or at counts relative to before it), and leaves no job
queued or running (whatever is left is cancelled after it).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from tests.backends import S3_ENV, free_port, fresh_postgres_database

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/14"
# The shared services' own Redis database: tests on ``service`` flush REDIS_URL's, and two
# workers on one queue would take each other's messages.
SHARED_REDIS_URL = "redis://127.0.0.1:6379/13"
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672//"
QUEUE = "tuneforge"


@dataclass(frozen=True)
class Backend:
    """Where a live service keeps its state and gets its messages."""

    database: str  # sqlite | postgres
    storage: str  # local | s3
    broker: str  # embedded | redis | rabbitmq


BACKENDS = {
    "embedded": Backend("sqlite", "local", "embedded"),
    "postgres-s3-redis": Backend("postgres", "s3", "redis"),
    "rabbitmq": Backend("sqlite", "local", "rabbitmq"),
}
# The backends many machines share, beside the embedded default.
SHARED = ("embedded", "postgres-s3-redis")


def backends(*names: str) -> pytest.MarkDecorator:
    """Run the test's ``service`` (or ``live``, or ``shared_service``) on each backend
    named (default: embedded only)."""
    assert set(names) <= set(BACKENDS), names
    return pytest.mark.backends(*names)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "backends(*names): the backends `service` runs on")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("backends")
    names = marker.args if marker else ("embedded",)
    for fixture in ("service", "live"):
        if fixture in metafunc.fixturenames:
            metafunc.parametrize(fixture, names, indirect=True)
    if "shared_service" in metafunc.fixturenames:
        metafunc.parametrize("started_service", names, indirect=True, scope="session")


def redis_flush(url: str = REDIS_URL) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.ConnectionError as exc:
        pytest.fail(f"Redis is not reachable at {url} ({exc}); start it (see .ci/run)")


def rabbitmq_purge() -> None:
    from amqp.exceptions import NotFound
    from kombu import Connection

    try:
        with Connection(AMQP_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1)
            with contextlib.suppress(NotFound):  # not declared yet: nothing to purge
                conn.default_channel.queue_purge(QUEUE)
    except OSError as exc:
        pytest.fail(f"RabbitMQ is not reachable at {AMQP_URL} ({exc}); start it (see .ci/run)")


class Service:
    """The API and a worker on one data dir; each can be stopped and started again."""

    def __init__(self, data_dir: Path, broker_url: str, **env: str) -> None:
        self.data_dir = data_dir
        self.broker_url = broker_url
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
            # One worker slot (the default is one per core): what the tests expect of a
            # job's trials, and one trial process per test's worker on shared cores. A test
            # of parallel trials asks for more.
            "TUNEFORGE_WORKER_CONCURRENCY": "1",
            **env,
        }
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.http = requests.Session()
        # A kept-alive connection the server closes just as a request goes out is reset;
        # retry idempotent requests once on a new connection rather than fail the test.
        retry = Retry(total=1, connect=0, read=1, other=0, allowed_methods={"GET"})
        self.http.mount("http://", HTTPAdapter(max_retries=retry))

    def start(self, *names: str) -> None:
        """Start ``api``, a webhook worker (``webhook-worker``…) or a worker: any other name
        is a search worker (``worker-2`` …), each its own process with its own log and
        memory, as on another machine. Several names start side by side (each spends
        seconds importing), then each is waited for."""
        for name in names:
            self._spawn(name)
        for name in names:
            self._wait_ready(name)

    def _spawn(self, name: str) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        if name == "api":
            command = "api"
        elif name.startswith("webhook-worker"):
            command = "webhook-worker"
        else:
            command = "worker"
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "api.launcher", command],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _wait_ready(self, name: str) -> None:
        if name == "api":
            self.wait_until(lambda: self._healthy(), 30, "the API to answer /healthz")
        else:
            self.wait_until(
                lambda: b" ready." in (self.logs / f"{name}.log").read_bytes(),
                60,
                f"{name} to be ready",
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
        if name != "api":
            (self.logs / f"{name}.log").rename(self.logs / f"{name}-{time.time_ns()}.log")
        return time.monotonic() - started

    def close(self) -> None:
        """Kill every process and its children, once the test is over.

        A graceful stop of an API and a worker took 6 to 10 s of each test (Celery's
        warm shutdown alone 4 to 6 s) and checked nothing: the tests that stop a process
        do it with :meth:`stop` and assert how it went. Each test has its own data dir,
        database and bucket, and the next test empties the Redis database or the RabbitMQ
        queue before it starts.
        """
        procs, self.procs = self.procs, {}
        for proc in procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        for proc in procs.values():
            proc.wait(timeout=30)

    def cancel_unfinished(self) -> None:
        """Cancel every queued or running job, so that the next test finds the worker free."""
        for status in ("queued", "running"):
            url = f"/v1/jobs?status={status}&limit=100"
            while url:
                page = self.get(url).json()
                for job in page["items"]:
                    self.post(f"/v1/jobs/{job['id']}/cancel")
                url = page["next"]

    @staticmethod
    def wait_until(check: Any, timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if value := check():
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}")

    def lose_messages(self) -> None:
        """Empty the broker, as a Redis restart or a crash after taking a message would."""
        if self.broker_url == REDIS_URL:
            redis_flush()
        elif self.broker_url == AMQP_URL:
            rabbitmq_purge()
        else:
            for message in (self.data_dir / "var" / "broker" / "queue").iterdir():
                message.unlink()

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


def backend_env(
    backend: Backend,
    request: pytest.FixtureRequest,
    postgres_url: str | None = None,
    redis_url: str = REDIS_URL,
) -> tuple[str, dict[str, str]]:
    """The broker URL and the variables for ``backend``, each part fresh for this test (or
    for the session: its own PostgreSQL database and Redis database given)."""
    env: dict[str, str] = {}
    if backend.database == "postgres":
        env["TUNEFORGE_DATABASE_URL"] = postgres_url or request.getfixturevalue("postgres_url")
    if backend.storage == "s3":
        moto = request.getfixturevalue("moto")
        env["TUNEFORGE_STORAGE_URL"] = f"s3://{moto.new_bucket()}/tuneforge"
        env["TUNEFORGE_S3_ENDPOINT_URL"] = moto.url
        env.update(S3_ENV)
    if backend.broker == "redis":
        redis_flush(redis_url)
        return redis_url, env
    if backend.broker == "rabbitmq":
        rabbitmq_purge()
        return AMQP_URL, env
    return "", env


@pytest.fixture
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    """The API and a worker on the backend the test is parametrised with."""
    broker_url, env = backend_env(BACKENDS[getattr(request, "param", "embedded")], request)
    svc = Service(tmp_path, broker_url, **env)
    try:
        svc.start("api", "worker")
        yield svc
    finally:
        svc.close()


@pytest.fixture
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    """One service with short event streams, for tests that walk every operation: on the
    embedded default, or on each backend ``@backends`` names."""
    broker_url, env = backend_env(BACKENDS[getattr(request, "param", "embedded")], request)
    svc = Service(tmp_path, broker_url, **env)
    svc.env["TUNEFORGE_EVENTS_STREAM_SECONDS"] = "2"
    try:
        svc.start("api", "worker")
        yield svc
    finally:
        svc.close()


@pytest.fixture(scope="session")
def started_service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    """The session's service on one backend (as ``live`` has it: short event streams),
    started when a test first asks for it; use it through ``shared_service``."""
    name = getattr(request, "param", "embedded")
    backend = BACKENDS[name]
    assert backend.broker != "rabbitmq", "no second RabbitMQ queue for a shared service"
    with ExitStack() as stack:
        database = None
        if backend.database == "postgres":
            database = stack.enter_context(fresh_postgres_database())
        broker_url, env = backend_env(backend, request, database, SHARED_REDIS_URL)
        svc = Service(tmp_path_factory.mktemp(f"shared-{name}"), broker_url, **env)
        svc.env["TUNEFORGE_EVENTS_STREAM_SECONDS"] = "2"
        stack.callback(svc.close)
        svc.start("api", "worker")
        yield svc


@pytest.fixture
def shared_service(started_service: Service) -> Iterator[Service]:
    """The session's service on the test's backend, left with no job queued or running.

    Only for tests that do not stop, restart or reconfigure its processes, and that look
    at their own datasets and jobs only: others ran before on the same store."""
    yield started_service
    started_service.cancel_unfinished()
