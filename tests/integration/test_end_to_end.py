"""The async path for real: HTTP to a gunicorn API, a Celery worker process, a real broker.

The happy path, recovery and webhooks also run on the shared backends (PostgreSQL, S3,
Redis; RabbitMQ); the rest on the embedded default only, to keep `make test` short. The
tests that stop, kill or reconfigure a process get a service of their own (``service``);
the others share the session's (``shared_service``) and look only at their own jobs.
"""

from __future__ import annotations

import hashlib
import io
import json
import signal
import time
from datetime import datetime

import joblib
import pandas as pd
import pytest
import skops.io
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from models.plumbing import webhook_http
from tests.integration.conftest import SHARED, backends
from tests.receiver import Receiver, SlowReceiver

pytestmark = pytest.mark.integration

GRID = {"max_depth": [2, 3, 4, 6, None], "min_samples_leaf": [1, 5, 10]}
QUICK = {"target": "target", "estimator": "knn", "n_trials": 2}
# A webhook attempt's deadline: long enough for a job to run beside it on a busy machine.
DEADLINE_S = 15
SLOW = {
    "target": "target",
    "estimator": "random_forest",
    "n_trials": 12,
    "param_space": {"n_estimators": {"type": "int", "low": 60, "high": 90}},
}


def download(service, job_id):
    response = service.get(f"/v1/jobs/{job_id}/model")
    assert response.status_code == 200
    return response


@backends(*SHARED, "rabbitmq")
def test_grid_search_equals_gridsearchcv_and_survives_a_restart(service, breast_cancer_csv):
    # given the breast cancer table (569 rows, 31 columns) uploaded over HTTP
    dataset = service.upload(breast_cancer_csv, "breast_cancer.csv")
    assert (dataset["n_rows"], dataset["n_columns"]) == (569, 31)
    # when a 15-candidate grid runs with unshuffled stratified folds and no hold-out
    job = service.submit(
        dataset_id=dataset["id"],
        target="target",
        estimator="decision_tree",
        strategy="grid",
        param_space=GRID,
        test_size=0,
        cv={"folds": 5, "kind": "stratified", "shuffle": False},
    )
    done = service.wait_for(job["id"])
    assert done["status"] == "succeeded", done
    assert done["progress"] == {
        "trials_completed": 15,
        "trials_total": 15,
        "trials_inherited": 0,
        "eta_s": None,
    }
    # then each trial equals GridSearchCV on the downloaded pipeline cloned as the template
    model_bytes = download(service, job["id"]).content
    model = joblib.load(io.BytesIO(model_bytes))
    df = pd.read_csv(io.BytesIO(breast_cancer_csv))
    X, y = df.drop(columns=["target"]), df["target"]
    result = service.get(f"/v1/jobs/{job['id']}/result").json()
    search = GridSearchCV(
        clone(model),
        {f"model__{k}": v for k, v in GRID.items()},
        cv=StratifiedKFold(5),
        scoring=result["scoring"],
    ).fit(X, y)
    trials = service.trials(job["id"])
    assert [t["number"] for t in trials] == list(range(15))
    for trial, mean in zip(trials, search.cv_results_["mean_test_score"], strict=True):
        assert abs(trial["mean_score"] - mean) <= 1e-9
    assert {f"model__{k}": v for k, v in result["best_params"].items()} == search.best_params_
    assert result["n_trials"] == 15 and result["test_score"] is None
    assert result["model"]["sha256"] == hashlib.sha256(model_bytes).hexdigest()
    # and the model predicts the raw rows
    assert (model.predict(X) == y).mean() > 0.9
    # and so does its skops file, loaded trusting only the types the result lists
    skops_bytes = service.get(f"/v1/jobs/{job['id']}/model?format=skops").content
    trusted = result["model"]["skops"]["trusted_types"]
    assert (skops.io.loads(skops_bytes, trusted=trusted).predict(X) == model.predict(X)).all()
    # when the API and the worker restart on the same data dir
    service.stop("api")
    service.stop("worker")
    service.start("api", "worker")
    # then the dataset, the job, its trials and the very same model bytes are still there
    assert service.get(f"/v1/datasets/{dataset['id']}").json() == dataset
    assert service.job(job["id"]) == done
    assert service.trials(job["id"]) == trials
    again = download(service, job["id"])
    assert again.content == model_bytes
    assert again.headers["X-Content-SHA256"] == result["model"]["sha256"]


def test_a_worker_runs_queued_trials_back_to_back_and_leaves_no_message_behind(
    shared_service, breast_cancer_csv
):
    # given a worker with one slot, and a dataset
    dataset = shared_service.upload(breast_cancer_csv)
    spec = {"dataset_id": dataset["id"], "target": "target", "estimator": "decision_tree"}
    # when a 12-trial job runs to its end
    first = shared_service.submit(**spec, n_trials=12)
    assert shared_service.wait_for(first["id"])["status"] == "succeeded"
    # then the worker took each next trial from the database, not through the broker:
    # no message waits in the queue (a stale one per trial would delay the next job)
    queue = shared_service.data_dir / "var" / "broker" / "queue"
    assert shared_service.wait_until(lambda: not any(queue.iterdir()), 10, "an empty queue")
    trials = shared_service.trials(first["id"])
    assert sorted(t["number"] for t in trials) == list(range(12))
    assert len({t["worker"] for t in trials}) == 1
    # and the next job starts at once
    second = shared_service.submit(**spec, n_trials=2)
    done = shared_service.wait_for(second["id"])
    assert done["status"] == "succeeded"
    waited = datetime.fromisoformat(done["started_at"]) - datetime.fromisoformat(done["created_at"])
    assert waited.total_seconds() <= 2


def test_cancel_stops_a_running_job_and_keeps_its_trials(shared_service, breast_cancer_csv):
    dataset = shared_service.upload(breast_cancer_csv)
    job = shared_service.submit(dataset_id=dataset["id"], **dict(SLOW, n_trials=60))
    shared_service.wait_until(
        lambda: shared_service.job(job["id"])["progress"]["trials_completed"] >= 1,
        60,
        "a first trial",
    )
    # when the running job is cancelled
    response = shared_service.post(f"/v1/jobs/{job['id']}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    # then no more trials are written, the kept ones stay, and the result is the best of
    # them, refit (issue 19: tests/integration/test_after_search.py)
    time.sleep(3)
    kept = shared_service.trials(job["id"])
    time.sleep(2)
    assert shared_service.trials(job["id"]) == kept and 1 <= len(kept) < 60
    ended = shared_service.wait_until(
        lambda: (j := shared_service.job(job["id"]))["refit"] != "refitting" and j, 60, "refit"
    )
    assert ended["status"] == "cancelled" and ended["refit"] == "done"
    assert shared_service.get(f"/v1/jobs/{job['id']}/result").status_code == 200


def test_cancel_interrupts_a_long_trial_and_frees_the_worker(shared_service, breast_cancer_csv):
    dataset = shared_service.upload(breast_cancer_csv)
    # one candidate whose five folds take far longer than the test waits
    slow = shared_service.submit(
        dataset_id=dataset["id"],
        target="target",
        estimator="random_forest",
        strategy="grid",
        param_space={"n_estimators": [2000]},
    )
    shared_service.wait_until(
        lambda: shared_service.job(slow["id"])["status"] == "running", 30, "a start"
    )
    time.sleep(1)
    quick = shared_service.submit(
        dataset_id=dataset["id"], target="target", estimator="knn", n_trials=2
    )
    cancelled_at = time.monotonic()
    assert shared_service.post(f"/v1/jobs/{slow['id']}/cancel").status_code == 200
    # then the worker drops the trial in flight and takes the next job within seconds
    shared_service.wait_until(
        lambda: shared_service.job(quick["id"])["status"] != "queued", 15, "the next job to start"
    )
    assert time.monotonic() - cancelled_at < 5
    assert shared_service.wait_for(quick["id"], timeout=60)["status"] == "succeeded"
    assert shared_service.trials(slow["id"]) == []


def test_a_timeout_ends_the_job_on_time_with_the_best_so_far(shared_service, breast_cancer_csv):
    dataset = shared_service.upload(breast_cancer_csv)
    job = shared_service.submit(
        dataset_id=dataset["id"],
        target="target",
        estimator="random_forest",
        n_trials=200,
        timeout_s=10,
    )
    done = shared_service.wait_for(job["id"], timeout=60)
    took = (pd.Timestamp(done["finished_at"]) - pd.Timestamp(done["started_at"])).total_seconds()
    assert done["status"] == "succeeded" and done["stopped_reason"] == "timeout"
    assert took < 15 and done["best_score"] is not None
    assert 1 <= done["progress"]["trials_completed"] < 200


@backends(*SHARED)
def test_a_killed_worker_loses_no_job(service, breast_cancer_csv):
    dataset = service.upload(breast_cancer_csv)
    job = service.submit(dataset_id=dataset["id"], **SLOW)
    service.wait_until(
        lambda: service.job(job["id"])["progress"]["trials_completed"] >= 2, 60, "two trials"
    )
    # when the worker dies without warning and a new one starts
    service.stop("worker", signal.SIGKILL)
    before = service.trials(job["id"])
    service.start("worker")
    # then the job is taken up again, finished trials are not run twice
    done = service.wait_for(job["id"], timeout=180)
    # (its trials ran again on the new worker; the job itself was started once)
    assert done["status"] == "succeeded" and done["attempts"] == 1
    trials = service.trials(job["id"])
    assert [t["number"] for t in trials] == list(range(12))
    assert trials[: len(before)] == before


def test_a_stopped_worker_hands_its_job_back(service, breast_cancer_csv):
    dataset = service.upload(breast_cancer_csv)
    job = service.submit(dataset_id=dataset["id"], **SLOW)
    service.wait_until(
        lambda: service.job(job["id"])["progress"]["trials_completed"] >= 1, 60, "a first trial"
    )
    # when the worker is asked to stop (SIGTERM) mid-search
    took = service.stop("worker", signal.SIGTERM)
    # then it stops within seconds; the job keeps its trials and its interrupted trial is
    # queued again for the next worker
    assert took < 20
    waiting = service.job(job["id"])
    assert waiting["status"] == "running" and waiting["progress"]["trials_completed"] >= 1
    service.start("worker")
    done = service.wait_for(job["id"], timeout=240)
    assert done["status"] == "succeeded"
    assert [t["number"] for t in service.trials(job["id"])] == list(range(SLOW["n_trials"]))


@backends(*SHARED, "rabbitmq")
def test_a_job_whose_message_was_lost_still_runs(service, breast_cancer_csv):
    # given a job submitted while no worker runs, whose message the broker then loses
    # (a Redis restart, or a worker killed after taking it)
    service.stop("worker")
    dataset = service.upload(breast_cancer_csv)
    job = service.submit(dataset_id=dataset["id"], target="target", estimator="knn", n_trials=2)
    service.lose_messages()
    # when a worker starts
    service.start("worker")
    # then the database, not the broker, says the job still needs running
    assert service.wait_for(job["id"], timeout=60)["status"] == "succeeded"


@backends(*SHARED)
def test_a_finished_job_is_posted_to_its_webhook_with_retries(service, breast_cancer_csv):
    service.start("webhook-worker")
    receiver = Receiver([500])  # the first delivery fails, the retry succeeds
    try:
        dataset = service.upload(breast_cancer_csv)
        job = service.submit(
            dataset_id=dataset["id"],
            target="target",
            estimator="knn",
            n_trials=2,
            webhook_url=receiver.url,
        )
        done = service.wait_for(job["id"])
        service.wait_until(lambda: len(receiver.requests) >= 2, 30, "a retried delivery")
    finally:
        receiver.close()
    headers, body = receiver.requests[-1]
    assert webhook_http.verify(b"test-secret", body, headers["X-Tuneforge-Signature"])
    payload = json.loads(body)
    assert payload["event"] == "job.succeeded" and payload["job"]["id"] == job["id"]
    assert payload["job"]["best_score"] == done["best_score"]
    delivered = service.wait_until(
        lambda: (w := service.job(job["id"])["webhook"])["state"] == "delivered" and w,
        10,
        "the delivery recorded",
    )
    assert delivered["attempts"] == 2 and delivered["last_status"] == 200


def test_a_slow_webhook_receiver_delays_no_search(service, breast_cancer_csv):
    # given a webhook worker with a 15 s deadline per attempt, beside the one search worker
    # (one process), and a receiver that drips its answer (a byte a second) to the first
    # attempt, then answers 503 at once
    service.env["TUNEFORGE_WEBHOOK_TIMEOUT_SECONDS"] = str(DEADLINE_S)
    service.start("webhook-worker")
    receiver = SlowReceiver(slow=1)
    try:
        dataset = service.upload(breast_cancer_csv)
        first = service.submit(dataset_id=dataset["id"], **QUICK, webhook_url=receiver.url)
        service.wait_until(lambda: receiver.connections, 60, "the first delivery attempt")
        hanging = receiver.connections[0]
        assert service.job(first["id"])["webhook"]["state"] == "delivering"
        # when another job is submitted while the receiver holds that attempt
        second = service.submit(dataset_id=dataset["id"], **QUICK)
        # then it starts and finishes while the delivery is still hanging
        done = service.wait_for(second["id"], timeout=DEADLINE_S)
        assert done["status"] == "succeeded" and hanging.closed_at is None
        # and the attempt is cut at the deadline, not when the answer would end (37 s)
        service.wait_until(lambda: hanging.closed_at, DEADLINE_S + 5, "the attempt cut")
        assert DEADLINE_S - 0.5 < hanging.closed_at - hanging.accepted_at < DEADLINE_S + 2
        # and the job says so: the next attempt carries the first one's error ...
        service.wait_until(lambda: len(receiver.connections) >= 2, 10, "a second attempt")
        service.wait_until(lambda: receiver.connections[1].body, 5, "its body")
        retried = json.loads(receiver.connections[1].body)["job"]["webhook"]
        assert retried["state"] == "delivering" and retried["attempts"] == 2
        assert retried["last_error"] == f"no complete answer within {DEADLINE_S} s"
        # ... and while the next retry waits, when it is due
        waiting = service.wait_until(
            lambda: (w := service.job(first["id"])["webhook"])["next_retry_at"] and w,
            30,
            "a retry waiting for its time",
        )
    finally:
        receiver.close()
    assert waiting["state"] == "retrying" and waiting["attempts"] >= 2
    assert waiting["last_status"] == 503 and waiting["last_error"] == "HTTP 503"
    assert datetime.fromisoformat(waiting["next_retry_at"]) > datetime.fromisoformat(
        done["finished_at"]
    )
    # and only the webhook worker ever ran a delivery
    assert "tuneforge.deliver_webhook" in (service.logs / "webhook-worker.log").read_text()
    assert "deliver_webhook" not in (service.logs / "worker.log").read_text()
