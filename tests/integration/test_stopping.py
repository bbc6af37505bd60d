"""Every role stops, with every process it started, within its grace period, however many
SIGTERMs and SIGINTs reach it and whether they reach its main process or its whole process
group (as systemd's stop and ``kill -TERM -PGID`` do); and nothing of a killed worker goes
on running.

Repeated signals are 5, a few milliseconds apart: a second signal arriving while the
first one's handler ran is what left a worker in "Warm shutdown" for 48 minutes
(issue 16). On the embedded backend only: the stops are the processes' own, not the
backends'.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from api.launcher import API_STOP_GRACE_S, SERVE_STOP_GRACE_S
from tasks.shutdown import WORKER_STOP_GRACE_S
from tests.integration.conftest import ROOT, Service, free_port
from tests.receiver import SlowReceiver

pytestmark = pytest.mark.integration

# Beyond a grace period: the kill that ends it and the orphans' own checks (0.5 s), on a
# busy machine.
MARGIN_S = 8
QUICK = {"target": "target", "estimator": "knn", "n_trials": 3}
# Trials long enough to be in flight when the signals come (a few seconds each).
SLOW = {
    "target": "target",
    "estimator": "random_forest",
    "n_trials": 40,
    "param_space": {"n_estimators": {"type": "int", "low": 300, "high": 400}},
}
TERM, INT = "SIGTERM", "SIGINT"


def living(data_dir: Path) -> dict[int, str]:
    """Every process (zombies aside) started for ``data_dir``'s service: they all inherit
    its TUNEFORGE_DATA_DIR, whoever their parent is now."""
    marker = f"TUNEFORGE_DATA_DIR={data_dir}\0".encode()
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                if f.read().rsplit(b")", 1)[1].split()[0] == b"Z":
                    continue
            with open(f"/proc/{entry.name}/environ", "rb") as f:
                if marker not in f.read():
                    continue
            with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                found[int(entry.name)] = f.read().replace(b"\0", b" ").decode()[:120]
        except (OSError, IndexError):
            continue
    return found


def in_group(pgid: int, data_dir: Path) -> dict[int, str]:
    return {pid: cmd for pid, cmd in living(data_dir).items() if _pgid(pid) == pgid}


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def send_repeatedly(pid: int, name: str, to: str, times: int = 5) -> None:
    """``times`` signals ``name``, 3 ms apart, to process ``pid`` or (``to="group"``) its
    group."""
    sig = signal.Signals[name]
    for _ in range(times):
        try:
            os.killpg(pid, sig) if to == "group" else os.kill(pid, sig)
        except ProcessLookupError:
            return
        time.sleep(0.003)


def wait_gone(proc: subprocess.Popen[bytes], data_dir: Path, pgid: int | None, limit: float):
    """Wait for ``proc`` and every process of its group (or of the service, ``pgid`` None)
    to end; returns how long it took and whatever still lives after ``limit``."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        alive = living(data_dir) if pgid is None else in_group(pgid, data_dir)
        if proc.poll() is not None and not alive:
            break
        time.sleep(0.1)
    alive = living(data_dir) if pgid is None else in_group(pgid, data_dir)
    return time.monotonic() - started, alive


@pytest.fixture
def two_slots(tmp_path: Path):
    """The API and a worker with two slots (two pool processes) on the embedded backend."""
    svc = Service(tmp_path, "", TUNEFORGE_WORKER_CONCURRENCY="2", TUNEFORGE_LOG_FORMAT="text")
    try:
        svc.start("api", "worker")
        yield svc
    finally:
        svc.close()


def busy(svc: Service, csv: bytes) -> str:
    """A few jobs finished, then one whose trials are in flight in both slots: its id."""
    dataset = svc.upload(csv)
    for _ in range(2):
        svc.wait_for(svc.submit(dataset_id=dataset["id"], **QUICK)["id"], timeout=90)
    job = svc.submit(dataset_id=dataset["id"], **SLOW)
    svc.wait_until(lambda: svc.job(job["id"])["status"] == "running", 60, "the slow job")
    return job["id"]


@pytest.mark.parametrize(
    ("sig", "to"), [(TERM, "main"), (TERM, "group"), (INT, "main"), (INT, "group")]
)
def test_a_worker_with_trials_in_flight_stops_within_its_grace_period(
    two_slots, breast_cancer_csv, sig, to
):
    svc = two_slots
    job_id = busy(svc, breast_cancer_csv)
    worker = svc.procs["worker"]
    data_dir = svc.data_dir / "var"
    # main, two pool processes, and a trial process each
    svc.wait_until(lambda: len(in_group(worker.pid, data_dir)) >= 5, 60, "two trial processes")
    # when 5 signals come, a few ms apart
    send_repeatedly(worker.pid, sig, to)
    took, alive = wait_gone(worker, data_dir, worker.pid, WORKER_STOP_GRACE_S + MARGIN_S)
    # then the worker, its pool and its trial processes are gone within the grace period
    assert alive == {} and worker.returncode is not None
    assert took < WORKER_STOP_GRACE_S + MARGIN_S
    # and no trial was recorded failed for having been interrupted
    assert [t for t in svc.trials(job_id) if t["state"] != "succeeded"] == []
    svc.procs.pop("worker")


def test_a_killed_workers_pool_and_trial_processes_end_by_themselves(two_slots, breast_cancer_csv):
    svc = two_slots
    busy(svc, breast_cancer_csv)
    worker = svc.procs.pop("worker")
    data_dir = svc.data_dir / "var"
    svc.wait_until(lambda: len(in_group(worker.pid, data_dir)) >= 5, 60, "two trial processes")
    # when only the worker's main process is killed, without warning
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    # then its pool and trial processes, orphaned, end within seconds
    svc.wait_until(lambda: not in_group(worker.pid, data_dir), 10, "the orphans to end")


@pytest.mark.parametrize(("sig", "to"), [(TERM, "group"), (INT, "main")])
def test_the_api_with_an_event_stream_open_stops_within_its_grace_period(
    tmp_path, breast_cancer_csv, sig, to
):
    svc = Service(tmp_path, "", TUNEFORGE_LOG_FORMAT="text")
    try:
        svc.start("api")
        dataset = svc.upload(breast_cancer_csv)
        job = svc.submit(dataset_id=dataset["id"], **QUICK)  # queued: no worker runs
        stream = svc.http.get(f"{svc.url}/v1/jobs/{job['id']}/events", stream=True, timeout=60)
        assert stream.status_code == 200
        api = svc.procs["api"]
        send_repeatedly(api.pid, sig, to)
        took, alive = wait_gone(api, tmp_path / "var", api.pid, API_STOP_GRACE_S + MARGIN_S)
        assert alive == {} and api.returncode is not None
        assert took < API_STOP_GRACE_S + MARGIN_S
        stream.close()
    finally:
        svc.close()


@pytest.mark.parametrize(("sig", "to"), [(TERM, "main"), (INT, "group")])
def test_the_webhook_worker_with_a_delivery_in_flight_stops_within_its_grace_period(
    two_slots, breast_cancer_csv, sig, to
):
    svc = two_slots
    receiver = SlowReceiver(slow=10)  # each delivery drips its answer for 38 s
    try:
        svc.start("webhook-worker")
        dataset = svc.upload(breast_cancer_csv)
        svc.submit(dataset_id=dataset["id"], webhook_url=receiver.url, **QUICK)
        svc.wait_until(lambda: receiver.connections, 60, "a delivery in flight")
        hooks = svc.procs["webhook-worker"]
        send_repeatedly(hooks.pid, sig, to)
        took, alive = wait_gone(
            hooks, svc.data_dir / "var", hooks.pid, WORKER_STOP_GRACE_S + MARGIN_S
        )
        assert alive == {} and hooks.returncode is not None
        assert took < WORKER_STOP_GRACE_S + MARGIN_S
        svc.procs.pop("webhook-worker")
    finally:
        receiver.close()


def start_serve(tmp_path: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    port = free_port()
    data_dir = tmp_path / "var"
    env = {
        **os.environ,
        "TUNEFORGE_DATA_DIR": str(data_dir),
        "TUNEFORGE_PORT": str(port),
        "TUNEFORGE_WORKER_CONCURRENCY": "2",
        "TUNEFORGE_LOG_FORMAT": "text",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.launcher", "serve"],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "serve.log").open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    Service.wait_until(lambda: _ok(url + "/healthz"), 60, "the API")
    return proc, url, data_dir


def serve_busy(url: str, csv: bytes) -> str:
    dataset = requests.post(f"{url}/v1/datasets", files={"file": ("bc.csv", csv)}, timeout=60)
    dataset_id = dataset.json()["id"]
    for spec in (QUICK, QUICK, SLOW):
        job = requests.post(f"{url}/v1/jobs", json={"dataset_id": dataset_id, **spec}, timeout=60)
        job_id = job.json()["id"]
        final = ("running",) if spec is SLOW else ("succeeded", "failed")
        Service.wait_until(
            lambda job_id=job_id, final=final: (
                requests.get(f"{url}/v1/jobs/{job_id}", timeout=10).json()["status"] in final
            ),
            120,
            f"job {job_id}",
        )
    return job_id


@pytest.mark.parametrize(("sig", "to"), [(TERM, "main"), (TERM, "every process"), (INT, "group")])
def test_serve_stops_every_process_within_its_grace_period(tmp_path, breast_cancer_csv, sig, to):
    proc, url, data_dir = start_serve(tmp_path)
    try:
        serve_busy(url, breast_cancer_csv)
        Service.wait_until(lambda: len(living(data_dir)) >= 9, 60, "two trial processes")
        if to == "every process":  # as systemd's stop of the control group does
            for _ in range(3):
                for pid in living(data_dir):
                    os.kill(pid, signal.Signals[sig])
                time.sleep(0.003)
        else:
            send_repeatedly(proc.pid, sig, to)
        took, alive = wait_gone(proc, data_dir, None, SERVE_STOP_GRACE_S + MARGIN_S)
        assert alive == {}
        assert took < SERVE_STOP_GRACE_S + MARGIN_S
        # SIGTERMs ask for a graceful stop however many come; a second Ctrl-C, for one now
        assert proc.returncode == (0 if sig == TERM else 1)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in living(data_dir):
            os.kill(pid, signal.SIGKILL)


def _ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False
