"""Each fold's preprocessing is fitted once per job and reused by every candidate; the
scores are exactly those of the whole pipeline fitted per candidate and fold."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from models.engine.strategies import Candidate
from models.engine.training import TrainingData, evaluate_candidate
from tests.unit.engine_helpers import OWNER, submit, upload


def messy(n: int = 240) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    df = pd.DataFrame(
        {
            "size": rng.normal(50, 10, n),
            "rooms": rng.integers(1, 6, n).astype(float),
            "city": rng.choice(["Paris", "Lyon", "Nice", "Lille"], n),
            "street": [f"street {i % 37}" for i in range(n)],
            "garden": rng.choice(["yes", "no"], n),
        }
    )
    df.loc[rng.choice(n, 30, replace=False), "size"] = np.nan
    df.loc[rng.choice(n, 20, replace=False), "city"] = None
    df["sold"] = ((df["size"].fillna(50) > 50) ^ (df["city"] == "Nice")).astype(int)
    return df


def fold_keys(data: TrainingData) -> list[object]:
    """In the trial process: the keys of the folds it preprocessed and kept."""
    return list(data._folds)


def kept_folds(service, data: TrainingData) -> list[object]:
    process = service.worker_cache.process
    return process.call(fold_keys, context=(data.key, data), should_stop=lambda: False)


CASES = {
    "logistic_regression": [{"C": 0.1}, {"C": 10.0}],
    "random_forest": [{"n_estimators": 20, "max_depth": 3}, {"n_estimators": 30}],
    "knn": [{"n_neighbors": 3}, {"n_neighbors": 15, "weights": "distance"}],
}


@pytest.mark.parametrize("estimator", list(CASES))
@pytest.mark.parametrize("table", ["breast_cancer", "messy"])
def test_cached_and_uncached_trials_give_identical_scores(service, breast_cancer, estimator, table):

    df = breast_cancer if table == "breast_cancer" else messy()
    target = "target" if table == "breast_cancer" else "sold"
    dataset_id = upload(service, df)
    spec = service.resolve_spec(
        OWNER,
        {
            "dataset_id": dataset_id,
            "target": target,
            "estimator": estimator,
            "scoring": ["roc_auc", "accuracy"],
        },
    )
    data = service.training_data(OWNER, spec)
    for number, params in enumerate(CASES[estimator]):
        candidate = Candidate(params)
        cached, plain = (
            evaluate_candidate(
                spec,
                data,
                None,
                number,
                candidate,
                lambda: False,
                service.worker_cache.process,
                cache=c,
            )
            for c in (True, False)
        )
        assert cached.state == plain.state == "succeeded"
        assert cached.fold_scores == plain.fold_scores
        assert cached.metrics == plain.metrics
    # the trial process preprocessed the folds once and kept them; this process did not
    assert kept_folds(service, data) == [None]
    assert data._folds == {}


def test_halving_row_rungs_are_cached_per_resource(service, breast_cancer):

    dataset_id = upload(service, breast_cancer)
    spec = service.resolve_spec(
        OWNER,
        {"dataset_id": dataset_id, "target": "target", "estimator": "knn", "strategy": "halving"},
    )
    data = service.training_data(OWNER, spec)
    for resource in (60, 180, 60):
        candidate = Candidate({"n_neighbors": 5}, rung=0, resource=resource)
        cached, plain = (
            evaluate_candidate(
                spec, data, None, 0, candidate, lambda: False, service.worker_cache.process, cache=c
            )
            for c in (True, False)
        )
        assert cached.fold_scores == plain.fold_scores
    assert sorted(kept_folds(service, data)) == [60, 180]


def test_the_trial_that_preprocesses_the_folds_counts_it_as_fit_time(
    service, breast_cancer, monkeypatch
):
    """Fitting the shared preprocessing is the first trial's fit, as it is every fit's in
    GridSearchCV: it is not time spent beyond the fit."""
    dataset_id = upload(service, breast_cancer)
    spec = service.resolve_spec(
        OWNER, {"dataset_id": dataset_id, "target": "target", "estimator": "decision_tree"}
    )
    data = service.training_data(OWNER, spec)
    preprocess = TrainingData.preprocessed_folds

    def slow(self, splits, key, template=None):  # in the trial process, forked after this patch
        if key not in self._folds:
            time.sleep(0.5)
        return preprocess(self, splits, key, template)

    monkeypatch.setattr(TrainingData, "preprocessed_folds", slow)
    first, second = (
        evaluate_candidate(
            spec,
            data,
            None,
            n,
            Candidate({"max_depth": 2}),
            lambda: False,
            service.worker_cache.process,
        )
        for n in (0, 1)
    )
    assert first.fold_scores == second.fold_scores
    assert first.fit_time_s >= 0.5 > second.fit_time_s


def test_jobs_training_the_same_way_share_their_training_data(service, breast_cancer):
    """Two jobs on one table with the same target and split share one TrainingData (so the
    trial process keeps one set of folds for both); any field that changes the rows, the
    folds or the pipeline gives each its own."""
    dataset_id = upload(service, breast_cancer)
    again = upload(service, breast_cancer)  # the same bytes, uploaded twice
    base = {"dataset_id": dataset_id, "target": "target", "estimator": "decision_tree"}
    same = [
        base,
        {**base, "dataset_id": again},
        {**base, "n_trials": 3, "strategy": "grid", "scoring": "accuracy", "timeout_s": 60},
        {**base, "param_space": {"max_depth": {"type": "int", "low": 1, "high": 3}}},
    ]
    different = [
        {**base, "test_size": 0.3},
        {**base, "random_state": 7},
        {**base, "cv": {"folds": 3}},
        {**base, "estimator": "knn"},
        {**base, "exclude_columns": ["mean radius"]},
    ]
    cache = service.worker_cache

    def data_of(spec: dict) -> TrainingData:
        return cache.training_data(submit(service, spec.pop("dataset_id"), **spec))[1]

    shared = {id(data_of(dict(spec))) for spec in same}
    assert len(shared) == 1
    others = [data_of(dict(spec)) for spec in different]
    assert len({id(d) for d in others} | shared) == len(different) + 1
