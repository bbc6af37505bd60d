"""After the search, over HTTP with a real worker (issue 19): a cancelled job keeps its
best as a result and a model; a job extended goes on from where it ended."""

from __future__ import annotations

import hashlib
import signal

import pytest

from tests.integration.conftest import Service, backends

pytestmark = pytest.mark.integration

QUICK = {"target": "target", "estimator": "knn", "cv": {"folds": 2}, "test_size": 0}
KNN_SPACE = {"n_neighbors": {"type": "int", "low": 1, "high": 80}}
# Trials and a refit long enough to be cancelled while they run (a second or so each).
SLOW = {
    "target": "target",
    "estimator": "random_forest",
    "cv": {"folds": 2},
    "n_trials": 40,
    "param_space": {"n_estimators": {"type": "int", "low": 150, "high": 250}},
}


def _after(svc: Service, job_id: str, trials: int) -> None:
    svc.wait_until(lambda: svc.job(job_id)["progress"]["trials_completed"] >= trials, 120, "trials")


def _refit_ended(svc: Service, job_id: str) -> dict:
    return svc.wait_until(
        lambda: (job := svc.job(job_id))["refit"] != "refitting" and job, 120, "the refit"
    )


def test_a_cancelled_job_has_a_result_and_a_model(shared_service, breast_cancer_csv):
    svc = shared_service
    dataset = svc.upload(breast_cancer_csv)
    job = svc.submit(dataset_id=dataset["id"], **QUICK, n_trials=300, param_space=KNN_SPACE)
    _after(svc, job["id"], 3)
    # when it is cancelled after some trials
    cancelled = svc.post(f"/v1/jobs/{job['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    early = svc.get(f"/v1/jobs/{job['id']}/result")
    if early.status_code == 409:  # the refit had not ended yet
        assert "being refit" in early.json()["detail"] and int(early.headers["Retry-After"]) > 0
    # then once its best is refit, it is still cancelled, with the best's result and model
    ended = _refit_ended(svc, job["id"])
    assert ended["status"] == "cancelled" and ended["stopped_reason"] == "cancelled"
    assert ended["refit"] == "done"
    result = svc.get(f"/v1/jobs/{job['id']}/result")
    assert result.status_code == 200, result.text
    body = result.json()
    assert body["best_score"] == ended["best_score"] and body["stopped_reason"] == "cancelled"
    assert body["n_trials"] == ended["progress"]["trials_completed"] >= 3
    model = svc.get(f"/v1/jobs/{job['id']}/model")
    assert model.status_code == 200
    assert hashlib.sha256(model.content).hexdigest() == body["model"]["sha256"]


def test_a_second_cancel_stops_the_refit(shared_service, breast_cancer_csv):
    svc = shared_service
    dataset = svc.upload(breast_cancer_csv)
    job = svc.submit(dataset_id=dataset["id"], **SLOW)
    _after(svc, job["id"], 1)
    assert svc.post(f"/v1/jobs/{job['id']}/cancel").json()["refit"] == "refitting"
    # when it is cancelled again while its best is refit
    again = svc.post(f"/v1/jobs/{job['id']}/cancel")
    # then the refit stops: the job stays cancelled, without a model, and says why
    assert again.status_code == 200 and again.json()["refit"] == "stopped"
    for path in ("result", "model"):
        refused = svc.get(f"/v1/jobs/{job['id']}/{path}")
        assert refused.status_code == 409 and "second cancel" in refused.json()["detail"]
    assert svc.post(f"/v1/jobs/{job['id']}/cancel").status_code == 409  # nothing left to stop


def test_a_job_extended_by_10_trials_keeps_its_trials_and_adds_10(
    shared_service, breast_cancer_csv
):
    svc = shared_service
    dataset = svc.upload(breast_cancer_csv)
    job = svc.submit(
        dataset_id=dataset["id"], **QUICK, strategy="bayesian", n_trials=5, param_space=KNN_SPACE
    )
    before = svc.wait_for(job["id"])
    first = svc.trials(job["id"])
    # when it is extended by 10 trials
    extended = svc.post(f"/v1/jobs/{job['id']}/extend", json={"n_trials": 10})
    assert extended.status_code == 202, extended.text
    assert extended.json()["progress"]["trials_total"] == 15
    after = svc.wait_for(job["id"])
    # then it has its 5 trials, the same, and 10 new ones, and a best at least as good
    trials = svc.trials(job["id"])
    assert after["status"] == "succeeded" and [t["number"] for t in trials] == list(range(15))
    assert [(t["params"], t["mean_score"]) for t in trials[:5]] == [
        (t["params"], t["mean_score"]) for t in first
    ]
    assert after["best_score"] >= before["best_score"]
    assert [e["n_trials"] for e in after["extensions"]] == [10]
    result = svc.get(f"/v1/jobs/{job['id']}/result").json()
    assert result["n_trials"] == 15 and result["best_params"] == after["best_params"]


def test_a_running_job_is_extended_in_place_once_per_idempotency_key(
    shared_service, breast_cancer_csv
):
    svc = shared_service
    dataset = svc.upload(breast_cancer_csv)
    job = svc.submit(dataset_id=dataset["id"], **QUICK, n_trials=40, param_space=KNN_SPACE)
    headers = {"Idempotency-Key": f"extend-{job['id']}"}
    extended = svc.post(f"/v1/jobs/{job['id']}/extend", json={"n_trials": 5}, headers=headers)
    assert extended.status_code == 202, extended.text
    assert extended.json()["status"] in ("queued", "running")
    again = svc.post(f"/v1/jobs/{job['id']}/extend", json={"n_trials": 5}, headers=headers)
    assert again.headers.get("Idempotent-Replayed") == "true"
    ended = svc.wait_for(job["id"])
    assert ended["status"] == "succeeded" and len(svc.trials(job["id"])) == 45


def test_a_grid_with_every_point_tried_is_not_extended(shared_service, breast_cancer_csv):
    svc = shared_service
    dataset = svc.upload(breast_cancer_csv)
    job = svc.submit(
        dataset_id=dataset["id"], **QUICK, strategy="grid", param_space={"n_neighbors": [1, 5]}
    )
    svc.wait_for(job["id"])
    refused = svc.post(f"/v1/jobs/{job['id']}/extend", json={"n_trials": 3})
    assert refused.status_code == 409 and "grid is exhausted" in refused.json()["detail"]


@backends("embedded", "postgres-s3-redis")
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "n_trials"),
        ({"n_trials": 0}, "n_trials"),
        ({"n_trials": 2.5}, "n_trials"),
        ({"n_trials": "many"}, "n_trials"),
        ({"n_trials": 10**6}, "n_trials"),
        ({"timeout_s": -1}, "timeout_s"),
        ({"timeout_s": 10**9}, "timeout_s"),
        ({"n_trials": 1, "trials": 3}, "trials"),
    ],
)
def test_bad_extend_bodies_are_422_naming_the_field(shared_service, breast_cancer_csv, body, field):
    svc = shared_service
    dataset = svc.upload(breast_cancer_csv)
    job = svc.submit(dataset_id=dataset["id"], **QUICK, n_trials=2)
    response = svc.post(f"/v1/jobs/{job['id']}/extend", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert field in response.json()["errors"], response.json()
    unknown = svc.post("/v1/jobs/job_nope/extend", json={"n_trials": 1})
    assert unknown.status_code == 404


def test_a_worker_killed_while_refitting_a_cancelled_job_loses_nothing(service, breast_cancer_csv):
    # given a cancelled job whose best (a slow forest) a worker is refitting
    dataset = service.upload(breast_cancer_csv)
    slow = dict(SLOW, param_space={"n_estimators": {"type": "int", "low": 1500, "high": 1600}})
    job = service.submit(dataset_id=dataset["id"], **slow)
    _after(service, job["id"], 1)
    started = service.post(f"/v1/jobs/{job['id']}/cancel").json()["attempts"]
    service.wait_until(
        lambda: service.job(job["id"])["attempts"] > started, 60, "a worker to take the refit"
    )
    # when that worker is killed without warning, and another one starts
    service.stop("worker", signal.SIGKILL)
    assert service.job(job["id"])["refit"] == "refitting"
    service.start("worker")
    # then the sweep sends the refit again, and the job gets its model
    done = _refit_ended(service, job["id"])
    assert done["status"] == "cancelled" and done["refit"] == "done"
    assert service.get(f"/v1/jobs/{job['id']}/model").status_code == 200
