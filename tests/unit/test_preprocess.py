"""Preprocessing: a treatment per column from its profile, carried out by plain sklearn parts."""

from __future__ import annotations

import pickle
import pickletools
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline

from models.preprocess import (
    MAX_ONE_HOT,
    ColumnTreatment,
    build_preprocessor,
    plan_columns,
)
from models.tables import profile_columns

N_ROWS = 80


def column(name: str, dtype: str, n_unique: int, n_missing: int = 0) -> dict[str, Any]:
    return {"name": name, "dtype": dtype, "n_missing": n_missing, "n_unique": n_unique}


# --- plan_columns --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "treatment", "reason"),
    [
        (column("age", "integer", 40), "numeric", "median-imputed and standardised"),
        (column("income", "float", 70, n_missing=5), "numeric", "median-imputed and standardised"),
        (column("colour", "string", 3, n_missing=2), "one_hot", "string with 3 values"),
        (column("member", "boolean", 2, n_missing=1), "one_hot", "boolean with 2 values"),
        (column("code", "string", MAX_ONE_HOT), "one_hot", f"string with {MAX_ONE_HOT} values"),
        (
            column("user_id", "string", MAX_ONE_HOT + 1),
            "dropped",
            f"text with {MAX_ONE_HOT + 1} distinct values (an id or free text)",
        ),
        (column("gone", "float", 0, n_missing=N_ROWS), "dropped", "every value is missing"),
        (column("blank", "string", 0, n_missing=N_ROWS), "dropped", "every value is missing"),
    ],
    ids=[
        "integer",
        "float-with-gaps",
        "few-strings",
        "boolean",
        "strings-at-one-hot-limit",
        "strings-over-one-hot-limit",
        "all-missing-numbers",
        "all-missing-text",
    ],
)
def test_plan_gives_each_column_a_treatment_and_reason(profile, treatment, reason):
    # given one column's profile in a table of N_ROWS rows
    # when the preprocessing is planned
    (planned,) = plan_columns([profile], N_ROWS)
    # then the column gets the expected treatment, with the reason spelled out
    assert planned == ColumnTreatment(profile["name"], treatment, reason)


def test_plan_keeps_column_order_and_serialises():
    # given several column profiles
    profiles = [column("b", "float", 9), column("a", "string", 2), column("c", "string", 500)]
    # when they are planned
    plan = plan_columns(profiles, N_ROWS)
    # then there is one treatment per column, in input order, each with a plain-dict form
    assert [t.column for t in plan] == ["b", "a", "c"]
    assert [t.to_dict()["treatment"] for t in plan] == ["numeric", "one_hot", "dropped"]
    assert set(plan[0].to_dict()) == {"column", "treatment", "reason"}


def test_plan_of_no_columns_is_empty():
    # given no feature columns
    # when they are planned
    # then the plan is empty
    assert plan_columns([], N_ROWS) == []


# --- build_preprocessor --------------------------------------------------------------------


def test_preprocessor_routes_columns_by_treatment():
    # given a plan with every treatment
    plan = [
        ColumnTreatment("n1", "numeric", ""),
        ColumnTreatment("s1", "one_hot", ""),
        ColumnTreatment("n2", "numeric", ""),
        ColumnTreatment("id", "dropped", ""),
    ]
    # when the preprocessor is built
    pre = build_preprocessor(plan)
    # then numeric and one-hot columns go to their own parts and the rest is dropped
    routed = {name: columns for name, _, columns in pre.transformers}
    assert routed == {"numeric": ["n1", "n2"], "one_hot": ["s1"]}
    assert pre.remainder == "drop"


@pytest.mark.parametrize(
    ("treatment", "expected"), [("numeric", ["numeric"]), ("one_hot", ["one_hot"])]
)
def test_preprocessor_leaves_out_parts_with_no_columns(treatment, expected):
    # given a plan with only one kind of column
    plan = [ColumnTreatment("c", treatment, ""), ColumnTreatment("d", "dropped", "")]
    # when the preprocessor is built
    pre = build_preprocessor(plan)
    # then only that part is present
    assert [name for name, _, _ in pre.transformers] == expected


# --- fitting and predicting ----------------------------------------------------------------


@pytest.fixture(scope="module")
def training_frame() -> pd.DataFrame:
    """Numbers, text, booleans, an id column and an empty column, with gaps in most."""
    rng = np.random.default_rng(0)
    gaps = rng.random((N_ROWS, 4)) < 0.1
    frame = pd.DataFrame(
        {
            "num": np.where(gaps[:, 0], np.nan, rng.normal(size=N_ROWS)),
            "count": rng.integers(0, 10, N_ROWS),
            "colour": pd.Series(rng.choice(["red", "green", "blue"], N_ROWS)).mask(gaps[:, 1]),
            "member": pd.Series(rng.random(N_ROWS) > 0.5, dtype=object).mask(gaps[:, 2]),
            "active": rng.random(N_ROWS) > 0.5,
            "user_id": [f"u{i:03d}" for i in range(N_ROWS)],
            "empty": np.full(N_ROWS, np.nan),
        }
    )
    assert frame.isna().any().loc[["num", "colour", "member", "empty"]].all()
    return frame


@pytest.fixture(scope="module")
def labels(training_frame) -> np.ndarray:
    return (training_frame["count"] > 4).astype(int).to_numpy()


@pytest.fixture(scope="module")
def plan(training_frame) -> list[ColumnTreatment]:
    profiles = [p.to_dict() for p in profile_columns(training_frame)]
    return plan_columns(profiles, len(training_frame))


@pytest.fixture(scope="module")
def fitted(training_frame, labels, plan) -> Pipeline:
    pipeline = Pipeline(
        [("preprocess", build_preprocessor(plan)), ("model", LogisticRegression(max_iter=500))]
    )
    return pipeline.fit(training_frame, labels)


@pytest.fixture
def unseen_frame() -> pd.DataFrame:
    """Rows with categories, gaps and a boolean gap never seen in training."""
    return pd.DataFrame(
        {
            "num": [np.nan, 0.5, 100.0],
            "count": [3, 99, 0],
            "colour": ["purple", None, "red"],
            "member": [None, True, False],
            "active": [None, True, False],
            "user_id": ["new1", "new2", "u001"],
            "empty": [np.nan, 1.0, np.nan],
        }
    )


def test_plan_of_a_mixed_frame(plan):
    # given the profile of a frame with every kind of column
    # when it is planned
    # then numbers are scaled, few-valued text and booleans one-hot, ids and empties dropped
    assert {t.column: t.treatment for t in plan} == {
        "num": "numeric",
        "count": "numeric",
        "colour": "one_hot",
        "member": "one_hot",
        "active": "one_hot",
        "user_id": "dropped",
        "empty": "dropped",
    }


def test_fitted_preprocessor_outputs_finite_features_for_the_kept_columns(fitted, training_frame):
    # given a fitted pipeline
    pre = fitted.named_steps["preprocess"]
    # when the training frame is transformed
    features = pre.transform(training_frame)
    # then missing values are gone, and each kept column (and its categories) has features
    names = list(pre.get_feature_names_out())
    assert np.isfinite(features).all()
    assert features.shape == (len(training_frame), len(names))
    assert names[:2] == ["numeric__num", "numeric__count"]
    assert {"one_hot__colour_red", "one_hot__member_True", "one_hot__active_False"} <= set(names)
    assert not any("user_id" in n or "empty" in n for n in names)


def test_numeric_features_are_standardised(fitted, training_frame):
    # given a fitted pipeline
    features = fitted.named_steps["preprocess"].transform(training_frame)
    # when the numeric features are looked at
    numeric = features[:, :2]
    # then they are centred with unit variance
    assert np.allclose(numeric.mean(axis=0), 0, atol=1e-9)
    assert np.allclose(numeric.std(axis=0), 1, atol=1e-9)


def test_missing_text_is_its_own_category(fitted):
    # given a fitted pipeline whose training text had gaps
    names = set(fitted.named_steps["preprocess"].get_feature_names_out())
    # when its one-hot features are listed
    # then missing values have their own indicator
    assert "one_hot__colour_nan" in names


def test_pipeline_predicts_on_unseen_categories_and_gaps(fitted, unseen_frame):
    # given a fitted pipeline and rows with unseen categories and gaps
    # when it predicts
    predictions = fitted.predict(unseen_frame)
    probabilities = fitted.predict_proba(unseen_frame)
    # then every row gets a known class and valid probabilities
    assert set(predictions) <= {0, 1}
    assert len(predictions) == len(unseen_frame)
    assert np.allclose(probabilities.sum(axis=1), 1)


def test_unseen_category_encodes_as_all_zeros(fitted, unseen_frame):
    # given a fitted pipeline
    pre = fitted.named_steps["preprocess"]
    names = list(pre.get_feature_names_out())
    colour = [i for i, n in enumerate(names) if n.startswith("one_hot__colour_")]
    # when a row with an unseen colour is transformed
    features = pre.transform(unseen_frame)
    # then none of its colour indicators is set, while a known colour sets exactly one
    assert features[0, colour].sum() == 0
    assert features[2, colour].sum() == 1


def test_pipeline_fits_a_regressor_too(training_frame, plan):
    # given a numeric target and the same plan
    target = training_frame["count"].to_numpy(dtype=float) * 2.0 + 1.0
    pipeline = Pipeline([("preprocess", build_preprocessor(plan)), ("model", Ridge(alpha=1e-6))])
    # when it is fitted and used
    predicted = pipeline.fit(training_frame, target).predict(training_frame)
    # then the numeric feature carries the signal through the scaler
    assert np.allclose(predicted, target, atol=1e-3)


def estimators_in(obj: Any, seen: set[int] | None = None) -> list[Any]:
    """Every estimator reachable from ``obj`` through attributes, lists, tuples and dicts."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return []
    seen.add(id(obj))
    found: list[Any] = []
    if isinstance(obj, BaseEstimator):
        found.append(obj)
        children = list(vars(obj).values())
    elif isinstance(obj, list | tuple):
        children = list(obj)
    elif isinstance(obj, dict):
        children = list(obj.values())
    else:
        return found
    for child in children:
        found += estimators_in(child, seen)
    return found


def test_fitted_pipeline_contains_only_sklearn_classes(fitted):
    # given a fitted pipeline
    # when every estimator inside it is collected
    found = estimators_in(fitted)
    # then there are several, and each class comes from scikit-learn
    names = {type(e).__name__ for e in found}
    assert {"ColumnTransformer", "SimpleImputer", "StandardScaler", "OneHotEncoder"} <= names
    assert {type(e).__module__.split(".")[0] for e in found} == {"sklearn"}


def test_fitted_pipeline_pickle_references_only_sklearn_numpy_and_builtins(fitted, unseen_frame):
    # given a fitted pipeline
    # when it is pickled (protocol 2 names every global as "module name")
    blob = pickle.dumps(fitted, protocol=2)
    modules = {arg.split(" ")[0] for op, arg, _ in pickletools.genops(blob) if op.name == "GLOBAL"}
    # then loading it needs only scikit-learn, numpy and the standard library
    roots = {m.split(".")[0] for m in modules}
    assert "sklearn" in roots
    assert roots <= {"sklearn", "numpy", "__builtin__", "builtins", "_codecs", "copyreg"}
    restored = pickle.loads(blob)
    assert (restored.predict(unseen_frame) == fitted.predict(unseen_frame)).all()
