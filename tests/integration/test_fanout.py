"""One job's trials on several worker processes, as on several machines: each with its own
memory and caches, sharing the database, broker and storage."""

from __future__ import annotations

import signal
from collections import Counter

import pytest

from tests.integration.conftest import Service

pytestmark = pytest.mark.integration

# Trials long enough (a few hundred ms each) that both workers are busy at once.
SLOW = {
    "target": "target",
    "estimator": "random_forest",
    "strategy": "random",
    "param_space": {"n_estimators": {"type": "int", "low": 60, "high": 120}},
    "cv": {"folds": 3},
    "max_parallel": 2,
}


@pytest.fixture
def two_workers(tmp_path):
    svc = Service(tmp_path, "")  # one slot each (TUNEFORGE_WORKER_CONCURRENCY's default)
    try:
        svc.start("api", "worker", "worker-2")
        yield svc
    finally:
        svc.close()


def test_one_jobs_trials_run_on_both_workers_and_equal_a_serial_run(two_workers, breast_cancer_csv):
    svc = two_workers
    dataset = svc.upload(breast_cancer_csv)
    spec = {"dataset_id": dataset["id"], **SLOW, "n_trials": 12}
    # given the same seeded search twice: on two slots, and one trial at a time
    parallel = svc.submit(**spec)
    serial = svc.submit(**{**spec, "max_parallel": 1})
    assert parallel["spec"]["max_parallel"] == 2 and serial["spec"]["max_parallel"] == 1
    for job in (parallel, serial):
        assert svc.wait_for(job["id"], timeout=300)["status"] == "succeeded"
    fanned, one_by_one = svc.trials(parallel["id"]), svc.trials(serial["id"])
    # then the parallel job's trials ran on two distinct worker processes
    assert len({t["worker"] for t in fanned}) == 2, Counter(t["worker"] for t in fanned)
    assert all(t["started_at"] <= t["finished_at"] for t in fanned)
    # and they are exactly the serial job's trials, scores and best
    assert [(t["number"], t["params"], t["mean_score"]) for t in fanned] == [
        (t["number"], t["params"], t["mean_score"]) for t in one_by_one
    ]
    assert svc.job(parallel["id"])["best_params"] == svc.job(serial["id"])["best_params"]


def test_a_worker_killed_mid_job_loses_no_trial_and_records_none_twice(
    two_workers, breast_cancer_csv
):
    svc = two_workers
    dataset = svc.upload(breast_cancer_csv)
    job = svc.submit(dataset_id=dataset["id"], **SLOW, n_trials=16)
    svc.wait_until(
        lambda: svc.job(job["id"])["progress"]["trials_completed"] >= 3, 120, "three trials"
    )
    # when one worker is killed outright, its pool and the trial it was running with it
    svc.stop("worker-2", signal.SIGKILL)
    # then the other worker finishes the job once the dead one's lease lapses
    done = svc.wait_for(job["id"], timeout=300)
    assert done["status"] == "succeeded"
    numbers = [t["number"] for t in svc.trials(job["id"])]
    assert numbers == list(range(16))
    assert done["progress"]["trials_completed"] == 16


def test_a_jobs_default_max_parallel_counts_the_slots_of_the_live_workers(
    two_workers, breast_cancer_csv
):
    svc = two_workers
    dataset = svc.upload(breast_cancer_csv)
    spec = {"dataset_id": dataset["id"], **SLOW, "n_trials": 1}
    del spec["max_parallel"]

    def default_parallel() -> int:
        job = svc.submit(**spec)
        svc.post(f"/v1/jobs/{job['id']}/cancel")
        return job["spec"]["max_parallel"]

    # given two workers of one slot each, and no TUNEFORGE_WORKER_SLOTS anywhere, a job
    # runs on both by default, as the workers' heartbeats say
    svc.wait_until(lambda: default_parallel() == 2, 30, "a default max_parallel of 2")
    # when one stops, its slot stops counting (once the API's count is renewed)
    svc.stop("worker-2")
    svc.wait_until(lambda: default_parallel() == 1, 30, "a default max_parallel of 1")
