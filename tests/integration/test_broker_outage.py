"""A broker outage for real: the service on a Redis server of the test's own, killed and
started again empty, while the API and the worker run."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis

from tests.backends import free_port
from tests.integration.conftest import Service

pytestmark = pytest.mark.integration

QUICK = {"target": "target", "estimator": "knn", "n_trials": 2}
# The promise: queued jobs start within this long of the broker's return.
PROMPT_S = 30


class RedisServer:
    """A Redis server on a free loopback port that keeps nothing on disk."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [shutil.which("redis-server") or "redis-server", "--port", str(self.port)]
        command += ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        Service.wait_until(self._answers, 10, "Redis to answer")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def _answers(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_connect_timeout=1).ping()
        except redis.ConnectionError:
            return False


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("needs the redis-server command")
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.kill()


def test_queued_jobs_start_within_30_s_of_the_brokers_return(
    tmp_path, redis_server, breast_cancer_csv
):
    service = Service(tmp_path, redis_server.url)
    try:
        service.start("api", "worker")
        dataset = service.upload(breast_cancer_csv)
        # given a job whose message the broker held when it went down, empty-handed (the
        # worker was paused, so it had not taken it)
        worker = service.procs["worker"]
        os.kill(worker.pid, signal.SIGSTOP)
        lost = service.submit(dataset_id=dataset["id"], **QUICK)
        redis_server.kill()
        os.kill(worker.pid, signal.SIGCONT)
        # and a job submitted during the outage, which the API could not send
        unsent = service.submit(dataset_id=dataset["id"], **QUICK)
        time.sleep(5)  # the worker tries the broker again meanwhile
        # when the broker comes back, empty
        redis_server.start()
        back = time.monotonic()
        # then both start within 30 s, not when the 5-minute requeue comes round
        for job in (lost, unsent):
            service.wait_until(
                lambda job=job: service.job(job["id"])["status"] != "queued",
                PROMPT_S - (time.monotonic() - back),
                f"job {job['id']} to start",
            )
        assert service.wait_for(lost["id"], timeout=60)["status"] == "succeeded"
        assert service.wait_for(unsent["id"], timeout=60)["status"] == "succeeded"
        log = (service.logs / "worker.log").read_text()
        assert "broker connection re-established" in log
    finally:
        service.close()
