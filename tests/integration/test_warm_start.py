"""Warm start over HTTP with a live worker: a job seeded with an earlier job's trials lists
them as inherited, does not run them again, and runs ``n_trials`` new ones; a parent whose
scores are not comparable is a 422 naming the field, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from tests.integration.conftest import SHARED, backends

pytestmark = pytest.mark.integration

SPEC = {
    "target": "y",
    "estimator": "decision_tree",
    "strategy": "random",
    "n_trials": 8,
    "random_state": 4,
    "cv": 3,
    "test_size": 0.2,
    "param_space": {"max_depth": {"type": "int", "low": 1, "high": 12}},
}


def table(seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(120, 3)), columns=["a", "b", "c"])
    df["y"] = ((df["a"] - df["b"] + rng.normal(0, 0.5, 120)) > 0).astype(int)
    return df.to_csv(index=False).encode()


def when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


@backends(*SHARED)
def test_a_warm_started_job_lists_inherited_trials_and_runs_only_new_ones(shared_service):
    svc = shared_service
    dataset = svc.upload(table())
    parent = svc.submit(dataset_id=dataset["id"], **SPEC)
    assert svc.wait_for(parent["id"])["status"] == "succeeded"
    parent_trials = svc.trials(parent["id"])
    fitting = [t for t in parent_trials if t["params"]["max_depth"] <= 6]
    unfit = [t["number"] for t in parent_trials if t["params"]["max_depth"] > 6]
    assert fitting and unfit, "the seed should give trials on both sides of 6"

    response = svc.post(
        "/v1/jobs",
        json={
            "dataset_id": dataset["id"],
            **SPEC,
            "strategy": "bayesian",
            "n_trials": 3,
            "param_space": {"max_depth": {"type": "int", "low": 1, "high": 6}},
            "warm_start": {"job_ids": [parent["id"]]},
        },
    )
    assert response.status_code == 202, response.text
    child = response.json()
    assert child["spec"]["warm_start"] == {"job_ids": [parent["id"]]}
    assert child["progress"]["trials_inherited"] == len(fitting)
    assert child["progress"]["trials_total"] == len(fitting) + 3
    (warning,) = [w for w in child["warnings"] if w["code"] == "warm_start_unfit"]
    assert warning["job_id"] == parent["id"] and warning["trials"] == unfit
    assert all(f"#{n} (max_depth=" in warning["message"] for n in unfit[:10])

    done = svc.wait_for(child["id"])
    assert done["status"] == "succeeded"
    trials = svc.trials(child["id"])
    inherited = [t for t in trials if t["inherited_from"] is not None]
    own = [t for t in trials if t["inherited_from"] is None]
    assert [t["inherited_from"] for t in inherited] == [
        {"job_id": parent["id"], "number": t["number"]} for t in fitting
    ]
    assert [t["number"] for t in inherited] == list(range(len(fitting)))
    # Not run again: each keeps its parent's score and run, finished before the child began.
    for mine, theirs in zip(inherited, fitting, strict=True):
        assert (mine["mean_score"], mine["started_at"], mine["worker"]) == (
            theirs["mean_score"],
            theirs["started_at"],
            theirs["worker"],
        )
        assert when(mine["finished_at"]) < when(done["started_at"])
    assert [t["number"] for t in own] == [len(fitting), len(fitting) + 1, len(fitting) + 2]
    assert all(when(t["started_at"]) >= when(done["started_at"]) for t in own)
    assert all(1 <= t["params"]["max_depth"] <= 6 for t in own)
    assert done["progress"]["trials_completed"] == done["progress"]["trials_total"]
    best_inherited = max(t["mean_score"] for t in fitting)
    assert done["best_score"] >= best_inherited
    result = svc.get(f"/v1/jobs/{child['id']}/result").json()
    assert result["best_score"] == done["best_score"] and result["n_trials"] == len(trials)


def problem(svc, spec: dict) -> dict:
    response = svc.post("/v1/jobs", json=spec)
    assert response.status_code == 422, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    return response.json()


@backends(*SHARED)
def test_warm_start_from_parents_that_do_not_compare_is_a_422_naming_the_field(shared_service):
    svc = shared_service
    dataset = svc.upload(table(1))
    other = svc.upload(table(2), name="other.csv")
    parent = svc.submit(dataset_id=dataset["id"], **{**SPEC, "n_trials": 2})
    job_id = parent["id"]
    base = {"dataset_id": dataset["id"], **SPEC}

    too_many = problem(svc, {**base, "warm_start": {"job_ids": [job_id] * 6}})
    assert "warm_start.job_ids" in too_many["errors"]
    assert "1 to 5" in too_many["errors"]["warm_start.job_ids"][0]

    unknown = problem(svc, {**base, "warm_start": {"job_ids": ["job_" + "0" * 28]}})
    assert unknown["errors"] == {"warm_start.job_ids": ["no job 'job_" + "0" * 28 + "'"]}

    for changes, field in (
        ({"dataset_id": other["id"]}, "dataset_id"),
        ({"scoring": "accuracy"}, "scoring"),
        ({"cv": 4}, "cv.folds"),
        ({"random_state": 5}, "random_state"),
        ({"test_size": 0.3}, "test_size"),
    ):
        body = problem(svc, {**base, **changes, "warm_start": {"job_ids": [job_id]}})
        assert field in body["errors"], body  # random_state also seeds cv.random_state
        assert job_id in body["errors"][field][0]

    halving = problem(svc, {**base, "strategy": "halving", "warm_start": {"job_ids": [job_id]}})
    assert list(halving["errors"]) == ["strategy"]
    assert svc.wait_for(job_id)["status"] == "succeeded"
