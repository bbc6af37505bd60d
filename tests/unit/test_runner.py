"""The search loop end to end in-process: real SQLite, real files, no worker."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold

from models.engine import training
from models.job_run import RunOutcome, StopFlag, StopReason
from models.service import NoDispatch, Service
from models.store import jobs, trial_runs
from models.store.records import JobStatus, TrialState
from tests.unit.engine_helpers import OWNER, job_and_trials, run, submit, upload

GRID = {"max_depth": [2, 3, 4, 6, None], "min_samples_leaf": [1, 5, 10]}
EXACT_CV = {"folds": 5, "kind": "stratified", "shuffle": False}


@pytest.fixture
def bc_id(service, breast_cancer):
    return upload(service, breast_cancer)


def _model(storage, job):
    return joblib.load(storage.local_copy(job.model_key))


def test_grid_trials_equal_gridsearchcv(service, storage, bc_id, breast_cancer):
    # given a 15-candidate grid with unshuffled stratified folds and no hold-out
    job_id = submit(
        service,
        bc_id,
        target="target",
        estimator="decision_tree",
        strategy="grid",
        param_space=GRID,
        cv=EXACT_CV,
        test_size=0,
    )
    # when it runs
    assert run(service, job_id) == JobStatus.SUCCEEDED
    job, trials = job_and_trials(service, job_id)
    # then every trial equals GridSearchCV's score for the same candidate, on the
    # downloaded pipeline cloned as the template
    X = breast_cancer.drop(columns=["target"])
    y = breast_cancer["target"]
    search = GridSearchCV(
        clone(_model(storage, job)),
        {f"model__{k}": v for k, v in GRID.items()},
        cv=StratifiedKFold(5),
        scoring=job.spec["scoring"],
    ).fit(X, y)
    assert len(trials) == 15
    for trial, params, mean, std in zip(
        trials,
        search.cv_results_["params"],
        search.cv_results_["mean_test_score"],
        search.cv_results_["std_test_score"],
        strict=True,
    ):
        assert {f"model__{k}": v for k, v in trial.params.items()} == params
        assert trial.mean_score == pytest.approx(mean, abs=1e-9)
        assert trial.std_score == pytest.approx(std, abs=1e-9)
        assert trial.state == TrialState.SUCCEEDED and len(trial.fold_scores) == 5
    assert {f"model__{k}": v for k, v in job.best_params.items()} == search.best_params_
    assert job.best_score == pytest.approx(search.best_score_, abs=1e-9)


def test_ties_go_to_the_first_candidate_like_gridsearchcv(service, storage):
    # given data any tree deeper than one split classifies perfectly: every candidate ties
    x = np.arange(200)
    df = pd.DataFrame({"x": x, "noise": x % 7, "y": (x >= 100).astype(int)})
    dataset_id = upload(service, df)
    grid = {"max_depth": [8, 4, 2], "min_samples_leaf": [3, 1]}
    job_id = submit(
        service,
        dataset_id,
        target="y",
        estimator="decision_tree",
        strategy="grid",
        param_space=grid,
        cv=EXACT_CV,
        test_size=0,
        scoring="accuracy",
    )
    run(service, job_id)
    job, trials = job_and_trials(service, job_id)
    search = GridSearchCV(
        clone(_model(storage, job)),
        {f"model__{k}": v for k, v in grid.items()},
        cv=StratifiedKFold(5),
        scoring="accuracy",
    ).fit(df[["x", "noise"]], df["y"])
    # then all scores are equal and the best is GridSearchCV's: the first in grid order
    assert len({t.mean_score for t in trials}) == 1
    assert {f"model__{k}": v for k, v in job.best_params.items()} == search.best_params_
    assert job.best_trial == 0


def test_model_predicts_raw_rows(service, storage, bc_id, breast_cancer):
    job_id = submit(
        service,
        bc_id,
        target="target",
        estimator="logistic_regression",
        n_trials=3,
        test_size=0.25,
    )
    assert run(service, job_id) == JobStatus.SUCCEEDED
    job, _ = job_and_trials(service, job_id)
    model = _model(storage, job)
    raw = breast_cancer.drop(columns=["target"])
    # then the pipeline predicts the uploaded rows, and the metadata describes it
    assert (model.predict(raw) == breast_cancer["target"]).mean() > 0.9
    assert job.result["model"]["feature_columns"] == list(raw.columns)
    assert job.result["model"]["classes"] == [0, 1]
    assert job.result["n_test_rows"] == 143 and job.result["n_train_rows"] == 426
    assert 0.9 < job.result["test_score"] <= 1.0


def test_random_search_is_reproducible(service, bc_id):
    spec = {"target": "target", "estimator": "decision_tree", "n_trials": 6, "random_state": 7}
    first = submit(service, bc_id, **spec)
    second = submit(service, bc_id, **spec)
    run(service, first)
    run(service, second)
    _, a = job_and_trials(service, first)
    _, b = job_and_trials(service, second)
    assert [(t.params, t.fold_scores) for t in a] == [(t.params, t.fold_scores) for t in b]
    assert len({repr(sorted(t.params.items())) for t in a}) == 6


def test_failed_trials_are_recorded_and_never_best(service):
    # given a grid where some neighbour counts exceed the training fold size
    df = pd.DataFrame({"x": np.arange(60.0), "y": np.arange(60) % 2})
    dataset_id = upload(service, df)
    job_id = submit(
        service,
        dataset_id,
        target="y",
        estimator="knn",
        strategy="grid",
        param_space={"n_neighbors": [3, 400]},
        test_size=0,
    )
    assert run(service, job_id) == JobStatus.SUCCEEDED
    job, trials = job_and_trials(service, job_id)
    assert [t.state for t in trials] == [TrialState.SUCCEEDED, TrialState.FAILED]
    assert "n_neighbors" in trials[1].error and trials[1].mean_score is None
    assert job.best_params == {"n_neighbors": 3}
    assert job.result["n_failed_trials"] == 1


def test_job_fails_when_every_trial_fails(service):
    df = pd.DataFrame({"x": np.arange(60.0), "y": np.arange(60) % 2})
    dataset_id = upload(service, df)
    job_id = submit(
        service,
        dataset_id,
        target="y",
        estimator="knn",
        strategy="grid",
        param_space={"n_neighbors": [300, 400]},
        test_size=0,
    )
    assert run(service, job_id) == JobStatus.FAILED
    job, trials = job_and_trials(service, job_id)
    assert len(trials) == 2 and all(t.state == TrialState.FAILED for t in trials)
    assert job.error.startswith("every trial failed") and "n_neighbors" in job.error
    assert job.model_key is None


def _run_in_thread(service, job_id, stop):
    out = {}
    thread = threading.Thread(target=lambda: out.setdefault("status", run(service, job_id, stop)))
    thread.start()
    return thread, out


def _wait_for_trials(service, job_id, n, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, trials = job_and_trials(service, job_id)
        if len(trials) >= n:
            return trials
        time.sleep(0.05)
    raise AssertionError(f"fewer than {n} trials after {timeout}s")


SLOW_SPEC = {
    "target": "target",
    "estimator": "random_forest",
    "n_trials": 40,
    "param_space": {"n_estimators": {"type": "int", "low": 40, "high": 60}},
}


def test_cancel_keeps_finished_trials(service, sessions, bc_id):
    job_id = submit(service, bc_id, **SLOW_SPEC)
    thread, out = _run_in_thread(service, job_id, StopFlag())
    _wait_for_trials(service, job_id, 2)
    # when the API cancels the running job
    with sessions() as session:
        jobs.cancel_job(session, OWNER, job_id)
    thread.join(timeout=60)
    # then the run stops after at most the trial in flight, and the trials are kept
    assert out["status"] == JobStatus.CANCELLED
    job, trials = job_and_trials(service, job_id)
    assert job.status == JobStatus.CANCELLED and job.stopped_reason == "cancelled"
    assert 2 <= len(trials) < 40
    assert job.trials_completed == len(trials)
    assert job.model_key is None


def test_shutdown_hands_job_back_and_resume_skips_finished_trials(service, sessions, bc_id):
    spec = dict(SLOW_SPEC, n_trials=5)
    job_id = submit(service, bc_id, **spec)
    stop = StopFlag()
    thread, out = _run_in_thread(service, job_id, stop)
    before = _wait_for_trials(service, job_id, 2)
    # when the worker shuts down mid-search
    stop.set(StopReason.SHUTDOWN)
    thread.join(timeout=60)
    job, kept = job_and_trials(service, job_id)
    # then the interrupted trial is queued again for the next worker, nothing is lost
    assert out["status"] == RunOutcome.HANDED_BACK and job.status == JobStatus.RUNNING
    with sessions() as session:
        assert trial_runs.queued(session, job_id) == [len(kept)]
    # and a new run finishes the rest without re-running the finished trials
    assert run(service, job_id) == JobStatus.SUCCEEDED
    job, trials = job_and_trials(service, job_id)
    assert [t.number for t in trials] == [0, 1, 2, 3, 4]
    assert job.trials_completed == 5 and all(t.worker == "test-worker" for t in trials)
    first_run = {t.number: t.finished_at for t in kept}
    assert all(t.finished_at == first_run[t.number] for t in trials if t.number in first_run)
    assert len(before) >= 2


def test_timeout_ends_with_the_best_so_far(service, bc_id):
    job_id = submit(
        service,
        bc_id,
        target="target",
        estimator="random_forest",
        n_trials=400,
        timeout_s=4,  # room for a first trial even on a loaded machine
        # each trial a tenth of a second or more: 400 cannot all finish in 4 s, however
        # quiet the machine (knn's, a few milliseconds each, could)
        param_space={"n_estimators": {"type": "int", "low": 50, "high": 200}},
        cv={"folds": 2},
    )
    started = time.monotonic()
    assert run(service, job_id) == JobStatus.SUCCEEDED
    assert time.monotonic() - started < 15
    job, trials = job_and_trials(service, job_id)
    assert job.stopped_reason == "timeout"
    assert 0 < len(trials) < 400 and job.best_score is not None


def test_a_run_that_lost_its_lease_writes_nothing(service, sessions, bc_id):
    job_id = submit(service, bc_id, target="target", estimator="decision_tree", n_trials=2)
    with sessions() as session:
        stale = jobs.claim_job(session, job_id, "old", ttl_s=60)
        jobs.cancel_job(session, OWNER, job_id)
        outcome_trial = jobs.finished_trials(session, job_id)
        assert outcome_trial == []
        assert not jobs.renew_lease(session, stale, 60)
        assert not jobs.finish_job(session, stale, JobStatus.SUCCEEDED)
        assert jobs.claim_job(session, job_id, "new", ttl_s=60) is None


def messy_table(n: int = 150, seed: int = 2) -> pd.DataFrame:
    """Numbers with gaps, text categories with gaps, a boolean: what the engine's preprocessing
    hands a tree-based estimator (ordinal codes, imputed numbers)."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "size": rng.normal(100, 20, n),
            "city": rng.choice(["Lyon", "Paris", "Nice", None], n),
            "garden": rng.choice([True, False], n),
            "rooms": rng.integers(1, 6, n).astype(float),
        }
    )
    df.loc[::7, "rooms"] = np.nan
    df["price"] = df["size"] * 3 + (df["city"] == "Paris") * 50 + rng.normal(0, 5, n)
    df["dear"] = np.where(df["price"] > df["price"].median(), "yes", "no")
    return df


def test_regression_with_text_and_missing_values(service, storage):
    # given a messy table: text categories, booleans, missing values, a numeric target
    df = messy_table(120, seed=0).drop(columns=["dear"])
    dataset_id = upload(service, df)
    job_id = submit(
        service,
        dataset_id,
        target="price",
        estimator="ridge",
        n_trials=4,
        cv={"folds": 3, "kind": "kfold"},
    )
    assert run(service, job_id) == JobStatus.SUCCEEDED
    job, _ = job_and_trials(service, job_id)
    assert job.spec["task"] == "regression" and job.result["scoring"] == "r2"
    model = _model(storage, job)
    predictions = model.predict(df.drop(columns=["price"]).head(5))
    assert predictions.shape == (5,) and np.all(np.isfinite(predictions))
    treatments = {c["column"]: c["treatment"] for c in job.result["columns"]}
    assert treatments == {
        "size": "numeric",
        "city": "one_hot",
        "garden": "one_hot",
        "rooms": "numeric",
    }


def test_kfold_regression_scores_equal_sklearn(service, storage):
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80)})
    df["y"] = 2 * df["a"] - df["b"] + rng.normal(0, 0.1, 80)
    dataset_id = upload(service, df)
    grid = {"alpha": [0.01, 1.0, 100.0]}
    job_id = submit(
        service,
        dataset_id,
        target="y",
        estimator="ridge",
        strategy="grid",
        param_space=grid,
        test_size=0,
        cv={"folds": 4, "kind": "kfold", "shuffle": True, "random_state": 3},
    )
    run(service, job_id)
    job, trials = job_and_trials(service, job_id)
    search = GridSearchCV(
        clone(_model(storage, job)),
        {"model__alpha": grid["alpha"]},
        cv=KFold(4, shuffle=True, random_state=3),
        scoring="r2",
    )
    search.fit(df[["a", "b"]], df["y"])
    assert [t.mean_score for t in trials] == pytest.approx(
        list(search.cv_results_["mean_test_score"]), abs=1e-9
    )


TRIAL_MEMORY_MB = 200
TRIAL_SECONDS = 2
_evaluate_here = training._evaluate_here


def greedy_or_slow(data, spec, number, candidate, cache):
    """The trial's computation, except that alpha 1.0 allocates five times the memory
    limit and alpha 10.0 outlasts the time limit (it runs in the trial process)."""
    if candidate.params["alpha"] == 1.0:
        bytearray(5 * TRIAL_MEMORY_MB * 2**20)
    if candidate.params["alpha"] == 10.0:
        time.sleep(60)
    return _evaluate_here(data, spec, number, candidate, cache)


@pytest.fixture
def limited_service(settings, sessions, storage):
    """The service core with small trial limits."""
    limited = replace(settings, trial_memory_mb=TRIAL_MEMORY_MB, trial_seconds=TRIAL_SECONDS)
    core = Service(limited, sessions.kw["bind"], sessions, storage, NoDispatch())
    yield core
    if "worker_cache" in core.__dict__:
        core.worker_cache.close()


def test_trials_past_a_limit_fail_with_the_reason_and_the_search_goes_on(
    limited_service, breast_cancer, monkeypatch
):
    # given a grid whose second candidate allocates too much and whose third runs too long
    monkeypatch.setattr(training, "_evaluate_here", greedy_or_slow)
    dataset_id = upload(limited_service, breast_cancer)
    job_id = submit(
        limited_service,
        dataset_id,
        target="target",
        estimator="ridge",
        strategy="grid",
        param_space={"alpha": [0.1, 1.0, 10.0, 100.0]},
    )
    # when the job runs
    started = time.monotonic()
    assert run(limited_service, job_id) == JobStatus.SUCCEEDED
    # then those two trials are failed with their limit, the others ran, the job succeeded
    job, trials = job_and_trials(limited_service, job_id)
    assert [t.state for t in trials] == [
        TrialState.SUCCEEDED,
        TrialState.FAILED,
        TrialState.FAILED,
        TrialState.SUCCEEDED,
    ]
    assert trials[1].error == f"the trial exceeded the memory limit of {TRIAL_MEMORY_MB} MB"
    assert trials[2].error == f"the trial exceeded the time limit of {TRIAL_SECONDS} s"
    assert job.result["n_failed_trials"] == 2 and job.best_params["alpha"] in (0.1, 100.0)
    assert time.monotonic() - started < 30  # the slow trial was not waited for


BOOSTER_GRIDS = {
    "lightgbm": {"num_leaves": [4, 16], "learning_rate": [0.05, 0.3], "n_estimators": [20]},
    "xgboost": {"max_depth": [2, 4], "learning_rate": [0.05, 0.3], "n_estimators": [20]},
}


@pytest.mark.parametrize("task", ["classification", "regression"])
@pytest.mark.parametrize("estimator", sorted(BOOSTER_GRIDS))
def test_boosting_library_trials_equal_gridsearchcv(service, storage, estimator, task):
    # given a table with text, booleans and gaps (a text target when classifying), and a
    # 4-candidate grid of a boosting library with unshuffled folds and no hold-out
    df = messy_table()
    target, other = ("dear", "price") if task == "classification" else ("price", "dear")
    grid = BOOSTER_GRIDS[estimator]
    job_id = submit(
        service,
        upload(service, df),
        target=target,
        task=task,
        estimator=estimator,
        strategy="grid",
        param_space=grid,
        exclude_columns=[other],
        test_size=0,
        cv={
            "folds": 3,
            "kind": "stratified" if task == "classification" else "kfold",
            "shuffle": False,
        },
    )
    # when it runs
    assert run(service, job_id) == JobStatus.SUCCEEDED
    job, trials = job_and_trials(service, job_id)
    # then every trial equals GridSearchCV's on the downloaded pipeline cloned as the template
    splitter = StratifiedKFold(3) if task == "classification" else KFold(3)
    search = GridSearchCV(
        clone(_model(storage, job)),
        {f"model__{k}": v for k, v in grid.items()},
        cv=splitter,
        scoring=job.spec["scoring"],
        error_score="raise",
    ).fit(df.drop(columns=[target, other]), df[target])
    assert len(trials) == 4
    for trial, params, mean in zip(
        trials, search.cv_results_["params"], search.cv_results_["mean_test_score"], strict=True
    ):
        assert {f"model__{k}": v for k, v in trial.params.items()} == params
        assert trial.mean_score == pytest.approx(mean, abs=1e-9)
    assert {f"model__{k}": v for k, v in job.best_params.items()} == search.best_params_
    # and the model answers in the target's own terms
    predicted = _model(storage, job).predict(df.head(20))
    if task == "classification":
        assert set(predicted) <= {"yes", "no"}
    else:
        assert np.all(np.isfinite(predicted))


SLOW_BOOSTERS = {
    "lightgbm": {"n_estimators": [5, 2000], "num_leaves": [1024], "min_child_samples": [1]},
    "xgboost": {"n_estimators": [5, 2000], "max_depth": [16], "min_child_weight": [0.0]},
}


@pytest.mark.parametrize("estimator", sorted(SLOW_BOOSTERS))
def test_a_boosting_library_trial_past_the_time_limit_is_ended(limited_service, estimator):
    # given noise to fit (every tree keeps splitting) and a grid whose second candidate
    # grows 2000 deep trees on it, far beyond the trial's time limit
    rng = np.random.default_rng(0)
    # (20,000 rows: on 2,000 XGBoost's 2000 trees finished within the limit on a quiet machine)
    df = pd.DataFrame(rng.normal(size=(20_000, 8)), columns=[f"x{i}" for i in range(8)])
    df["y"] = rng.normal(size=len(df))
    job_id = submit(
        limited_service,
        upload(limited_service, df),
        target="y",
        estimator=estimator,
        strategy="grid",
        param_space=SLOW_BOOSTERS[estimator],
        cv={"folds": 2, "kind": "kfold"},
    )
    # when the job runs
    assert run(limited_service, job_id) == JobStatus.SUCCEEDED
    # then the slow trial was ended at the limit (its native code is killed with its
    # process), and the quick one is the job's best
    job, trials = job_and_trials(limited_service, job_id)
    assert [t.state for t in trials] == [TrialState.SUCCEEDED, TrialState.FAILED]
    assert trials[1].error == f"the trial exceeded the time limit of {TRIAL_SECONDS} s"
    assert job.best_params["n_estimators"] == 5
