"""`tuneforge serve`, as `make run` starts it: the API, a worker and a webhook worker up,
a role that dies started again while the others go on serving, all down on Ctrl-C
(tests/integration/test_stopping.py: within their grace periods, however many signals);
a role that cannot start (the port taken) ends serve with 1, saying why."""

from __future__ import annotations

import json
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

from models.settings import available_cores
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


def test_a_normal_start_and_job_log_no_warning_and_say_where_things_are(
    tmp_path, breast_cancer_csv
):
    # given `serve` as `make run` starts it, with the default settings (run as root here),
    # its output going to a file
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUNEFORGE_")}
    env |= {"TUNEFORGE_DATA_DIR": str(tmp_path / "var"), "TUNEFORGE_PORT": str(port)}
    log = tmp_path / "serve.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.launcher", "serve"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        Service.wait_until(lambda: b"webhook-worker is up" in log.read_bytes(), 60, "the roles")
        Service.wait_until(lambda: b"api is up" in log.read_bytes(), 60, "the API")
        # when a job runs to its end, watched as the dashboard watches it
        job = _submit_knn(url, breast_cancer_csv, n_trials=4)
        poll = {"X-Tuneforge-Poll": "dashboard"}
        Service.wait_until(
            lambda: (
                requests.get(f"{url}/v1/jobs?limit=5", headers=poll, timeout=5).ok
                and requests.get(f"{url}/v1/jobs/{job['id']}", headers=poll, timeout=5).json()[
                    "status"
                ]
                == "succeeded"
            ),
            60,
            "the job",
        )
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=40) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    # then every line is a JSON record (not a terminal: nothing printed around the logs),
    # none of them a warning (Celery's about root, kombu's about a hostname)
    text = log.read_text()
    lines = [json.loads(line) for line in text.splitlines()]
    assert [d["message"] for d in lines if d["level"] not in ("DEBUG", "INFO")] == []
    assert "superuser" not in text and "No hostname" not in text
    # and the first line of serve's says where the API, the dashboard and the docs are,
    # and that every core is a worker slot
    (start,) = [d["message"] for d in lines if d["message"].startswith("starting the API")]
    assert f"{url}/ui" in start and f"{url}/docs" in start
    assert f"{available_cores()} worker slot" in start
    # and the job's end is said once; the polls, which succeeded, are not logged at INFO
    assert [d["job_id"] for d in lines if "succeeded: best score" in d["message"]] == [job["id"]]
    polled = [d for d in lines if d.get("logger") == "tuneforge.access" and d["method"] == "GET"]
    assert all("/v1/jobs" not in d["path"] for d in polled), polled


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
