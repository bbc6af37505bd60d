"""resolve_spec: defaults, task inference, every refusal naming its field, and round trips."""

from __future__ import annotations

import json
from typing import Any

import pytest

from models.engine.catalog import CATALOG, CLASSIFICATION, REGRESSION
from models.engine.space import MAX_GRID_INT_VALUES, parse_space
from models.engine.spec import (
    BINARY_ONLY,
    NEEDS_NUMERIC_POSITIVE,
    SCORERS,
    CVSpec,
    SearchSpec,
    default_scoring,
    infer_task,
    resolve_spec,
)
from models.exceptions import SpecError

N_ROWS = 100
MAX_TRIALS = 500
MAX_JOB_SECONDS = 7200


def column(name: str, dtype: str, n_unique: int, n_missing: int = 0) -> dict[str, Any]:
    return {"name": name, "dtype": dtype, "n_missing": n_missing, "n_unique": n_unique}


COLUMNS = [
    column("x", "float", 90),
    column("y_bin", "integer", 2),
    column("y_multi", "string", 3),
    column("y_text_bin", "string", 2),
    column("y_flag", "boolean", 2),
    column("y_float", "float", 95),
    column("y_const", "integer", 1),
    column("y_small_int", "integer", 20),
    column("y_many_int", "integer", 21),
    column("y_huge_float", "float", 5000),
    column("y_huge_int", "integer", 5000),
]


def resolve(
    n_rows: int = N_ROWS,
    max_trials: int = MAX_TRIALS,
    max_job_seconds: int = MAX_JOB_SECONDS,
    **overrides: Any,
) -> SearchSpec:
    """Resolve a spec for random_forest on y_bin, with ``overrides`` applied to the raw spec."""
    raw = {"dataset_id": "ds_1", "target": "y_bin", "estimator": "random_forest"} | overrides
    return resolve_spec(
        raw, COLUMNS, n_rows, max_trials=max_trials, max_job_seconds=max_job_seconds
    )


def spec_error(**kwargs: Any) -> SpecError:
    with pytest.raises(SpecError) as info:
        resolve(**kwargs)
    return info.value


# --- defaults ------------------------------------------------------------------------------


def test_binary_classification_defaults_are_filled_in():
    # given only the required fields, on a two-class integer target
    # when the spec is resolved
    spec = resolve()
    # then every default is filled in
    assert spec.task == CLASSIFICATION
    assert spec.strategy == "random"
    assert spec.n_trials == 20
    assert spec.cv == CVSpec(folds=5, kind="stratified", shuffle=True, random_state=0)
    assert spec.scoring == "roc_auc"
    assert spec.test_size == 0.2
    assert spec.random_state == 0
    assert spec.timeout_s == 3600
    assert spec.n_classes == 2
    assert (spec.dataset_id, spec.target, spec.estimator) == ("ds_1", "y_bin", "random_forest")


def test_default_space_is_the_catalog_space_for_the_task():
    # given no param_space
    # when the spec is resolved for a regression target
    spec = resolve(target="y_float")
    # then the catalog's default space for regression is stored, normalised
    entry = CATALOG["random_forest"]
    dims = parse_space(entry.default_space[REGRESSION], entry.params[REGRESSION])
    assert spec.param_space == {d.name: d.to_dict() for d in dims}


def test_regression_defaults_use_kfold_and_r2():
    # given a float target
    # when the spec is resolved
    spec = resolve(target="y_float")
    # then the task is regression with plain k-fold and R²
    assert spec.task == REGRESSION
    assert spec.cv == CVSpec(folds=5, kind="kfold", shuffle=True, random_state=0)
    assert spec.scoring == "r2"
    assert spec.n_classes is None


def test_multiclass_default_scoring_is_balanced_accuracy():
    # given a three-class text target
    # when the spec is resolved
    spec = resolve(target="y_multi")
    # then balanced accuracy is the scorer and the class count is recorded
    assert spec.scoring == "balanced_accuracy"
    assert spec.n_classes == 3


@pytest.mark.parametrize(
    ("task", "n_classes", "expected"),
    [
        (CLASSIFICATION, 2, "roc_auc"),
        (CLASSIFICATION, 3, "balanced_accuracy"),
        (CLASSIFICATION, 50, "balanced_accuracy"),
        (REGRESSION, None, "r2"),
    ],
)
def test_default_scoring_per_task_and_class_count(task, n_classes, expected):
    # given a task and a class count
    # when the default scorer is chosen
    # then it is ROC AUC for binary, balanced accuracy for multiclass, R² for regression
    assert default_scoring(task, n_classes) == expected


@pytest.mark.parametrize(("max_job_seconds", "expected"), [(7200, 3600), (3600, 3600), (600, 600)])
def test_default_timeout_is_an_hour_capped_by_the_job_limit(max_job_seconds, expected):
    # given a per-job time limit
    # when a spec without timeout_s is resolved
    spec = resolve(max_job_seconds=max_job_seconds)
    # then the timeout is one hour, or the limit if that is shorter
    assert spec.timeout_s == expected


def test_explicit_values_override_defaults():
    # given explicit values for every optional field
    spec = resolve(
        n_trials=7,
        timeout_s=60,
        scoring="accuracy",
        test_size=0.3,
        random_state=42,
        cv={"folds": 3, "kind": "kfold", "shuffle": True, "random_state": 5},
    )
    # when the spec is resolved
    # then they are all kept
    assert (spec.n_trials, spec.timeout_s, spec.scoring) == (7, 60, "accuracy")
    assert (spec.test_size, spec.random_state) == (0.3, 42)
    assert spec.cv == CVSpec(folds=3, kind="kfold", shuffle=True, random_state=5)


def test_a_whole_number_cv_is_that_many_folds_as_in_scikit_learn():
    # given cv=5, as a spec built in-process (not through the HTTP schema) may carry it
    # when it is resolved, then it is five default folds (it once raised AttributeError)
    assert resolve(cv=3).cv == CVSpec(folds=3, kind="stratified", shuffle=True, random_state=0)
    # and what is neither a number nor an object names cv
    assert spec_error(cv=True).field == "cv"
    assert spec_error(cv="5").field == "cv"


def test_cv_seed_follows_the_spec_seed_when_not_given():
    # given a spec seed and a cv section without one
    # when the spec is resolved
    spec = resolve(random_state=9, cv={"folds": 4})
    # then the folds are shuffled with the spec's seed
    assert spec.cv == CVSpec(folds=4, kind="stratified", shuffle=True, random_state=9)


def test_unshuffled_cv_has_no_seed():
    # given folds without shuffling
    # when the spec is resolved
    spec = resolve(cv={"shuffle": False, "random_state": 3})
    # then no seed is recorded, since none is used
    assert spec.cv == CVSpec(folds=5, kind="stratified", shuffle=False, random_state=None)


def test_explicit_param_space_is_normalised():
    # given a space with list shorthand, in arbitrary key order
    raw_space = {"n_estimators": {"type": "int", "low": 10, "high": 50}, "max_depth": [4, None]}
    # when the spec is resolved
    spec = resolve(param_space=raw_space)
    # then it is stored as full dimension objects in name order
    assert spec.param_space == {
        "max_depth": {"type": "categorical", "choices": [4, None]},
        "n_estimators": {"type": "int", "low": 10, "high": 50, "log": False},
    }
    assert list(spec.param_space) == ["max_depth", "n_estimators"]


# --- task inference ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("y_multi", CLASSIFICATION),
        ("y_text_bin", CLASSIFICATION),
        ("y_flag", CLASSIFICATION),
        ("y_bin", CLASSIFICATION),
        ("y_small_int", CLASSIFICATION),
        ("y_many_int", REGRESSION),
        ("y_float", REGRESSION),
    ],
    ids=[
        "string",
        "binary-string",
        "boolean",
        "two-ints",
        "twenty-ints",
        "twenty-one-ints",
        "float",
    ],
)
def test_task_is_inferred_from_the_target(target, expected):
    # given a target column of some dtype and cardinality
    by_name = {c["name"]: c for c in COLUMNS}
    # when the task is inferred, alone and while resolving
    # then text, booleans and integers with at most 20 values are classes; the rest regression
    assert infer_task(by_name[target]) == expected
    assert resolve(target=target, estimator="decision_tree").task == expected


def test_explicit_task_overrides_inference():
    # given targets whose inferred task is the other one
    # when the task is given explicitly
    as_regression = resolve(target="y_bin", task=REGRESSION)
    as_classes = resolve(target="y_float", task=CLASSIFICATION, scoring="accuracy")
    # then the explicit task wins, with that task's defaults
    assert (as_regression.task, as_regression.scoring, as_regression.cv.kind) == (
        REGRESSION,
        "r2",
        "kfold",
    )
    assert (as_classes.task, as_classes.n_classes) == (CLASSIFICATION, 95)


# --- refusals ------------------------------------------------------------------------------

CLASS_SPACE = {"max_depth": [4, 8], "bootstrap": [True, False]}  # a 4-point grid

REFUSALS = [
    ("unknown-estimator", {"estimator": "catboost"}, "estimator", "unknown estimator"),
    (
        "estimator-lacks-task",
        {"estimator": "logistic_regression", "target": "y_float"},
        "estimator",
        "does not support regression",
    ),
    ("missing-target", {"target": "nope"}, "target", "no column 'nope'"),
    ("constant-target", {"target": "y_const"}, "target", "fewer than two"),
    ("regression-on-text", {"target": "y_multi", "task": REGRESSION}, "task", "numeric target"),
    ("regression-on-bool", {"target": "y_flag", "task": REGRESSION}, "task", "numeric target"),
    (
        "classes-on-continuous",
        {"target": "y_huge_float", "task": CLASSIFICATION},
        "task",
        "looks continuous",
    ),
    (
        "too-many-classes",
        {"target": "y_huge_int", "task": CLASSIFICATION},
        "target",
        "at most 1000 classes",
    ),
    ("unknown-scorer", {"scoring": "accuracy_score"}, "scoring", "unknown scorer"),
    ("regression-scorer-on-classes", {"scoring": "r2"}, "scoring", "unknown scorer"),
    (
        "class-scorer-on-regression",
        {"target": "y_float", "scoring": "accuracy"},
        "scoring",
        "unknown scorer",
    ),
    ("roc-auc-on-multiclass", {"target": "y_multi", "scoring": "roc_auc"}, "scoring", "binary"),
    ("f1-on-multiclass", {"target": "y_multi", "scoring": "f1"}, "scoring", "binary"),
    ("f1-on-text-labels", {"target": "y_text_bin", "scoring": "f1"}, "scoring", "0/1 labels"),
    ("grid-over-a-small-limit", {"strategy": "grid", "max_trials": 10}, "param_space", "limit"),
    (
        "grid-over-limit",
        {"strategy": "grid", "param_space": CLASS_SPACE, "max_trials": 3},
        "param_space",
        "4 candidates",
    ),
    (
        "grid-with-float",
        {
            "strategy": "grid",
            "param_space": {"max_features": {"type": "float", "low": 0.1, "high": 0.5}},
        },
        "param_space.max_features",
        "float range",
    ),
    ("unknown-parameter", {"param_space": {"depth": [1, 2]}}, "param_space.depth", "unknown"),
    ("bad-dimension", {"param_space": {"max_depth": [0]}}, "param_space.max_depth", "choice 0"),
    ("too-many-trials", {"n_trials": 501}, "n_trials", "at most 500 trials"),
    ("timeout-over-limit", {"timeout_s": 7201}, "timeout_s", "at most 7200 seconds"),
    (
        "stratified-regression",
        {"target": "y_float", "cv": {"kind": "stratified"}},
        "cv.kind",
        "stratified folds need a classification task",
    ),
    ("more-folds-than-rows", {"n_rows": 10, "cv": {"folds": 9}}, "cv.folds", "9 folds"),
]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [case[1:] for case in REFUSALS],
    ids=[case[0] for case in REFUSALS],
)
def test_invalid_specs_raise_spec_error_naming_the_field(overrides, field, message):
    # given a spec that breaks one rule
    # when it is resolved
    error = spec_error(**overrides)
    # then a SpecError names the field and explains
    assert error.field == field
    assert message in error.detail
    assert error.errors == {field: [error.detail]}


@pytest.mark.parametrize(
    "overrides",
    [
        {"n_trials": MAX_TRIALS},
        {"timeout_s": MAX_JOB_SECONDS},
        {"strategy": "grid", "param_space": CLASS_SPACE, "max_trials": 4},
        {"n_rows": 10, "cv": {"folds": 8}},
        {"n_rows": 10, "test_size": 0, "cv": {"folds": 10}},
    ],
    ids=["n-trials-at-limit", "timeout-at-limit", "grid-at-limit", "folds-at-rows", "no-holdout"],
)
def test_values_exactly_at_a_limit_are_accepted(overrides):
    # given a spec exactly at one limit
    # when it is resolved
    # then no error is raised
    assert isinstance(resolve(**overrides), SearchSpec)


def test_fold_check_counts_only_the_rows_left_after_the_hold_out():
    # given 10 rows and a quarter held out (ceil(2.5) = 3 rows), leaving 7 to cross-validate
    # when 7 and 8 folds are asked for
    # then 7 fit and 8 do not
    assert resolve(n_rows=10, test_size=0.25, cv={"folds": 7}).cv.folds == 7
    assert spec_error(n_rows=10, test_size=0.25, cv={"folds": 8}).field == "cv.folds"


def test_grid_trials_equal_the_grid_size_whatever_n_trials_says():
    # given a grid search over a 4-point space and a conflicting n_trials
    # when the spec is resolved
    spec = resolve(strategy="grid", param_space=CLASS_SPACE, n_trials=100)
    # then the number of trials is the grid size
    assert spec.strategy == "grid"
    assert spec.n_trials == 4


def test_grid_with_an_int_dimension_over_the_cap_is_refused_up_front():
    # given a grid over more int values than a grid dimension may have, under max_trials
    high = 1 + MAX_GRID_INT_VALUES + 10
    space = {"min_samples_split": {"type": "int", "low": 2, "high": high}}
    # when the spec is resolved
    error = spec_error(strategy="grid", param_space=space, max_trials=10_000)
    # then the dimension is named, as grid() would
    assert error.field == "param_space.min_samples_split"


# --- scorers -------------------------------------------------------------------------------


@pytest.mark.parametrize("scoring", SCORERS[CLASSIFICATION])
def test_every_classification_scorer_is_accepted_for_a_binary_integer_target(scoring):
    # given a 0/1 target
    # when the spec names a classification scorer
    # then it is kept
    assert resolve(scoring=scoring).scoring == scoring


@pytest.mark.parametrize(
    "scoring",
    [s for s in SCORERS[CLASSIFICATION] if s not in BINARY_ONLY + NEEDS_NUMERIC_POSITIVE],
)
def test_multiclass_scorers_are_accepted_for_a_text_target(scoring):
    # given a three-class text target
    # when the spec names a scorer that works for several classes
    # then it is kept
    assert resolve(target="y_multi", scoring=scoring).scoring == scoring


@pytest.mark.parametrize("scoring", SCORERS[REGRESSION])
def test_every_regression_scorer_is_accepted_for_a_float_target(scoring):
    # given a float target
    # when the spec names a regression scorer
    # then it is kept
    assert resolve(target="y_float", scoring=scoring).scoring == scoring


def test_roc_auc_is_accepted_for_binary_text_labels():
    # given a two-class text target
    # when roc_auc is asked for
    # then it is allowed (it needs two classes, not 0/1 labels)
    assert resolve(target="y_text_bin", scoring="roc_auc").scoring == "roc_auc"


# --- round trip ----------------------------------------------------------------------------


@pytest.fixture
def spec() -> SearchSpec:
    return resolve(
        target="y_multi",
        param_space={"max_depth": [4, None], "bootstrap": [True, False]},
        cv={"folds": 3, "shuffle": False},
        random_state=None,
    )


def test_to_dict_is_plain_data_without_extra(spec):
    # given a resolved spec
    # when it is turned into a dict
    out = spec.to_dict()
    # then the cv is a nested dict and the internal extra field is left out
    assert "extra" not in out
    assert out["cv"] == {
        "folds": 3,
        "kind": "stratified",
        "shuffle": False,
        "random_state": None,
        "group_column": None,
        "validation_size": None,
    }
    assert out["param_space"]["max_depth"] == {"type": "categorical", "choices": [4, None]}


def test_from_dict_round_trips_to_dict(spec):
    # given a resolved spec
    # when it goes to a dict and back
    again = SearchSpec.from_dict(spec.to_dict())
    # then it is equal, with cv rebuilt as a CVSpec
    assert again == spec
    assert isinstance(again.cv, CVSpec)


def test_spec_survives_a_json_round_trip(spec):
    # given a resolved spec
    # when its dict goes through JSON, as it does when a job is stored
    again = SearchSpec.from_dict(json.loads(json.dumps(spec.to_dict())))
    # then nothing is lost
    assert again == spec


def test_from_dict_does_not_mutate_its_input(spec):
    # given a spec's dict
    raw = spec.to_dict()
    before = json.dumps(raw, sort_keys=True)
    # when a spec is built from it
    SearchSpec.from_dict(raw)
    # then the dict is unchanged (cv is still a dict)
    assert json.dumps(raw, sort_keys=True) == before


def test_a_grid_without_a_space_discretises_the_default_space():
    # given a grid search with no param_space
    spec = resolve(strategy="grid")
    # then the default space's ranges become a few values each, within the size cap
    space = spec.param_space
    assert all(d["type"] == "categorical" for d in space.values())
    assert set(space) == set(CATALOG["random_forest"].default_space["classification"])
    assert 2 <= len(space["n_estimators"]["choices"]) <= 5
    assert spec.n_trials <= 60


def test_svm_past_its_training_rows_is_refused_naming_the_estimator():
    bound = CATALOG["svm"].max_train_rows
    assert resolve(n_rows=bound, estimator="svm", test_size=0).estimator == "svm"

    with pytest.raises(SpecError) as raised:
        resolve(n_rows=bound + 1, estimator="svm", test_size=0)

    message = str(raised.value)
    assert raised.value.field == "estimator"
    assert f"at most {bound} rows" in message and f"trains on {bound + 1}" in message


def test_a_halving_budget_past_the_parameters_bound_is_refused():
    high = int(CATALOG["random_forest"].params[CLASSIFICATION]["n_estimators"].high)
    halving = {"resource": "n_estimators", "max_resources": high}
    assert resolve(strategy="halving", halving=halving).halving.max_resources == high

    with pytest.raises(SpecError) as raised:
        resolve(strategy="halving", halving=halving | {"max_resources": high + 1})

    assert raised.value.field == "halving.max_resources"
    assert f"between 1 and {high}" in str(raised.value)


@pytest.mark.parametrize(
    ("target", "hint"), [("Y_Multi", "'y_multi'"), (" x ", "'x'"), ("nope", None)]
)
def test_an_unknown_column_lists_the_columns_quoted_and_names_a_near_match(target, hint):
    # given a target that is a column's name but for capitals or spaces, or nothing like one
    error = spec_error(target=target)
    # then the message lists every column quoted (spaces in a name show) and, if one
    # matches but for capitals and spaces, asks whether it was meant
    assert error.field == "target"
    assert f"the dataset has no column {target!r}" in error.detail
    assert "columns: 'x', 'y_bin', 'y_multi'" in error.detail
    assert ("did you mean" in error.detail) is (hint is not None)
    if hint:
        assert f"(did you mean {hint}?)" in error.detail


HUGE = 10**400  # beyond a double: float(HUGE) raises OverflowError
NOT_FINITE = (float("nan"), float("inf"), -float("inf"))


def float_range(low: Any, high: Any) -> dict[str, Any]:
    return {"type": "float", "low": low, "high": high}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"param_space": {"max_depth": {"type": "int", "low": 1, "high": HUGE}}}, "max_depth"),
        ({"param_space": {"max_depth": {"type": "int", "low": -HUGE, "high": 3}}}, "max_depth"),
        ({"param_space": {"max_depth": [2, HUGE]}}, "max_depth"),
        ({"param_space": {"max_depth": {"type": "categorical", "choices": [-HUGE]}}}, "max_depth"),
        ({"param_space": {"max_features": [HUGE]}}, "max_features"),
        ({"param_space": {"max_features": float_range(0.1, HUGE)}}, "max_features"),
        ({"param_space": {"max_features": float_range(-HUGE, 0.5)}}, "max_features"),
        *(
            ({"param_space": {"max_features": float_range(0.1, v)}}, "max_features")
            for v in NOT_FINITE
        ),
        *(({"param_space": {"max_depth": [v]}}, "max_depth") for v in NOT_FINITE),
        (
            {"strategy": "halving", "halving": {"resource": "n_estimators", "max_resources": HUGE}},
            "halving.max_resources",
        ),
        ({"strategy": "halving", "halving": {"n_candidates": HUGE}}, "halving.n_candidates"),
        ({"n_trials": HUGE}, "n_trials"),
        ({"timeout_s": HUGE}, "timeout_s"),
        ({"max_parallel": HUGE}, "max_parallel"),
        ({"n_classes": HUGE}, "n_classes"),
    ],
)
def test_a_number_of_any_size_or_not_finite_is_refused_naming_its_field(overrides, field):
    # given a number no double holds (the HTTP layer refuses those too; the domain must
    # not depend on it), or NaN / infinity: never an OverflowError or ValueError
    with pytest.raises(SpecError) as info:
        resolve(**overrides)
    assert info.value.field.endswith(field), info.value.field


def test_a_huge_min_resources_is_capped_at_the_budget_not_an_error():
    spec = resolve(strategy="halving", halving={"min_resources": HUGE, "n_candidates": 3})
    assert spec.halving.min_resources == HUGE  # as asked: the plan starts at the budget


# --- several mistakes ----------------------------------------------------------------------


def test_every_mistake_is_found_before_the_spec_is_refused():
    # given a spec with a mistake in each of six fields
    error = spec_error(
        estimator="gradient_magic",
        target="y_bin",
        exclude_columns=["y_bin", "nope"],
        n_trials=MAX_TRIALS + 1,
        timeout_s=MAX_JOB_SECONDS + 1,
        scoring="r2",
        webhook_url="ftp://example.com/",
    )
    # then one error names each field, with its own reason
    assert list(error.errors) == [
        "estimator",
        "exclude_columns",
        "n_trials",
        "timeout_s",
        "scoring",
        "webhook_url",
    ]
    assert error.errors["exclude_columns"] == [
        "the dataset has no column 'nope'; columns: " + ", ".join(repr(c["name"]) for c in COLUMNS),
        "the target cannot be excluded",
    ]
    assert error.detail == (
        "the spec is invalid: estimator, exclude_columns, n_trials, timeout_s, scoring, webhook_url"
    )


def test_each_wrong_parameter_of_a_space_is_named():
    error = spec_error(
        param_space={
            "max_depth": {"type": "int", "low": 0, "high": 3},
            "n_estimators": [10, 20],
            "leaves": [1],
            "criterion": ["gini", "nope"],
        }
    )
    assert list(error.errors) == [
        "param_space.criterion",
        "param_space.leaves",
        "param_space.max_depth",
    ]
