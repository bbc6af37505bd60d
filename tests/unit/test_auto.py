"""``estimator: "auto"``: the conditional space over families, its first points, per-family
pipelines, the result naming the family chosen, and the refusals naming their field."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from models.engine import auto
from models.engine.catalog import CATALOG, CLASSIFICATION, REGRESSION, SVM_MAX_TRAIN_ROWS
from models.engine.space import sample
from models.engine.spec import resolve_spec
from models.engine.strategies import make_strategy
from models.engine.training import fallback_params, make_search_strategy, prepare, space_dims
from models.exceptions import SpecError
from models.job_run import RunOutcome
from tests.unit.engine_helpers import job_and_trials, run, submit, upload

COLUMNS = [
    {"name": "x", "dtype": "float", "n_missing": 0, "n_unique": 90},
    {"name": "c", "dtype": "string", "n_missing": 0, "n_unique": 3},
    {"name": "y", "dtype": "integer", "n_missing": 0, "n_unique": 2},
]


def resolve(n_rows: int = 100, **overrides: Any) -> Any:
    raw = {"dataset_id": "ds_1", "target": "y", "estimator": "auto"} | overrides
    return resolve_spec(raw, COLUMNS, n_rows, max_trials=500, max_job_seconds=3600)


def refusal(**overrides: Any) -> SpecError:
    with pytest.raises(SpecError) as info:
        resolve(**overrides)
    return info.value


def test_the_family_order_is_the_catalog_names_it_lists_cheap_and_strong_first():
    names = auto.families(CLASSIFICATION, 100)
    assert names[0] == "hist_gradient_boosting"
    assert names == [n for n in auto.FAMILY_ORDER if n in CATALOG]
    # an entry the catalog lacks (yet) is skipped, not refused
    assert all(n in CATALOG for n in names)
    assert "logistic_regression" not in auto.families(REGRESSION, 100)


def test_a_family_that_cannot_take_the_rows_is_left_out():
    assert "svm" in auto.families(CLASSIFICATION, SVM_MAX_TRAIN_ROWS)
    assert "svm" not in auto.families(CLASSIFICATION, SVM_MAX_TRAIN_ROWS + 1)
    spec = resolve(n_rows=2 * SVM_MAX_TRAIN_ROWS)
    assert "svm" not in spec.param_space["estimator"]["choices"]
    warnings = auto.left_out_warnings(spec.task, spec.param_space)
    assert [w["code"] for w in warnings] == ["auto_family_left_out"]
    assert "'svm'" in warnings[0]["message"]


def test_the_default_space_is_conditioned_and_namespaced_by_family():
    spec = resolve()
    space = spec.param_space
    assert space["estimator"]["choices"] == auto.families(CLASSIFICATION, 80)
    # two families' max_depth do not collide
    assert space["random_forest.max_depth"]["when"] == {"estimator": ["random_forest"]}
    # a family's own condition is renamed into its namespace
    assert space["logistic_regression.l1_ratio"]["when"] == {
        "estimator": ["logistic_regression"],
        "logistic_regression.solver": ["saga"],
    }
    dims = space_dims(spec)
    for candidate in sample(dims, 30, 0):
        family, own = auto.split(candidate)
        assert set(own) <= set(CATALOG[family].params[CLASSIFICATION])


@pytest.mark.parametrize("strategy", ["random", "bayesian", "halving"])
def test_the_first_trials_are_each_family_near_its_defaults_in_order(strategy):
    extra = {"halving": {"n_candidates": 9}} if strategy == "halving" else {"n_trials": 12}
    spec = resolve(strategy=strategy, **extra)
    dims = space_dims(spec)
    names = spec.param_space["estimator"]["choices"]
    strategy_ = make_search_strategy(spec, _data(spec))
    firsts = []
    for number in range(len(names)):
        candidate = strategy_.propose(number)
        strategy_.pending(number, candidate)  # as the job's loop tells it
        firsts.append(candidate.params)
    assert [p["estimator"] for p in firsts] == names
    assert firsts == auto.first_points(dims, CLASSIFICATION)
    hgb = auto.split(firsts[0])[1]
    assert hgb["learning_rate"] == 0.1 and hgb["max_leaf_nodes"] == 31
    assert auto.split(firsts[names.index("logistic_regression")])[1] == {
        "C": 1.0,
        "solver": "lbfgs",
        "class_weight": None,
    }


def _frame(n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.normal(size=n)
    return pd.DataFrame(
        {"x": x, "c": rng.choice(["a", "b", "c"], n), "y": (x + rng.normal(size=n) > 0).astype(int)}
    )


def _data(spec: Any) -> Any:
    df = _frame()
    return prepare(spec, df, COLUMNS)


def test_each_family_gets_its_own_preprocessing():
    spec = resolve()
    # a text column with many values: ordinal for trees, the top values one-hot otherwise
    profiles = [{**c, "n_unique": 25} if c["name"] == "c" else c for c in COLUMNS]
    data = prepare(spec, _frame(), profiles)
    tree, own = data.pipeline_for({"estimator": "random_forest", "random_forest.max_depth": 4})
    linear, _ = data.pipeline_for({"estimator": "logistic_regression"})
    assert own == {"max_depth": 4}
    assert type(tree[-1]).__name__ == "RandomForestClassifier"
    assert {c.treatment for c in data.family_columns["random_forest"]} >= {"ordinal"}
    assert {c.treatment for c in data.family_columns["logistic_regression"]} >= {"one_hot_top"}
    assert tree[0] is not linear[0]
    # families that preprocess alike share the step, so their folds are computed once
    assert tree[0] is data.templates["extra_trees"][0]


def test_a_given_space_gets_its_family_conditions_and_families():
    spec = resolve(
        param_space={"random_forest.max_depth": [4, 8], "ridge.alpha": {"low": 0.1, "high": 10}}
    )
    assert spec.param_space["estimator"]["choices"] == ["ridge", "random_forest"]
    assert spec.param_space["ridge.alpha"]["when"] == {"estimator": ["ridge"]}


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        (
            {"param_space": {"boosted_forest.max_depth": [4]}},
            "param_space.boosted_forest.max_depth",
            "family.param",
        ),
        ({"param_space": {"max_depth": [4]}}, "param_space.max_depth", "family.param"),
        ({"param_space": {"ridge.alpha": "big"}}, "param_space.ridge.alpha", "must be a list"),
        (
            {"param_space": {"ridge.alpha": {"low": 1, "high": 2, "when": ["x"]}}},
            "param_space.ridge.alpha",
            "'when' must map",
        ),
        (
            {"param_space": {"random_forest.depth": [4]}},
            "param_space.random_forest.depth",
            "unknown parameter",
        ),
        (
            {"param_space": {"estimator": ["random_forest", "nope"]}},
            "param_space.estimator",
            "not allowed",
        ),
        (
            {"strategy": "halving", "halving": {"resource": "n_estimators"}},
            "halving.resource",
            "n_samples",
        ),
    ],
)
def test_auto_refusals_name_the_field(overrides, field, words):
    error = refusal(**overrides)
    assert field in error.errors, error.errors
    assert any(words in message for message in error.errors[field]), error.errors


def test_an_auto_job_returns_the_family_chosen_and_how_each_did(service):
    dataset = upload(service, _frame(80))
    job_id = submit(
        service,
        dataset,
        target="y",
        estimator="auto",
        n_trials=4,
        cv=2,
        param_space={
            "estimator": ["logistic_regression", "ridge"],
            "logistic_regression.C": {"low": 0.01, "high": 10.0, "log": True},
            "ridge.alpha": {"low": 0.1, "high": 10.0, "log": True},
        },
    )
    assert run(service, job_id) is RunOutcome.SUCCEEDED
    job, trials = job_and_trials(service, job_id)
    assert [t.params["estimator"] for t in trials[:2]] == ["logistic_regression", "ridge"]
    result = job.result
    assert result["estimator"] == result["best_params"]["estimator"]
    families = {f["estimator"]: f for f in result["families"]}
    assert list(families) == ["logistic_regression", "ridge"]
    assert sum(f["n_trials"] for f in families.values()) == 4
    # and the trials can be listed by family
    page = service.list_trials("default", job_id, 10, None, family="ridge")
    assert [t.number for t in page.items] == [
        t.number for t in trials if t.params["estimator"] == "ridge"
    ]
    assert page.items
    best = families[result["estimator"]]
    assert best["best_score"] == result["best_score"]
    assert set(best["best_params"]) <= set(CATALOG[result["estimator"]].params[CLASSIFICATION])


def test_auto_jobs_on_the_same_table_with_other_families_each_fit_their_own(service):
    # given a first auto job over two families, run by this worker (which keeps its
    # training data for jobs that train the same way)
    dataset = upload(service, _frame(60))
    spaces = [
        {"estimator": ["ridge", "knn"]},
        {"estimator": ["logistic_regression", "random_forest"], "random_forest.n_estimators": [5]},
    ]
    jobs_ = [
        submit(service, dataset, target="y", estimator="auto", n_trials=2, cv=2, param_space=space)
        for space in spaces
    ]
    # when both run, the second after the first, then each fits its own families
    for job_id, space in zip(jobs_, spaces, strict=True):
        assert run(service, job_id) is RunOutcome.SUCCEEDED
        job, trials = job_and_trials(service, job_id)
        assert [t.state for t in trials] == ["succeeded"] * 2, [t.error for t in trials]
        assert [f["estimator"] for f in job.result["families"]] == space["estimator"]


def test_an_auto_grid_counts_each_family_branch_and_goes_family_by_family():
    # the product of every family's values would be far beyond any limit; the branches
    # the conditions leave are few
    spec = resolve(strategy="grid")
    dims = space_dims(spec)
    candidates = make_strategy("grid", dims, 0, 0).candidates
    assert spec.n_trials == len(candidates) <= 500
    order = [c["estimator"] for c in candidates]
    assert list(dict.fromkeys(order)) == spec.param_space["estimator"]["choices"]
    assert order == sorted(order, key=spec.param_space["estimator"]["choices"].index)


def test_a_given_when_may_name_the_same_familys_parameters():
    spec = resolve(
        param_space={
            "svm.kernel": ["poly", "rbf"],
            "svm.degree": {"low": 2, "high": 3, "when": {"svm.kernel": ["poly"]}},
        }
    )
    assert spec.param_space["svm.degree"]["when"] == {
        "estimator": ["svm"],
        "svm.kernel": ["poly"],
    }
    candidates = make_strategy("grid", space_dims(spec), 0, 0).candidates
    assert {"estimator": "svm", "svm.kernel": "rbf"} in candidates
    assert {"estimator": "svm", "svm.kernel": "poly", "svm.degree": 3} in candidates
    # and naming another family's parameter there is refused, naming the dimension
    error = refusal(
        param_space={
            "svm.kernel": ["poly"],
            "knn.p": {"type": "categorical", "choices": [1], "when": {"svm.kernel": ["poly"]}},
            "forest.depth": [1],
        }
    )
    assert {"param_space.knn.p", "param_space.forest.depth"} <= set(error.errors)


def test_a_resolved_auto_spec_resolves_again_to_itself():
    # as a resubmit or an edited spec sends it back: every condition written out
    spec = resolve(strategy="bayesian", n_trials=5)
    again = resolve(strategy="bayesian", n_trials=5, param_space=spec.param_space)
    assert again == spec
    # but a family's condition naming another family is refused
    space = {
        **spec.param_space,
        "ridge.alpha": {"low": 1.0, "high": 2.0, "when": {"estimator": ["knn"]}},
    }
    assert "param_space.ridge.alpha" in refusal(param_space=space).errors


def test_an_auto_jobs_fallback_is_its_first_familys_cheap_configuration():
    # given an auto spec (its first family: the cheap and strong one)
    spec = resolve()
    first = spec.param_space[auto.FAMILY]["choices"][0]
    # when the budget ran out before any trial finished, the fallback it fits
    params = fallback_params(spec)
    # is that family's cheap configuration, named as an auto trial names it
    family, own = auto.split(params)
    assert family == first
    assert own == {
        k: v for k, v in CATALOG[first].cheap.items() if k in CATALOG[first].params[CLASSIFICATION]
    }
    assert all(k == auto.FAMILY or k.startswith(f"{first}.") for k in params)
