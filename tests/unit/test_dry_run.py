"""``POST /v1/jobs`` with ``dry_run``: a submit's checks and an estimate, and no job."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from api import create_app
from models.engine.estimate import JOB_OVERHEAD_S, _extrapolate, combine
from models.engine.spec import resolve_spec
from models.recovery import recover
from models.store import estimates
from models.store.estimates import DryRunEstimate
from models.store.records import utcnow
from tests.unit.test_api import assert_problem, upload_csv


def _spec(dataset_id: str, **fields) -> dict:
    return {
        "dataset_id": dataset_id,
        "target": "target",
        "estimator": "decision_tree",
        "n_trials": 6,
        "timeout_s": 60,
        "cv": {"folds": 3},
        **fields,
    }


def _bc(client, breast_cancer_csv) -> str:
    response = client.post("/v1/datasets?name=bc", data=breast_cancer_csv, content_type="text/csv")
    assert response.status_code == 201
    return response.json["id"]


def _job_ids(client) -> list[str]:
    return [job["id"] for job in client.get("/v1/jobs").json["items"]]


def test_a_dry_run_answers_200_with_an_estimate_and_makes_no_job(client, breast_cancer_csv):
    dataset_id = _bc(client, breast_cancer_csv)
    before = _job_ids(client)
    response = client.post("/v1/jobs", json=_spec(dataset_id, dry_run=True))
    assert response.status_code == 200, response.json
    assert "Location" not in response.headers
    estimate = response.json["estimate"]
    assert set(estimate) == {"seconds_per_trial", "seconds", "trials_in_budget"}
    assert 0 < estimate["seconds_per_trial"] <= estimate["seconds"]
    assert 1 <= estimate["trials_in_budget"] <= 6
    assert response.json["warnings"] == []
    assert _job_ids(client) == before
    # dry_run false is a submit
    assert client.post("/v1/jobs", json=_spec(dataset_id, dry_run=False)).status_code == 202
    assert len(_job_ids(client)) == len(before) + 1


def test_a_dry_run_is_checked_as_a_submit_is(client, breast_cancer_csv):
    dataset_id = _bc(client, breast_cancer_csv)
    bad = [
        ({"target": "nope"}, "target"),
        ({"estimator": "nope"}, "estimator"),
        ({"param_space": {"max_depth": [-3]}}, "param_space.max_depth"),
        ({"dry_run": "maybe"}, "dry_run"),
    ]
    for fields, field in bad:
        dry = client.post("/v1/jobs", json=_spec(dataset_id, **{"dry_run": True, **fields}))
        real = client.post("/v1/jobs", json=_spec(dataset_id, **fields))
        assert_problem(dry, 422, field)
        assert dry.json["errors"] == real.json["errors"]
    assert _job_ids(client) == []


def test_a_dry_run_of_a_missing_dataset_is_a_422(client):
    response = client.post("/v1/jobs", json=_spec("ds_missing", dry_run=True))
    assert_problem(response, 422, "dataset_id")


def test_a_dry_run_under_an_idempotency_key_is_replayed_and_makes_no_job(client):
    dataset = upload_csv(client, "x,target\n" + "\n".join(f"{i},{i % 2}" for i in range(60)) + "\n")
    headers = {"Idempotency-Key": "dry-1"}
    body = _spec(dataset["id"], dry_run=True)
    first = client.post("/v1/jobs", json=body, headers=headers)
    again = client.post("/v1/jobs", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json == first.json
    # the same key for a real submit is another request
    other = client.post("/v1/jobs", json=_spec(dataset["id"]), headers=headers)
    assert other.status_code == 422 and "Idempotency-Key" in other.json["errors"]
    assert _job_ids(client) == []


def test_the_growth_with_rows_is_a_power_up_to_quadratic_or_a_line_with_a_fixed_cost():
    assert _extrapolate([(500, 1.0)], 1000) == 1.0 * 2**1.1
    assert _extrapolate([(500, 1.0), (4000, 8.0)], 8000) == 16.0
    assert _extrapolate([(500, 0.01), (4000, 100.0)], 8000) == 400.0  # quadratic at most
    # slower than the rows: a fixed cost and a line (boosting's binning)
    assert _extrapolate([(500, 1.0), (4000, 2.0)], 7500) == 3.0
    assert _extrapolate([(500, 1.0), (4000, 0.9)], 8000) == 0.9  # noise: never shrinks
    assert _extrapolate([(500, 1.0), (4000, 8.0)], 100) == 8.0
    # three sizes: the two largest (early stopping above 10,000 rows flattens the growth)
    assert _extrapolate([(500, 1.0), (4000, 8.0), (16000, 8.0)], 32000) == 8.0
    assert _extrapolate([(500, 1.0), (4000, 2.0), (16000, 8.0)], 32000) == 16.0


def test_a_submit_after_a_dry_run_keeps_its_estimate_beside_the_actual_time(
    client, breast_cancer_csv
):
    dataset_id = _bc(client, breast_cancer_csv)
    dry = client.post("/v1/jobs", json=_spec(dataset_id, dry_run=True)).json
    job = client.post("/v1/jobs", json=_spec(dataset_id)).json
    assert job["estimate"] == dry["estimate"] and job["duration_s"] is None
    # another spec had no dry run: no estimate
    other = client.post("/v1/jobs", json=_spec(dataset_id, n_trials=7)).json
    assert other["estimate"] is None
    assert client.get(f"/v1/jobs/{job['id']}").json["estimate"] == dry["estimate"]


def test_a_submit_on_another_api_process_finds_the_dry_runs_estimate(
    client, settings, breast_cancer_csv
):
    dataset_id = _bc(client, breast_cancer_csv)
    dry = client.post("/v1/jobs", json=_spec(dataset_id, dry_run=True)).json
    other_process = create_app(settings).test_client()
    job = other_process.post("/v1/jobs", json=_spec(dataset_id)).json
    assert job["estimate"] == dry["estimate"]
    # the same dry run again, on the other process, answers the stored estimate
    again = other_process.post("/v1/jobs", json=_spec(dataset_id, dry_run=True)).json
    assert again["estimate"] == dry["estimate"]


def test_an_estimate_expires_after_a_day_and_the_sweep_purges_it(
    client, service, breast_cancer_csv
):
    dataset_id = _bc(client, breast_cancer_csv)
    client.post("/v1/jobs", json=_spec(dataset_id, dry_run=True))
    with service.sessions() as session:
        row = session.query(DryRunEstimate).one()
        row.created_at = utcnow() - estimates.TTL - timedelta(seconds=1)
        session.commit()
    assert client.post("/v1/jobs", json=_spec(dataset_id)).json["estimate"] is None
    recover(service.sessions, service.dispatch, utcnow() - timedelta(hours=1))
    with service.sessions() as session:
        assert session.query(DryRunEstimate).count() == 0


def test_an_owner_keeps_its_newest_estimates_and_a_deleted_dataset_drops_its_own(
    client, service, monkeypatch
):
    monkeypatch.setattr(estimates, "KEEP_PER_OWNER", 2)
    with service.sessions() as session:
        for n in range(3):
            estimates.remember(session, "default", "ds_a", f"f{n}", {"n": n})
        estimates.remember(session, "someone", "ds_b", "f0", {"n": 9})
        assert estimates.find(session, "default", "ds_a", "f0") is None
        assert estimates.find(session, "default", "ds_a", "f2") == {"n": 2}
        assert estimates.find(session, "someone", "ds_a", "f2") is None  # another tenant
        assert estimates.find(session, "someone", "ds_b", "f0") == {"n": 9}
    dataset = upload_csv(client, "x,target\n" + "\n".join(f"{i},{i % 2}" for i in range(60)))
    client.post("/v1/jobs", json=_spec(dataset["id"], dry_run=True))
    with service.sessions() as session:
        assert session.query(DryRunEstimate).filter_by(dataset_id=dataset["id"]).count() == 1
    assert client.delete(f"/v1/datasets/{dataset['id']}").status_code == 204
    with service.sessions() as session:
        assert session.query(DryRunEstimate).filter_by(dataset_id=dataset["id"]).count() == 0


def test_the_jobs_seconds_count_its_waves_its_refit_and_its_own_fixed_cost():
    columns = [
        {"name": "x", "dtype": "float", "n_missing": 0, "n_unique": 90},
        {"name": "target", "dtype": "integer", "n_missing": 0, "n_unique": 2},
    ]
    raw = {"dataset_id": "ds_1", "target": "target", "estimator": "decision_tree"}
    spec = resolve_spec(raw, columns, 100, max_trials=500, max_job_seconds=3600)
    estimate = combine(dataclasses.replace(spec, max_parallel=2), 5, 1.0, 2.0)
    assert estimate.seconds == 3 + 2 + JOB_OVERHEAD_S  # 3 waves of 1 s, a 2 s refit
    assert estimate.trials_in_budget == 5
