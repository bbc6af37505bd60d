"""The search engine's strategies, CV kinds, metrics and budgets, run in-process on a
real SQLite database and real files (the worker adds only the Celery wrapper)."""

from __future__ import annotations

import json
import threading
import time

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.tree import DecisionTreeClassifier

from models.engine.evaluate import Fold, evaluate
from models.engine.spec import SearchSpec
from models.engine.tables import read_table
from models.engine.training import prepare
from models.job_run import StopFlag, StopReason
from models.store.records import JobStatus, TrialState
from tests.unit.engine_helpers import job_and_trials, run, submit, upload


@pytest.fixture
def bc_id(service, breast_cancer):
    return upload(service, breast_cancer)


@pytest.fixture
def regression_id(service):
    rng = np.random.default_rng(0)
    n = 300
    df = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "shop": rng.choice(["north", "south", "east"], n),
            "week": np.arange(n) // 10,
        }
    )
    df["sales"] = 3 * df["a"] - df["b"] + (df["shop"] == "north") * 2 + rng.normal(0, 0.3, n)
    return upload(service, df)


def finished(service, job_id):
    status = run(service, job_id)
    job, trials = job_and_trials(service, job_id)
    return status, job, trials


@pytest.mark.parametrize(
    "estimator",
    [
        "logistic_regression",
        "ridge",
        "decision_tree",
        "random_forest",
        "extra_trees",
        "hist_gradient_boosting",
        "svm",
        "knn",
        "lightgbm",
        "xgboost",
    ],
)
@pytest.mark.parametrize("strategy", ["random", "bayesian", "halving"])
def test_a_three_field_spec_runs_with_the_default_space(service, bc_id, estimator, strategy):
    # given only dataset, target and estimator (and a strategy), small budgets for speed
    extra = {"halving": {"n_candidates": 6}} if strategy == "halving" else {"n_trials": 4}
    trees = ("random_forest", "extra_trees", "lightgbm", "xgboost")
    if estimator in trees and strategy == "halving":
        extra["halving"]["resource"] = "n_estimators"
        extra["halving"]["max_resources"] = 30
    job_id = submit(
        service,
        bc_id,
        target="target",
        estimator=estimator,
        strategy=strategy,
        cv={"folds": 3},
        **extra,
    )
    status, job, trials = finished(service, job_id)
    # then it succeeds with a sensible score, and every trial respects the space's conditions
    assert status == JobStatus.SUCCEEDED, job.error
    assert job.best_score > 0.85
    for trial in trials:
        if estimator == "svm":
            assert ("degree" in trial.params) == (trial.params["kernel"] == "poly")
        if estimator == "logistic_regression":
            assert ("l1_ratio" in trial.params) == (trial.params["solver"] == "saga")
        if strategy == "halving" and estimator in trees:
            # halving grows the trees rung by rung up to its budget, which is not searched
            assert "n_estimators" not in trial.params and 0 < trial.resource <= 30


@pytest.mark.parametrize("estimator", ["decision_tree", "knn", "ridge"])
def test_a_grid_over_the_default_space_runs(service, bc_id, estimator):
    job_id = submit(
        service,
        bc_id,
        target="target",
        estimator=estimator,
        strategy="grid",
        cv={"folds": 3},
    )
    status, job, trials = finished(service, job_id)
    assert status == JobStatus.SUCCEEDED, job.error
    assert len(trials) == job.spec["n_trials"] <= 60


def test_halving_records_rungs_and_resources_and_picks_from_the_last(service, bc_id):
    job_id = submit(
        service,
        bc_id,
        target="target",
        estimator="decision_tree",
        strategy="halving",
        test_size=0.2,
        halving={"factor": 3, "n_candidates": 9, "min_resources": 40},
    )
    status, job, trials = finished(service, job_id)
    assert status == JobStatus.SUCCEEDED
    rungs = [t.rung for t in trials]
    assert rungs == [0] * 9 + [1] * 3 + [2]
    assert [t.resource for t in trials] == [40] * 9 + [120] * 3 + [360]
    assert job.best_trial == 12 and job.result["best_trial"] == 12
    assert job.trials_total == 13


def test_halving_over_n_estimators_refits_with_the_full_budget(service, storage, bc_id):
    job_id = submit(
        service,
        bc_id,
        target="target",
        estimator="random_forest",
        strategy="halving",
        cv={"folds": 3},
        halving={
            "resource": "n_estimators",
            "max_resources": 27,
            "min_resources": 3,
            "n_candidates": 9,
        },
    )
    status, job, trials = finished(service, job_id)
    assert status == JobStatus.SUCCEEDED
    assert sorted({t.resource for t in trials}) == [3, 9, 27]
    assert all("n_estimators" not in t.params for t in trials)
    model = joblib.load(storage.local_copy(job.model_key))
    assert model.named_steps["model"].n_estimators == 27


def test_the_halving_resource_cannot_also_be_searched(service, bc_id):
    from models.exceptions import SpecError

    with pytest.raises(SpecError) as info:
        submit(
            service,
            bc_id,
            target="target",
            estimator="random_forest",
            strategy="halving",
            halving={"resource": "n_estimators"},
            param_space={"n_estimators": [10, 20]},
        )
    assert info.value.field == "param_space.n_estimators"


@pytest.mark.parametrize("strategy", ["random", "bayesian", "halving"])
def test_the_same_seeded_spec_gives_identical_trials_and_predictions(
    service, storage, bc_id, breast_cancer, strategy
):
    spec = {
        "target": "target",
        "estimator": "decision_tree",
        "strategy": strategy,
        "random_state": 3,
        "cv": {"folds": 3},
    }
    spec |= {"halving": {"n_candidates": 6}} if strategy == "halving" else {"n_trials": 8}
    runs = []
    for _ in range(2):
        job_id = submit(service, bc_id, **spec)
        _, job, trials = finished(service, job_id)
        model = joblib.load(storage.local_copy(job.model_key))
        runs.append(
            (
                [(t.params, t.fold_scores, t.rung) for t in trials],
                model.predict(breast_cancer.drop(columns=["target"])),
            )
        )
    assert runs[0][0] == runs[1][0]
    assert np.array_equal(runs[0][1], runs[1][1])


def test_bayesian_pruning_stops_poor_candidates_and_never_picks_them(service, bc_id):
    job_id = submit(
        service,
        bc_id,
        target="target",
        estimator="decision_tree",
        strategy="bayesian",
        pruning=True,
        n_trials=30,
        random_state=1,
        param_space={
            "max_depth": {"type": "int", "low": 1, "high": 12},
            "min_samples_leaf": {"type": "int", "low": 1, "high": 200},
        },
    )
    status, job, trials = finished(service, job_id)
    assert status == JobStatus.SUCCEEDED
    pruned = [t for t in trials if t.state == TrialState.PRUNED]
    assert pruned, "some clearly worse candidates should be pruned"
    assert all(t.mean_score is None and "pruned after fold" in t.error for t in pruned)
    assert all(len(t.fold_scores) < 5 for t in pruned)
    assert job.best_trial not in {t.number for t in pruned}
    assert job.result["n_pruned_trials"] == len(pruned)


def test_every_trial_reports_every_metric_and_refit_ranks(service, bc_id):
    job_id = submit(
        service,
        bc_id,
        target="target",
        estimator="knn",
        strategy="grid",
        param_space={"n_neighbors": [1, 5, 25, 100]},
        scoring=["roc_auc", "accuracy", "neg_log_loss"],
        refit="accuracy",
    )
    status, job, trials = finished(service, job_id)
    assert status == JobStatus.SUCCEEDED
    assert job.spec["scoring"] == "accuracy"
    assert job.spec["metrics"] == ["accuracy", "roc_auc", "neg_log_loss"]
    for trial in trials:
        assert set(trial.metrics) == {"roc_auc", "accuracy", "neg_log_loss"}
        assert trial.mean_score == trial.metrics["accuracy"]["mean"]
        assert trial.fold_scores == trial.metrics["accuracy"]["fold_scores"]
    best = max(trials, key=lambda t: t.metrics["accuracy"]["mean"])
    assert job.best_trial == best.number
    scores = job.result["scores"]
    assert set(scores) == {"roc_auc", "accuracy", "neg_log_loss"}
    assert all(s["test"] is not None for s in scores.values())
    assert job.result["test_score"] == scores["accuracy"]["test"]


def test_group_folds_keep_each_group_in_one_fold(service, regression_id):
    job_id = submit(
        service,
        regression_id,
        target="sales",
        estimator="ridge",
        n_trials=3,
        cv={"kind": "group", "group_column": "week", "folds": 4},
    )
    status, job, _ = finished(service, job_id)
    assert status == JobStatus.SUCCEEDED
    treatments = {c["column"]: c["treatment"] for c in job.result["columns"]}
    assert "week" not in treatments and "shop" in treatments
    assert "week" not in job.result["model"]["feature_columns"]


def training_of(service, dataset_id, **spec):
    """The split table a job with ``spec`` would search on, and its dataset."""
    job, _ = job_and_trials(service, submit(service, dataset_id, **spec))
    dataset = service.get_dataset("default", dataset_id)
    table = read_table(
        service.storage.local_copy(dataset.storage_key), max_rows=10**6, max_columns=1000
    )
    return prepare(SearchSpec.from_dict(job.spec), table, dataset.columns), dataset


def test_group_splits_never_share_a_group(service, storage, regression_id):
    data, dataset = training_of(
        service,
        regression_id,
        target="sales",
        estimator="ridge",
        cv={"kind": "group", "group_column": "week", "folds": 4},
    )
    weeks = pd.read_csv(storage.local_copy(dataset.storage_key))["week"]
    train_weeks = weeks.iloc[data.X_train.index]
    test_weeks = set(weeks.iloc[data.X_test.index])
    assert not test_weeks & set(train_weeks)
    for train, test in data.splits:
        assert not set(train_weeks.iloc[train]) & set(train_weeks.iloc[test])


def test_timeseries_folds_train_on_the_past_only(service, regression_id):
    job_id = submit(
        service,
        regression_id,
        target="sales",
        estimator="ridge",
        n_trials=3,
        cv={"kind": "timeseries", "folds": 4},
    )
    status, job, _ = finished(service, job_id)
    assert status == JobStatus.SUCCEEDED and job.spec["cv"]["shuffle"] is False
    data, _ = training_of(
        service,
        regression_id,
        target="sales",
        estimator="ridge",
        cv={"kind": "timeseries", "folds": 4},
    )
    assert data.X_test.index.min() > data.X_train.index.max()
    for train, test in data.splits:
        assert train.max() < test.min()


def test_holdout_scores_one_validation_split(service, bc_id):
    job_id = submit(
        service,
        bc_id,
        target="target",
        estimator="knn",
        n_trials=3,
        cv={"kind": "holdout", "validation_size": 0.25},
    )
    status, _, trials = finished(service, job_id)
    assert status == JobStatus.SUCCEEDED
    assert all(len(t.fold_scores) == 1 for t in trials)


def test_rejected_combinations_are_failed_trials_not_a_failed_job(service, bc_id):
    job_id = submit(
        service,
        bc_id,
        target="target",
        estimator="logistic_regression",
        strategy="grid",
        param_space={"solver": ["lbfgs", "saga"], "l1_ratio": [0.5]},
    )
    status, job, trials = finished(service, job_id)
    assert status == JobStatus.SUCCEEDED
    by_solver = {t.params["solver"]: t for t in trials}
    assert by_solver["lbfgs"].state == TrialState.FAILED
    assert "penalt" in by_solver["lbfgs"].error
    assert by_solver["saga"].state == TrialState.SUCCEEDED
    assert job.best_params["solver"] == "saga"


SLOW = {
    "target": "target",
    "estimator": "random_forest",
    "strategy": "grid",
    "param_space": {"n_estimators": [1500, 1600]},
    "cv": {"folds": 5},
}


def test_cancel_interrupts_a_running_trial_within_seconds(service, bc_id):
    job_id = submit(service, bc_id, **SLOW)
    stop = StopFlag()
    out = {}
    thread = threading.Thread(target=lambda: out.setdefault("status", run(service, job_id, stop)))
    thread.start()
    time.sleep(1.5)  # the first trial (several seconds of forest fitting) is running
    asked = time.monotonic()
    stop.set(StopReason.CANCELLED)
    thread.join(timeout=30)
    assert time.monotonic() - asked < 2
    assert out["status"] == JobStatus.CANCELLED
    _, trials = job_and_trials(service, job_id)
    assert trials == []


def test_the_deadline_interrupts_a_running_trial_and_the_job_falls_back_on_a_cheap_model(
    service, bc_id, storage
):
    job_id = submit(service, bc_id, timeout_s=1, **SLOW)
    status, job, trials = finished(service, job_id)
    # The first candidate (1500 trees, 5 folds) could not finish: the job still has a
    # model, the estimator's cheap configuration, and says so.
    assert status == JobStatus.SUCCEEDED and job.stopped_reason == "timeout"
    assert trials == []
    result = job.result
    assert result["best_trial"] is None and result["best_score"] is None
    assert result["fallback"]["params"] == {"n_estimators": 10, "max_depth": 8}
    assert result["fallback"]["n_rows"] == result["n_train_rows"]
    assert "no trial finished before the deadline" in result["fallback"]["reason"]
    assert result["scores"][result["scoring"]]["cv"] is None
    assert 0.8 < result["test_score"] <= 1
    model = joblib.load(storage.local_copy(job.model_key))
    assert model.named_steps["model"].n_estimators == 10


def test_a_fallback_on_a_big_table_fits_a_subsample(service):
    rng = np.random.default_rng(0)
    n = 30_000
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    df["target"] = (df["a"] + rng.normal(0, 0.5, n) > 0).astype(int)
    dataset_id = upload(service, df)
    job_id = submit(service, dataset_id, timeout_s=1, **SLOW)
    status, job, _ = finished(service, job_id)
    assert status == JobStatus.SUCCEEDED and job.stopped_reason == "timeout"
    assert job.result["fallback"]["n_rows"] == 20_000 < job.result["n_train_rows"]


def test_trials_that_all_fail_within_the_budget_fail_the_job(service, bc_id):
    job_id = submit(
        service,
        bc_id,
        target="target",
        estimator="logistic_regression",
        strategy="grid",
        param_space={"solver": ["lbfgs"], "l1_ratio": [0.5]},
    )
    status, job, _ = finished(service, job_id)
    assert status == JobStatus.FAILED and job.stopped_reason is None
    assert "every trial failed" in job.error and job.model_key is None


def test_excluded_columns_are_not_features(service, regression_id):
    job_id = submit(
        service,
        regression_id,
        target="sales",
        estimator="ridge",
        n_trials=2,
        exclude_columns=["shop"],
    )
    status, job, _ = finished(service, job_id)
    assert status == JobStatus.SUCCEEDED
    assert "shop" not in job.result["model"]["feature_columns"]
    shop = next(c for c in job.result["columns"] if c["column"] == "shop")
    assert shop == {"column": "shop", "treatment": "dropped", "reason": "excluded by the spec"}


def test_rows_with_a_missing_target_are_dropped_and_counted(service, breast_cancer):
    df = breast_cancer.copy()
    df.loc[:9, "target"] = np.nan
    dataset_id = upload(service, df)
    job_id = submit(service, dataset_id, target="target", estimator="knn", n_trials=2)
    status, job, _ = finished(service, job_id)
    assert status == JobStatus.SUCCEEDED and job.spec["task"] == "classification"
    assert job.result["dropped_target_rows"] == 10
    assert job.result["n_train_rows"] + job.result["n_test_rows"] == 559


def test_halving_on_a_tiny_first_rung_keeps_every_class_in_each_fold(service, bc_id):
    # 12 rows and 3 folds: an unstratified cut would leave test folds with one class,
    # and ROC AUC would be NaN for every trial of the rung
    job_id = submit(
        service,
        bc_id,
        target="target",
        estimator="decision_tree",
        strategy="halving",
        cv={"folds": 3},
        scoring="roc_auc",
        halving={"n_candidates": 6, "min_resources": 12},
    )
    status, job, trials = finished(service, job_id)
    assert status == JobStatus.SUCCEEDED, job.error
    first_rung = [t for t in trials if t.rung == 0]
    assert first_rung and all(t.state == TrialState.SUCCEEDED for t in first_rung)


def test_a_fold_score_that_is_not_a_number_is_null_in_the_failed_trial():
    """JSON has no NaN: a trial whose scorer gave NaN fails, its fold score recorded null."""
    X = pd.DataFrame({"x": range(8)})
    y = pd.Series([0, 1] * 4)
    folds = [Fold(X.iloc[:4], y.iloc[:4], X.iloc[4:], y.iloc[4:])] * 2
    scores = iter([0.5, float("nan")])
    outcome = evaluate(DecisionTreeClassifier, {}, folds, {"s": lambda *_: next(scores)}, refit="s")
    assert outcome.state == TrialState.FAILED and "not finite" in outcome.error
    assert outcome.fold_scores == [0.5, None]
    json.dumps(outcome.fold_scores, allow_nan=False)
