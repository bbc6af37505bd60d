"""``GET /metrics``: Prometheus text with the jobs, trials, requests and tasks it promises,
and the multiprocess sources that let every API and worker process count."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from api import create_app
from models.plumbing import metrics
from models.plumbing.metrics import DatabaseCollector, SourcesCollector, exposition
from models.store.migrate import upgrade
from tests.unit.engine_helpers import run, upload

ROOT = Path(__file__).resolve().parents[2]
TABLE = pd.DataFrame({"x": np.arange(80.0), "z": np.arange(80) % 5, "y": np.arange(80) % 2})


def scrape(client) -> dict[str, list]:
    """The samples of ``/metrics``, by family name."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return {f.name: f.samples for f in text_string_to_metric_families(response.data.decode())}


def value(samples, name: str, **labels: str) -> float:
    """The sum of the samples called ``name`` whose labels include ``labels``."""
    return sum(s.value for s in samples if s.name == name and labels.items() <= s.labels.items())


def test_metrics_count_the_jobs_trials_and_requests_of_a_job_that_ran(client, service):
    # given a job submitted through the API, and the metrics before it ran
    dataset_id = upload(service, TABLE)
    submitted = client.post(
        "/v1/jobs",
        json={"dataset_id": dataset_id, "target": "y", "estimator": "knn", "n_trials": 3},
    )
    assert submitted.status_code == 202
    job_id = submitted.json["id"]
    before = scrape(client)
    # when a worker (here, this process) runs it and a client reads it
    run(service, job_id)
    assert client.get(f"/v1/jobs/{job_id}").status_code == 200
    after = scrape(client)
    # then the database's gauges, the trials recorded and the request are all counted
    assert value(after["tuneforge_jobs"], "tuneforge_jobs", status="succeeded") == 1
    assert value(after["tuneforge_jobs"], "tuneforge_jobs", status="queued") == 0
    assert {s.labels["state"] for s in after["tuneforge_trials_in_flight"]} == {
        "queued",
        "running",
    }
    trials = "tuneforge_trials_total"
    counted = value(after["tuneforge_trials"], trials, state="succeeded") - value(
        before.get("tuneforge_trials", []), trials, state="succeeded"
    )
    assert counted == 3
    durations = "tuneforge_trial_duration_seconds_count"
    assert value(after["tuneforge_trial_duration_seconds"], durations) - value(
        before.get("tuneforge_trial_duration_seconds", []), durations
    ) == pytest.approx(3)
    requests = after["tuneforge_http_request_duration_seconds"]
    count = "tuneforge_http_request_duration_seconds_count"
    assert value(requests, count, method="GET", route="/v1/jobs/<job_id>", status="200") >= 1
    assert value(requests, count, method="POST", route="/v1/jobs", status="202") >= 1
    # and no label carries an id
    assert not any(job_id in str(s.labels) for samples in after.values() for s in samples)


def test_metrics_need_no_key_when_the_api_requires_one(settings):
    # given an API that requires a key
    upgrade(settings.database_url)
    app = create_app(type(settings)(data_dir=settings.data_dir, api_keys=("acme:s3cret",)))
    client = app.test_client()
    assert client.get("/v1/jobs").status_code == 401
    # when /metrics is read without one, then it answers
    assert "tuneforge_jobs" in scrape(client)


def test_a_database_that_cannot_be_read_leaves_its_gauges_out(caplog):
    # given a database that fails
    class Broken:
        def job_counts(self):
            raise ConnectionError("database down")

        def trials_in_flight(self):
            return {}

    # when the collector is asked, then it yields nothing and says why
    assert list(DatabaseCollector(Broken()).collect()) == []
    assert "could not read job counts" in caplog.text


def test_an_unknown_http_method_is_counted_as_other():
    metrics.request_finished("BREW", "/coffee", 418, 0.01)
    labels = {"method": "OTHER", "route": "/coffee", "status": "418"}
    assert REGISTRY.get_sample_value("tuneforge_http_request_duration_seconds_count", labels)


# Sources: each role's processes write their own folder; a scrape merges them all ----------

# Claims a source as `tuneforge api`/`worker` do, then execs into a process that counts
# trials in it (prometheus-client must find PROMETHEUS_MULTIPROC_DIR before it loads).
CLAIM_THEN_EXEC = """
import os, sys
from pathlib import Path
from models.plumbing.metrics import claim_source
source = claim_source(Path(sys.argv[1]), sys.argv[2])
env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(source)}
os.execve(sys.executable, [sys.executable, "-c", COUNT, sys.argv[3]], env)
"""
COUNT = """
import sys
from models.plumbing import metrics
for _ in range(int(sys.argv[1])):
    metrics.trial_finished("succeeded", 0.3)
print("counted", flush=True)
sys.stdin.readline()  # alive until its stdin closes
"""


def start_role(root: Path, role: str, trials: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CLAIM_THEN_EXEC.replace("COUNT", repr(COUNT)),
            str(root),
            role,
            str(trials),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "counted"
    return proc


def stop_role(proc: subprocess.Popen[str]) -> None:
    proc.stdin.close()
    proc.wait(timeout=30)


def samples_by_source(root: Path, name: str) -> dict[str, float]:
    return {
        s.labels["source"]: s.value
        for family in SourcesCollector(root).collect()
        for s in family.samples
        if s.name == name
    }


def test_each_source_is_merged_and_labelled_and_removed_once_its_processes_exit(tmp_path):
    # given an API that is up, and a worker that counted three trials and exited
    root = tmp_path / "metrics"
    api = start_role(root, "api", 0)
    stop_role(start_role(root, "worker", 3))
    try:
        names = sorted(p.name for p in metrics.sources(root))
        assert [n.split("-")[0] for n in names] == ["api", "worker"]
        # when the sources are collected, then the worker's trials carry its source
        counted = samples_by_source(root, "tuneforge_trials_total")
        assert counted == {names[1]: 3.0}
        # when dead sources are removed, then only the exited worker's goes
        assert metrics.remove_dead_sources(root) == [names[1]]
        assert [p.name for p in metrics.sources(root)] == [names[0]]
    finally:
        stop_role(api)
    # and once the API exits, its source goes too (as when a role starts: it removes them)
    assert metrics.remove_dead_sources(root) == [names[0]]


def test_a_starting_role_removes_the_sources_of_exited_processes(tmp_path):
    root = tmp_path / "metrics"
    stop_role(start_role(root, "worker", 1))
    api = start_role(root, "api", 0)
    try:
        assert [p.name.split("-")[0] for p in metrics.sources(root)] == ["api"]
    finally:
        stop_role(api)


def test_a_scrape_in_multiprocess_mode_reads_the_sources(tmp_path, monkeypatch):
    # given a worker source with two trials, and this process in multiprocess mode
    root = tmp_path / "metrics"
    stop_role(start_role(root, "worker", 2))
    monkeypatch.setenv(metrics.MULTIPROCESS_VARIABLE, str(tmp_path / "unused"))
    # when the exposition is generated
    body, content_type = exposition(root)
    # then it is the sources' metrics, in Prometheus' text format
    assert content_type.startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(body.decode())}
    (sample,) = [s for s in families["tuneforge_trials"].samples if s.name.endswith("_total")]
    assert sample.value == 2 and sample.labels["source"].startswith("worker-")
    assert "python_gc_objects_collected" not in families  # this process's own are not mixed in


def test_a_worker_host_can_serve_its_sources_on_a_port(tmp_path):
    # given a worker source with a trial, served as TUNEFORGE_METRICS_PORT would serve it
    root = tmp_path / "metrics"
    stop_role(start_role(root, "worker", 1))
    server = metrics.serve_sources(root, 0, addr="127.0.0.1")  # 0: any free port
    try:
        # when Prometheus scrapes the port, then it reads the source's samples
        url = f"http://127.0.0.1:{server.server_address[1]}/metrics"
        with urllib.request.urlopen(url, timeout=10) as response:
            text = response.read().decode()
    finally:
        server.shutdown()
        server.server_close()
    counted = [s for s in samples_of(text) if s.name == "tuneforge_trials_total"]
    assert [s.value for s in counted] == [1.0]


def samples_of(text: str) -> list:
    return [s for family in text_string_to_metric_families(text) for s in family.samples]
