"""`tuneforge serve`, as `make run` starts it: the API, a worker and a webhook worker up,
a role that dies started again while the others go on serving, all down on Ctrl-C
(tests/integration/test_stopping.py: within their grace periods, however many signals);
a role that cannot start (the port taken) ends serve with 1, saying why."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tasks.shutdown import children
from tests.integration.conftest import ROOT, Service, free_port
from tests.receiver import Receiver

pytestmark = pytest.mark.integration


def test_serve_starts_api_and_workers_and_stops_on_ctrl_c(tmp_path, breast_cancer_csv):
    port = free_port()
    env = {**os.environ, "TUNEFORGE_DATA_DIR": str(tmp_path / "var"), "TUNEFORGE_PORT": str(port)}
    env["TUNEFORGE_WEBHOOK_ALLOW_PRIVATE"] = "1"
    receiver = Receiver([])
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.launcher", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        Service.wait_until(lambda: _ok(url + "/healthz"), 30, "the API")
        job = _submit_knn(url, breast_cancer_csv, n_trials=3, webhook_url=receiver.url)
        Service.wait_until(
            lambda: (
                requests.get(f"{url}/v1/jobs/{job['id']}", timeout=5).json()["status"]
                == "succeeded"
            ),
            60,
            "the job",
        )
        Service.wait_until(lambda: receiver.requests, 30, "the job's webhook")
        # when Ctrl-C reaches the process group
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=40) == 0
        # then nothing is left listening
        assert not _ok(url + "/healthz")
    finally:
        receiver.close()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def test_serve_refuses_a_public_address_without_api_keys(tmp_path):
    env = {**os.environ, "TUNEFORGE_DATA_DIR": str(tmp_path), "TUNEFORGE_HOST": "0.0.0.0"}
    done = subprocess.run(
        [sys.executable, "-m", "api.launcher", "serve"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=30,
    )
    assert done.returncode != 0 and b"TUNEFORGE_API_KEYS" in done.stderr


def test_serve_exits_1_saying_why_when_its_port_is_taken(tmp_path):
    # a newcomer's port 8000 held by something else: serve must give the prompt back
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    held.listen()
    port = held.getsockname()[1]
    env = {**os.environ, "TUNEFORGE_DATA_DIR": str(tmp_path / "var"), "TUNEFORGE_PORT": str(port)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.launcher", "serve"],
        cwd=ROOT,
        env={**env, "TUNEFORGE_LOG_FORMAT": "text"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=90)
        assert proc.returncode == 1
        # gunicorn's own reason, and serve's one line naming the role
        assert b"Address already in use" in out
        assert b"api could not start (exit code 1)" in out
        assert b"exiting 1: api could not start" in out
        assert b"api started again" not in out
        # and nothing it started is left
        assert _processes_with_data_dir(tmp_path / "var") == []
    finally:
        held.close()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_serve_starts_a_killed_role_again_and_the_others_keep_serving(tmp_path, breast_cancer_csv):
    port = free_port()
    env = {**os.environ, "TUNEFORGE_DATA_DIR": str(tmp_path / "var"), "TUNEFORGE_PORT": str(port)}
    log = tmp_path / "serve.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.launcher", "serve"],
        cwd=ROOT,
        env={**env, "TUNEFORGE_LOG_FORMAT": "text"},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    failures: list[str] = []
    watching = threading.Event()
    try:
        Service.wait_until(lambda: _ok(url + "/healthz"), 60, "the API")
        first = Service.wait_until(lambda: _role_pid(proc.pid, "tasks.worker"), 60, "a worker")
        Service.wait_until(lambda: b" ready." in log.read_bytes(), 60, "the worker to be ready")

        def watch() -> None:
            while not watching.is_set():
                if not _ok(url + "/healthz"):
                    failures.append(time.strftime("%X"))
                time.sleep(0.2)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        # when the worker's main process dies without warning
        os.kill(first, signal.SIGKILL)
        # then a new worker comes up, and a job submitted afterwards succeeds, while the API
        # has answered all along
        Service.wait_until(
            lambda: _role_pid(proc.pid, "tasks.worker") not in (None, first), 60, "a new worker"
        )
        job = _submit_knn(url, breast_cancer_csv, n_trials=2)
        Service.wait_until(
            lambda: (
                requests.get(f"{url}/v1/jobs/{job['id']}", timeout=5).json()["status"]
                in ("succeeded", "failed")
            ),
            90,
            "the job",
        )
        watching.set()
        watcher.join()
        assert requests.get(f"{url}/v1/jobs/{job['id']}", timeout=5).json()["status"] == "succeeded"
        assert failures == []
        assert b"worker exited (killed by SIGKILL)" in log.read_bytes()
        # and when the API's process dies, it comes back
        api = _role_pid(proc.pid, "gunicorn")
        assert api is not None
        os.kill(api, signal.SIGKILL)
        Service.wait_until(
            lambda: _role_pid(proc.pid, "gunicorn") not in (None, api) and _ok(url + "/healthz"),
            60,
            "the API to answer again",
        )
        assert proc.poll() is None
    finally:
        watching.set()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)


def _role_pid(serve: int, marker: str) -> int | None:
    """The pid of ``serve``'s child whose command line holds ``marker``."""
    for pid in children(serve):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if marker.encode() in f.read():
                    return pid
        except OSError:
            continue
    return None


def _processes_with_data_dir(data_dir: Path) -> list[int]:
    """The pids of the processes whose environment names ``data_dir`` (serve's roles and
    every process they started inherit it)."""
    marker = f"TUNEFORGE_DATA_DIR={data_dir}".encode() + b"\0"
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in environ and int(entry.name) != os.getpid():
            found.append(int(entry.name))
    return found


def _ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def _submit_knn(url: str, table: bytes, **spec: object) -> dict:
    """Upload ``table`` and submit a knn job on its ``target``; the job's document."""
    dataset = requests.post(
        f"{url}/v1/datasets", files={"file": ("bc.csv", table)}, timeout=30
    ).json()
    job = {"dataset_id": dataset["id"], "target": "target", "estimator": "knn", **spec}
    return requests.post(f"{url}/v1/jobs", json=job, timeout=30).json()
