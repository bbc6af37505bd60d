"""What an operator sees of a live service: the API's /metrics with the worker's processes
in it (the multiprocess folders work across processes), JSON logs from both, and the
worker's health check.

The service is the session's shared one: counts are compared with a scrape taken before
the job, and logs are looked at for this job's lines.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.conftest import ROOT

pytestmark = pytest.mark.integration


def samples(text: str) -> list:
    return [s for family in text_string_to_metric_families(text) for s in family.samples]


def succeeded_trials(scraped: list) -> float:
    return sum(
        s.value
        for s in scraped
        if s.name == "tuneforge_trials_total" and s.labels["state"] == "succeeded"
    )


def jobs_by_status(scraped: list) -> dict[str, float]:
    return {s.labels["status"]: s.value for s in scraped if s.name == "tuneforge_jobs"}


def log_lines(path: Path) -> list[str]:
    """A JSON-lines log's lines: split at newlines only, as a log shipper does.
    ``str.splitlines`` also splits at U+0085 and U+2028, which a logged request path may
    hold unescaped (JSON does not escape them; schemathesis sends them)."""
    return path.read_text(encoding="utf-8").split("\n")


def test_metrics_and_logs_cover_the_api_and_the_worker_after_a_job(
    shared_service, breast_cancer_csv
):
    # given a job that ran to its end on the worker (and the counts before it)
    before = samples(shared_service.get("/metrics").text)
    dataset = shared_service.upload(breast_cancer_csv)
    job = shared_service.submit(
        dataset_id=dataset["id"], target="target", estimator="knn", n_trials=3
    )
    assert shared_service.wait_for(job["id"])["status"] == "succeeded"
    # when /metrics is scraped (as Prometheus would: no key, text format)
    response = shared_service.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    scraped = samples(response.text)
    # then it holds the worker's trials and tasks, counted in the worker's own processes
    trials = [s for s in scraped if s.name == "tuneforge_trials_total"]
    assert succeeded_trials(scraped) - succeeded_trials(before) == 3
    assert {s.labels["source"].split("-")[0] for s in trials} == {"worker"}
    # (one run_trial task may record several trials: it goes on with the next one queued)
    tasks = [s for s in scraped if s.name == "tuneforge_celery_tasks_total"]
    assert any(s.labels["outcome"] == "recorded" and s.value >= 1 for s in tasks)
    # and the API's requests, and the database's view of the jobs
    requests_seen = {
        (s.labels["route"], s.labels["source"].split("-")[0])
        for s in scraped
        if s.name == "tuneforge_http_request_duration_seconds_count"
    }
    assert ("/v1/jobs/<job_id>", "api") in requests_seen
    jobs, jobs_before = jobs_by_status(scraped), jobs_by_status(before)
    assert jobs["succeeded"] - jobs_before.get("succeeded", 0) == 1 and jobs["running"] == 0

    # and every line either process logged is one JSON object, the job named where it applies
    for name in ("api", "worker"):
        lines = log_lines(shared_service.logs / f"{name}.log")
        documents = [json.loads(line) for line in lines if line.startswith("{")]
        assert documents and all(
            {"time", "level", "logger", "message"} <= set(d) for d in documents
        )
        assert any(d.get("job_id") == job["id"] for d in documents), name
    worker_lines = log_lines(shared_service.logs / "worker.log")
    trial_lines = [json.loads(line) for line in worker_lines if '"trial": ' in line]
    assert {d["trial"] for d in trial_lines if d.get("job_id") == job["id"]} == {0, 1, 2}

    # and the worker's health check passes
    health = subprocess.run(
        [sys.executable, "-m", "api.launcher", "worker-health"],
        cwd=ROOT,
        env=shared_service.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert health.returncode == 0, health.stdout + health.stderr
