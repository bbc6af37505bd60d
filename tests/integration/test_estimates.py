"""Dry runs and short budgets through the real API (two API processes, as ``serve`` starts
them) and a worker, on the embedded default: a dry run makes no job and does not stall
the API; its estimate reaches every submit of the same spec, whichever API process takes
it; a 10-second budget on 50,000 rows ends with a model."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import requests
from sklearn.datasets import make_classification

from tests.integration.conftest import Service

pytestmark = pytest.mark.integration

ROWS = 50_000
SUBMITS = 6


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A 50,000-row, 20-feature classification table, generated once for the module."""
    X, y = make_classification(n_samples=ROWS, n_features=20, n_informative=8, random_state=0)
    table = pd.DataFrame(np.round(X, 4), columns=[f"x{i}" for i in range(20)]).assign(target=y)
    path = tmp_path_factory.mktemp("estimates") / "big.csv"
    table.to_csv(path, index=False)
    return path.read_bytes()


@pytest.fixture
def two_apis(tmp_path: Path) -> Iterator[Service]:
    """The API with two processes, as ``serve`` runs it, and one worker."""
    svc = Service(tmp_path, "", TUNEFORGE_API_WORKERS="2")
    try:
        svc.start("api", "worker")
        yield svc
    finally:
        svc.close()


def _fresh_post(svc: Service, body: dict[str, Any]) -> requests.Response:
    # A new connection each time: a kept-alive one would stay with one API process.
    return requests.post(
        f"{svc.url}/v1/jobs", json=body, headers={"Connection": "close"}, timeout=60
    )


def test_a_dry_run_makes_no_job_and_every_submit_after_it_carries_its_estimate(
    two_apis, breast_cancer_csv
):
    svc = two_apis
    dataset = svc.upload(breast_cancer_csv, "bc.csv")
    spec = {
        "dataset_id": dataset["id"],
        "target": "target",
        "estimator": "random_forest",
        "param_space": {"n_estimators": [100]},
        "timeout_s": 60,
    }
    before = svc.get("/v1/jobs").json()["items"]
    # the API answers /healthz while the calibration runs
    health: list[int] = []
    answered = threading.Event()

    def probe() -> None:
        while not answered.is_set():
            health.append(svc.get("/healthz").status_code)

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        dry = _fresh_post(svc, {**spec, "dry_run": True})
    finally:
        answered.set()
        prober.join()
    assert dry.status_code == 200, dry.text
    estimate = dry.json()["estimate"]
    assert estimate["seconds_per_trial"] > 0 and estimate["trials_in_budget"] >= 1
    assert health and set(health) == {200}
    assert svc.get("/v1/jobs").json()["items"] == before
    # every submit of the same spec, on either API process, keeps the estimate
    jobs = []
    for _ in range(SUBMITS):
        response = _fresh_post(svc, spec)
        assert response.status_code == 202, response.text
        jobs.append(response.json())
    assert [job["estimate"] for job in jobs] == [estimate] * SUBMITS
    for job in jobs:
        assert svc.job(job["id"])["estimate"] == estimate
    svc.cancel_unfinished()


def test_a_ten_second_budget_on_50000_rows_ends_with_a_model(two_apis, big_csv):
    svc = two_apis
    dataset = svc.upload(big_csv, "big.csv")
    job = svc.submit(
        dataset_id=dataset["id"], target="target", estimator="random_forest", timeout_s=10
    )
    # a trial was guessed (by the table's cells) at over a quarter of the budget
    assert job["spec"]["cheap_first"] is True
    done = svc.wait_for(job["id"], timeout=180)
    assert done["status"] == "succeeded", done
    assert done["stopped_reason"] == "timeout"
    assert svc.get(f"/v1/jobs/{job['id']}/model").status_code == 200
