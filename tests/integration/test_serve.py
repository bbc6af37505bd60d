"""`tuneforge serve`, as `make run` starts it: the API, a worker and a webhook worker up,
all down on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
import requests

from tests.integration.conftest import ROOT, Service, free_port
from tests.receiver import Receiver

pytestmark = pytest.mark.integration


def test_serve_starts_api_and_workers_and_stops_on_ctrl_c(tmp_path, breast_cancer_csv):
    port = free_port()
    env = {**os.environ, "TUNEFORGE_DATA_DIR": str(tmp_path / "var"), "TUNEFORGE_PORT": str(port)}
    env["TUNEFORGE_WEBHOOK_ALLOW_PRIVATE"] = "1"
    receiver = Receiver([])
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        Service.wait_until(lambda: _ok(url + "/healthz"), 30, "the API")
        dataset = requests.post(
            f"{url}/v1/datasets", files={"file": ("bc.csv", breast_cancer_csv)}, timeout=30
        ).json()
        job = requests.post(
            f"{url}/v1/jobs",
            json={
                "dataset_id": dataset["id"],
                "target": "target",
                "estimator": "knn",
                "n_trials": 3,
                "webhook_url": receiver.url,
            },
            timeout=30,
        ).json()
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
        [sys.executable, "-m", "api.cli", "serve"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=30,
    )
    assert done.returncode != 0 and b"TUNEFORGE_API_KEYS" in done.stderr


def _ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False
