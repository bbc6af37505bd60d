"""Preprocessing: a treatment per column from its profile, carried out by plain sklearn parts."""

from __future__ import annotations

import pickle
import pickletools
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline

from models.engine.preprocess import (
    MAX_ONE_HOT,
    MAX_TOP_CATEGORIES,
    ColumnTreatment,
    build_preprocessor,
    plan_columns,
)
from models.engine.tables import profile_columns

N_ROWS = 80


def column(
    name: str, dtype: str, n_unique: int, n_missing: int = 0, **text: float
) -> dict[str, Any]:
    """A profile dict; ``text`` adds mean_length / share_with_spaces as a text profile has."""
    return {"name": name, "dtype": dtype, "n_missing": n_missing, "n_unique": n_unique} | text


# --- plan_columns --------------------------------------------------------------------------

NUMERIC_REASON = "median-imputed and standardised"
MANY = MAX_ONE_HOT + 1  # distinct values: more than one-hot takes, fewer than half of N_ROWS
TOP_REASON = (
    f"text with {MANY} distinct values: a column for each of the most frequent, "
    f"one shared by the rest ({MAX_TOP_CATEGORIES} columns at most)"
)


@pytest.mark.parametrize(
    ("profile", "treatment", "reason"),
    [
        (column("age", "integer", 40), "numeric", NUMERIC_REASON),
        (column("income", "float", 70, n_missing=5), "numeric", NUMERIC_REASON),
        (column("row_number", "integer", N_ROWS), "numeric", NUMERIC_REASON),
        (column("rare", "float", 1, n_missing=70), "numeric", NUMERIC_REASON),
        (
            column("colour", "string", 3, n_missing=2),
            "one_hot",
            "text with 3 distinct values: a column for each",
        ),
        (
            column("member", "boolean", 2, n_missing=1),
            "one_hot",
            "boolean with 2 distinct values: a column for each",
        ),
        (
            column("code", "string", MAX_ONE_HOT),
            "one_hot",
            f"text with {MAX_ONE_HOT} distinct values: a column for each",
        ),
        (
            column("city", "string", MANY, mean_length=8.0, share_with_spaces=0.0),
            "one_hot_top",
            TOP_REASON,
        ),
        (column("city", "string", MANY), "one_hot_top", TOP_REASON),
        (
            column("user_id", "string", N_ROWS // 2),
            "dropped",
            f"text with {N_ROWS // 2} distinct values in {N_ROWS} rows: looks like an identifier",
        ),
        (
            column("name", "string", N_ROWS, mean_length=12.0, share_with_spaces=1.0),
            "dropped",
            f"text with {N_ROWS} distinct values in {N_ROWS} rows: looks like an identifier",
        ),
        (
            column("review", "string", N_ROWS, mean_length=85.4, share_with_spaces=1.0),
            "dropped",
            f"free text: {N_ROWS} distinct values averaging 85 characters",
        ),
        (
            column("comment", "string", MANY, mean_length=14.0, share_with_spaces=0.9),
            "dropped",
            f"free text: {MANY} distinct values in {N_ROWS} rows, 90% of them with spaces",
        ),
        (column("gone", "float", 0, n_missing=N_ROWS), "dropped", "every value is missing"),
        (column("blank", "string", 0, n_missing=N_ROWS), "dropped", "every value is missing"),
        (
            column("country", "string", 1),
            "dropped",
            "the same value in every row, so it cannot tell rows apart",
        ),
        (
            column("version", "integer", 1),
            "dropped",
            "the same value in every row, so it cannot tell rows apart",
        ),
        (
            column("flagged", "boolean", 1, n_missing=30),
            "one_hot",
            "boolean with 1 distinct value: a column for each",
        ),
    ],
    ids=[
        "integer",
        "float-with-gaps",
        "integer-as-many-values-as-rows-stays-numeric",
        "one-number-and-gaps-stays-numeric",
        "few-strings",
        "boolean",
        "strings-at-one-hot-limit",
        "strings-over-one-hot-limit",
        "strings-over-one-hot-limit-old-profile",
        "half-the-rows-distinct-is-an-id",
        "short-unique-names-are-ids",
        "long-text-is-free-text",
        "short-text-with-spaces-is-free-text",
        "all-missing-numbers",
        "all-missing-text",
        "constant-text",
        "constant-number",
        "one-value-and-gaps-is-informative",
    ],
)
def test_plan_gives_each_column_a_treatment_and_reason(profile, treatment, reason):
    # given one column's profile in a table of N_ROWS rows
    # when the preprocessing is planned
    (planned,) = plan_columns([profile], N_ROWS)
    # then the column gets the expected treatment, with the reason spelled out
    assert planned == ColumnTreatment(profile["name"], treatment, reason)


@pytest.mark.parametrize(
    ("profile", "treatment"),
    [
        (column("city", "string", MANY), "ordinal"),
        (column("colour", "string", 3), "one_hot"),
        (column("member", "boolean", 2), "one_hot"),
        (column("age", "integer", 40), "numeric"),
        (column("user_id", "string", N_ROWS), "dropped"),
        (column("review", "string", N_ROWS, mean_length=85.0, share_with_spaces=1.0), "dropped"),
    ],
    ids=["many-valued-text", "few-valued-text", "boolean", "number", "id", "free-text"],
)
def test_plan_for_a_tree_model_codes_only_many_valued_text_as_integers(profile, treatment):
    # given one column's profile
    # when the preprocessing is planned for a tree-based model
    (planned,) = plan_columns([profile], N_ROWS, tree_based=True)
    # then only many-valued text changes treatment, to one integer column
    assert planned.treatment == treatment
    if treatment == "ordinal":
        assert planned.reason == (
            f"text with {MANY} distinct values: one integer code per value for a tree-based model"
        )


def test_free_text_needs_many_distinct_values():
    # given long, spaced text that repeats: 25 distinct messages in 1000 rows
    profile = column("status", "string", 25, mean_length=48.0, share_with_spaces=1.0)
    # when it is planned
    (planned,) = plan_columns([profile], 1000)
    # then it is a category with long names, not free text
    assert planned.treatment == "one_hot_top"


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
        ColumnTreatment("o1", "ordinal", ""),
        ColumnTreatment("s1", "one_hot", ""),
        ColumnTreatment("t1", "one_hot_top", ""),
        ColumnTreatment("n2", "numeric", ""),
        ColumnTreatment("id", "dropped", ""),
    ]
    # when the preprocessor is built
    pre = build_preprocessor(plan)
    # then each kept treatment has its own part, in a fixed order, and the rest is dropped
    routed = {name: columns for name, _, columns in pre.transformers}
    assert routed == {
        "numeric": ["n1", "n2"],
        "one_hot": ["s1"],
        "one_hot_top": ["t1"],
        "ordinal": ["o1"],
    }
    assert list(routed) == ["numeric", "one_hot", "one_hot_top", "ordinal"]
    assert pre.remainder == "drop"


@pytest.mark.parametrize("treatment", ["numeric", "one_hot", "one_hot_top", "ordinal"])
def test_preprocessor_leaves_out_parts_with_no_columns(treatment):
    # given a plan with only one kind of column
    plan = [ColumnTreatment("c", treatment, ""), ColumnTreatment("d", "dropped", "")]
    # when the preprocessor is built
    pre = build_preprocessor(plan)
    # then only that part is present
    assert [name for name, _, _ in pre.transformers] == [treatment]


def test_preprocessor_survives_cloning():
    # given a preprocessor for every treatment (GridSearchCV clones it for each candidate)
    plan = [ColumnTreatment(c, c, "") for c in ("numeric", "one_hot", "one_hot_top", "ordinal")]
    pre = build_preprocessor(plan)
    # when it is cloned
    copy = clone(pre)
    # then the copy has the same parameters, down to the encoders
    assert copy is not pre
    assert repr(copy.get_params()) == repr(pre.get_params())


# --- fitting and predicting ----------------------------------------------------------------


@pytest.fixture(scope="module")
def training_frame() -> pd.DataFrame:
    """Numbers, text, booleans, many-valued text, an id and an empty column, with gaps."""
    rng = np.random.default_rng(0)
    gaps = rng.random((N_ROWS, 4)) < 0.1
    frame = pd.DataFrame(
        {
            "num": np.where(gaps[:, 0], np.nan, rng.normal(size=N_ROWS)),
            "count": rng.integers(0, 10, N_ROWS),
            "colour": pd.Series(rng.choice(["red", "green", "blue"], N_ROWS)).mask(gaps[:, 1]),
            "member": pd.Series(rng.random(N_ROWS) > 0.5, dtype=object).mask(gaps[:, 2]),
            "active": rng.random(N_ROWS) > 0.5,
            "city": pd.Series([f"city{i % 30}" for i in range(N_ROWS)]).mask(gaps[:, 3]),
            "user_id": [f"u{i:03d}" for i in range(N_ROWS)],
            "empty": np.full(N_ROWS, np.nan),
        }
    )
    assert frame.isna().any().loc[["num", "colour", "member", "city", "empty"]].all()
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
            "city": ["atlantis", None, "city3"],
            "user_id": ["new1", "new2", "u001"],
            "empty": [np.nan, 1.0, np.nan],
        }
    )


def test_plan_of_a_mixed_frame(plan):
    # given the profile of a frame with every kind of column
    # when it is planned
    # then numbers are scaled, few-valued text and booleans one-hot, many-valued text
    # one-hot on its most frequent values, ids and empties dropped
    assert {t.column: t.treatment for t in plan} == {
        "num": "numeric",
        "count": "numeric",
        "colour": "one_hot",
        "member": "one_hot",
        "active": "one_hot",
        "city": "one_hot_top",
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


def test_many_valued_text_keeps_its_most_frequent_values_within_the_cap(fitted, unseen_frame):
    # given a fitted pipeline whose "city" column has 30 values
    pre = fitted.named_steps["preprocess"]
    names = list(pre.get_feature_names_out())
    city = [i for i, n in enumerate(names) if n.startswith("one_hot_top__city_")]
    # when rows with an unseen city, a missing one and a known one are transformed
    features = pre.transform(unseen_frame)[:, city]
    # then the city takes at most MAX_TOP_CATEGORIES columns, rare and unseen values share
    # one, and each row sets exactly one of them
    assert len(city) == MAX_TOP_CATEGORIES
    assert "one_hot_top__city_infrequent_sklearn" in names
    infrequent = [names[i] for i in city].index("one_hot_top__city_infrequent_sklearn")
    assert features[0, infrequent] == 1
    assert features.sum(axis=1).tolist() == [1, 1, 1]


def test_ordinal_codes_unseen_and_missing_text_as_minus_one(training_frame, labels):
    # given a pipeline planned for a tree-based model
    profiles = [p.to_dict() for p in profile_columns(training_frame)]
    plan = plan_columns(profiles, len(training_frame), tree_based=True)
    pipeline = Pipeline(
        [("preprocess", build_preprocessor(plan)), ("model", LogisticRegression(max_iter=500))]
    ).fit(training_frame, labels)
    pre = pipeline.named_steps["preprocess"]
    (city,) = [i for i, n in enumerate(pre.get_feature_names_out()) if n == "ordinal__city"]
    # when an unseen city, a missing one and a known one are transformed
    rows = training_frame.head(3).assign(city=["atlantis", None, "city3"])
    codes = pre.transform(rows)[:, city]
    # then the city is one integer column: -1 for unseen and missing, its code otherwise
    assert codes.tolist()[:2] == [-1, -1]
    assert codes[2] >= 0


def test_pipeline_predicts_when_a_text_column_is_entirely_missing(fitted, unseen_frame):
    # given rows in which text and boolean columns hold only gaps, so pandas makes them floats
    rows = unseen_frame.assign(colour=np.nan, member=np.nan, city=np.nan)
    assert rows["colour"].dtype == np.float64
    pre = fitted.named_steps["preprocess"]
    names = list(pre.get_feature_names_out())
    # when they are transformed and predicted
    features = pre.transform(rows)
    predictions = fitted.predict(rows)
    # then each gap sets the missing-value indicator it was trained with
    assert features[:, names.index("one_hot__colour_nan")].tolist() == [1, 1, 1]
    assert len(predictions) == len(rows)


@pytest.mark.parametrize(
    "rows",
    [
        {
            "colour": pd.Series(["red", pd.NA, "purple"], dtype="string"),
            "member": pd.Series([True, pd.NA, False], dtype="boolean"),
            "city": pd.Series(["city3", pd.NA, "atlantis"], dtype="string"),
            "num": pd.Series([0.5, pd.NA, 1.0], dtype="Float64"),
            "count": pd.Series([1, pd.NA, 3], dtype="Int64"),
        },
        {
            "colour": pd.Series(["red", None, np.nan], dtype=object),
            "member": pd.Series([True, None, np.nan], dtype=object),
            "city": pd.Series(["city3", None, np.nan], dtype=object),
            "num": pd.Series([0.5, None, np.nan], dtype=object),
        },
    ],
    ids=["nullable-dtypes-with-pd-na", "object-columns-with-none-and-nan"],
)
def test_pipeline_predicts_on_other_missing_value_markers(fitted, unseen_frame, rows):
    # given rows whose gaps are pandas.NA, or None and NaN mixed in one column
    frame = unseen_frame.assign(**rows)
    pre = fitted.named_steps["preprocess"]
    names = list(pre.get_feature_names_out())
    # when they are transformed and predicted
    features = pre.transform(frame)
    predictions = fitted.predict(frame)
    # then nothing fails, every feature is finite, and known values still set their column
    assert np.isfinite(features).all()
    assert len(predictions) == len(frame)
    assert features[0, names.index("one_hot__colour_red")] == 1
    assert features[0, names.index("one_hot__member_True")] == 1


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
    # and the only function inside is numpy's own cast to an object array
    functions = [e.func for e in found if type(e).__name__ == "FunctionTransformer"]
    assert functions and all(f is np.asarray for f in functions)


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
