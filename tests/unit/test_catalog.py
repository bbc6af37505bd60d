"""The estimator allow-list: every entry builds, its spaces parse, its values suit sklearn."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, is_classifier, is_regressor

from models.engine.catalog import (
    CATALOG,
    CLASSIFICATION,
    MAX_DEPTH,
    MAX_FEATURES,
    REGRESSION,
    TASKS,
    Param,
    describe_param,
    get_estimator,
)
from models.engine.isolation import TRIAL_THREADS
from models.engine.space import discretize, grid_size, parse_space, sample
from models.engine.spec import DEFAULT_GRID_SIZE

ENTRY_TASKS = [(name, task) for name, entry in CATALOG.items() for task in entry.tasks]
ENTRY_TASK_IDS = [f"{name}-{task}" for name, task in ENTRY_TASKS]
ENTRY_TASK_PARAMS = [
    (name, task, param) for name, task in ENTRY_TASKS for param in CATALOG[name].params[task]
]


def validate(estimator: BaseEstimator) -> None:
    """Check the estimator's parameters the way ``fit`` does first, without fitting.

    ``_validate_params`` is private scikit-learn API, but it is exactly the check ``fit``
    runs, and it keeps this test fast where fitting 500-tree forests would not be.
    LightGBM and XGBoost check their parameters only in their native fit: theirs are
    fitted, on a few rows (a tree with nothing to split is quick, even 2000 of them).
    """
    if hasattr(estimator, "_parameter_constraints"):
        estimator._validate_params()
        return
    X = np.arange(400, dtype=float).reshape(200, 2)
    y = np.arange(200) % 3 if is_classifier(estimator) else X[:, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.fit(X, y)


def boundary_values(param: Param) -> list:
    """Every value the catalog explicitly allows at the edges of a parameter."""
    if param.kind == "bool":
        return [True, False]
    values = list(param.choices)
    if param.kind == "int":
        values += [int(param.low), int(param.high)]
    elif param.kind == "float":
        values += [param.low, param.high]
    return values


# --- the table itself ----------------------------------------------------------------------


def test_catalog_keys_match_entry_names():
    # given the catalog
    # when keys and names are compared
    # then each entry is filed under its own name
    assert all(key == entry.name for key, entry in CATALOG.items())


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_every_entry_declares_params_and_default_space_for_each_task(name):
    # given a catalog entry
    entry = CATALOG[name]
    # when its tasks are listed
    # then every class is filed under a known task, each with params and a default space
    assert entry.tasks
    assert set(entry.classes) <= set(TASKS)
    assert set(entry.params) == set(entry.tasks)
    assert set(entry.default_space) == set(entry.tasks)
    assert entry.title


def test_get_estimator_finds_entries_and_returns_none_for_unknown_names():
    # given the catalog
    # when entries are looked up by name
    # then known names give the entry and unknown ones give None
    assert get_estimator("random_forest") is CATALOG["random_forest"]
    assert get_estimator("catboost") is None
    assert get_estimator("") is None


def test_logistic_regression_serves_classification_only():
    # given the logistic regression entry
    entry = CATALOG["logistic_regression"]
    # when its tasks are listed
    # then regression is not one of them
    assert entry.tasks == [CLASSIFICATION]


# --- building ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "task"), ENTRY_TASKS, ids=ENTRY_TASK_IDS)
def test_build_returns_a_fresh_estimator_of_the_right_kind(name, task):
    # given a catalog entry and one of its tasks
    entry = CATALOG[name]
    # when it is built twice
    first, second = entry.build(task, random_state=7), entry.build(task, random_state=7)
    # then it is an instance of the task's class, of the task's kind, and not shared
    assert type(first) is entry.classes[task]
    assert is_classifier(first) if task == CLASSIFICATION else is_regressor(first)
    assert first is not second
    validate(first)


@pytest.mark.parametrize(("name", "task"), ENTRY_TASKS, ids=ENTRY_TASK_IDS)
def test_build_applies_fixed_settings_and_random_state_when_supported(name, task):
    # given a catalog entry and one of its tasks
    entry = CATALOG[name]
    # when it is built with a seed
    params = entry.build(task, random_state=123).get_params()
    # then the fixed settings are applied and the seed is passed where the class takes one
    for key, value in entry.fixed.get(task, {}).items():
        assert params[key] == value
    if "random_state" in params:
        assert params["random_state"] == 123


def test_build_sets_the_documented_fixed_settings():
    # given the entries with fixed settings
    # when they are built
    logistic = CATALOG["logistic_regression"].build(CLASSIFICATION, 0)
    forest = CATALOG["random_forest"].build(REGRESSION, 0)
    # then logistic regression gets max_iter 1000 and forests run single-threaded
    assert logistic.max_iter == 1000
    assert forest.n_jobs == 1


@pytest.mark.parametrize("task", TASKS)
def test_the_boosting_libraries_run_quietly_deterministically_on_the_trials_threads(task):
    # given the LightGBM and XGBoost entries
    # when they are built with a seed
    lightgbm = CATALOG["lightgbm"].build(task, 5).get_params()
    xgboost = CATALOG["xgboost"].build(task, 5).get_params()
    # then each uses as many threads as any trial (not one per core), says nothing,
    # bags when asked to subsample (LightGBM), grows histogram trees (XGBoost) and is seeded
    assert lightgbm["n_jobs"] == xgboost["n_jobs"] == TRIAL_THREADS == 1
    assert (lightgbm["verbose"], xgboost["verbosity"]) == (-1, 0)
    assert lightgbm["deterministic"] is True and lightgbm["subsample_freq"] == 1
    assert xgboost["tree_method"] == "hist"
    assert lightgbm["random_state"] == xgboost["random_state"] == 5
    # and halving may use their trees as its resource
    assert CATALOG["lightgbm"].resource_params == CATALOG["xgboost"].resource_params
    assert list(CATALOG["xgboost"].resource_params) == ["n_estimators"]


def test_xgboost_classifies_any_labels_and_answers_with_them():
    # given XGBoost's classifier from the catalog, and text labels (XGBoost's own takes 0..k-1)
    X = np.arange(60, dtype=float).reshape(30, 2)
    y = np.array(["low", "mid", "high"])[np.arange(30) // 10]
    model = CATALOG["xgboost"].build(CLASSIFICATION, 0).set_params(n_estimators=5)
    # when it is fitted
    model.fit(X, y)
    # then it predicts the labels themselves, its classes are the labels in sorted order,
    # and its probabilities come in that order
    assert list(model.classes_) == ["high", "low", "mid"]
    assert (model.predict(X) == y).mean() == 1.0
    assert model.predict_proba(X).argmax(axis=1).tolist() == [
        list(model.classes_).index(label) for label in y
    ]
    # and one fitted on numbers answers with those
    model = CATALOG["xgboost"].build(CLASSIFICATION, 0).fit(X, np.where(X[:, 0] > 30, 7, 3))
    assert list(model.classes_) == [3, 7] and set(model.predict(X)) == {3, 7}


@pytest.mark.parametrize(("name", "task", "param"), ENTRY_TASK_PARAMS)
def test_every_tunable_parameter_exists_on_the_estimator(name, task, param):
    # given a tunable parameter of a catalog entry
    estimator = CATALOG[name].build(task, 0)
    # when the estimator's parameters are listed
    # then the tunable one is among them
    assert param in estimator.get_params()


@pytest.mark.parametrize(("name", "task", "param"), ENTRY_TASK_PARAMS)
def test_every_boundary_value_the_catalog_allows_is_valid_for_sklearn(name, task, param):
    # given a tunable parameter and the values the catalog allows at its edges
    entry = CATALOG[name]
    spec = entry.params[task][param]
    # when each one is set on a fresh estimator
    # then scikit-learn's own validation accepts it
    for value in boundary_values(spec):
        assert spec.check(value) is None, value
        validate(entry.build(task, 0).set_params(**{param: value}))


@pytest.mark.parametrize(
    ("name", "param", "value"),
    [
        ("decision_tree", "max_depth", 3.0),
        ("random_forest", "n_estimators", 100.0),
        ("hist_gradient_boosting", "max_features", 1),
    ],
    ids=["int-param-integral-float", "int-param-integral-float-2", "float-param-int"],
)
def test_values_accepted_by_check_are_valid_for_sklearn(name, param, value):
    # given a value of the wrong numeric type but inside the bounds
    entry = CATALOG[name]
    spec = entry.params[CLASSIFICATION][param]
    # when the catalog checks it
    accepted = spec.check(value) is None
    # then it is either refused, or scikit-learn accepts it too
    if accepted:
        validate(entry.build(CLASSIFICATION, 0).set_params(**{param: value}))
    # and once coerced to the parameter's type, it is accepted and valid
    coerced = spec.coerce(value)
    assert spec.check(coerced) is None
    validate(entry.build(CLASSIFICATION, 0).set_params(**{param: coerced}))


# --- default spaces ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "task"), ENTRY_TASKS, ids=ENTRY_TASK_IDS)
def test_default_space_parses_against_the_tasks_params(name, task):
    # given a catalog entry's default space for a task
    entry = CATALOG[name]
    # when it is parsed against that task's parameters
    dims = parse_space(entry.default_space[task], entry.params[task])
    # then every dimension of the space is there
    assert sorted(d.name for d in dims) == sorted(entry.default_space[task])


@pytest.mark.parametrize(("name", "task"), ENTRY_TASKS, ids=ENTRY_TASK_IDS)
def test_the_default_space_makes_a_grid_of_the_default_size(name, task):
    # given a catalog entry's default space (LightGBM's and XGBoost's have nine ranges)
    entry = CATALOG[name]
    dims = parse_space(entry.default_space[task], entry.params[task])
    # when it is made a grid, as a grid job with no space of its own is
    grid = discretize(dims, DEFAULT_GRID_SIZE)
    # then the grid is within the size (two values of each range would be 512), and every
    # value it keeps is one the catalog allows
    assert 1 <= grid_size(grid) <= DEFAULT_GRID_SIZE
    for dim in grid:
        for value in dim.choices:
            assert entry.params[task][dim.name].check(value) is None, (dim.name, value)


@pytest.mark.parametrize(("name", "task"), ENTRY_TASKS, ids=ENTRY_TASK_IDS)
def test_samples_of_the_default_space_are_valid_estimator_settings(name, task):
    # given a catalog entry's parsed default space
    entry = CATALOG[name]
    dims = parse_space(entry.default_space[task], entry.params[task])
    # when candidates are drawn from it
    candidates = sample(dims, n=25, seed=11)
    # then each one passes the catalog check, sets on the estimator, and sklearn accepts it
    assert candidates
    for candidate in candidates:
        for key, value in candidate.items():
            assert entry.params[task][key].check(value) is None, (key, value)
        estimator = entry.build(task, 0)
        assert estimator.set_params(**candidate) is estimator
        assert {k: estimator.get_params()[k] for k in candidate} == candidate
        validate(estimator)


# --- Param.check ---------------------------------------------------------------------------

INT_PARAM = Param("int", 1, 10)
FLOAT_PARAM = Param("float", 0.5, 2.0)
FLOAT_WITH_CHOICES = Param("float", 1e-3, 1.0, choices=("sqrt", None))
CHOICE_PARAM = Param("choice", choices=(None, "balanced", 1))
BOOL_PARAM = Param("bool")


@pytest.mark.parametrize(
    ("param", "value"),
    [
        (INT_PARAM, 1),
        (INT_PARAM, 10),
        (INT_PARAM, 5),
        (FLOAT_PARAM, 0.5),
        (FLOAT_PARAM, 2.0),
        (FLOAT_PARAM, FLOAT_PARAM.coerce(1)),
        (FLOAT_WITH_CHOICES, "sqrt"),
        (FLOAT_WITH_CHOICES, None),
        (FLOAT_WITH_CHOICES, 0.25),
        (MAX_DEPTH, None),
        (MAX_DEPTH, 200),
        (CHOICE_PARAM, None),
        (CHOICE_PARAM, "balanced"),
        (CHOICE_PARAM, 1),
        (BOOL_PARAM, True),
        (BOOL_PARAM, False),
    ],
)
def test_check_accepts_allowed_values(param, value):
    # given a parameter and a value inside its bounds or choices
    # when it is checked
    # then there is no complaint
    assert param.check(value) is None


@pytest.mark.parametrize(
    ("param", "value", "reason"),
    [
        (INT_PARAM, 0, "must be between 1 and 10"),
        (INT_PARAM, 11, "must be between 1 and 10"),
        (INT_PARAM, 2.5, "must be an integer"),
        (INT_PARAM, True, "must be a number"),
        (INT_PARAM, False, "must be a number"),
        (INT_PARAM, None, "must be a number"),
        (INT_PARAM, "5", "must be a number"),
        (INT_PARAM, [5], "must be a number"),
        (FLOAT_PARAM, 0.49, "must be between 0.5 and 2"),
        (FLOAT_PARAM, 2.01, "must be between 0.5 and 2"),
        (FLOAT_PARAM, math.inf, "must be between"),
        (FLOAT_PARAM, -math.inf, "must be between"),
        (FLOAT_PARAM, math.nan, "must be between"),
        (FLOAT_PARAM, True, "must be a number"),
        (FLOAT_WITH_CHOICES, "log2", "must be a number or one of ['sqrt', None]"),
        (FLOAT_WITH_CHOICES, 0.0, "must be between 0.001 and 1"),
        (MAX_DEPTH, 0, "must be between 1 and 200"),
        (MAX_DEPTH, "none", "must be a number or one of [None]"),
        (CHOICE_PARAM, "Balanced", "must be one of [None, 'balanced', 1]"),
        (CHOICE_PARAM, True, "must be one of"),
        (CHOICE_PARAM, 1.0, "must be one of"),
        (BOOL_PARAM, 1, "must be true or false"),
        (BOOL_PARAM, 0, "must be true or false"),
        (BOOL_PARAM, "true", "must be true or false"),
        (BOOL_PARAM, None, "must be true or false"),
    ],
)
def test_check_rejects_disallowed_values_with_a_reason(param, value, reason):
    # given a parameter and a value outside its bounds, choices or type
    # when it is checked
    result = param.check(value)
    # then the reason says what is wrong
    assert result is not None
    assert reason in result


def test_check_tells_true_apart_from_one_in_choices():
    # given a choice parameter listing 1 but not True, and one listing True but not 1
    with_one, with_true = Param("choice", choices=(1,)), Param("choice", choices=(True,))
    # when the look-alike value is checked
    # then equality across bool and int does not count as listed
    assert with_one.check(True) is not None
    assert with_true.check(1) is not None


def test_max_features_accepts_its_named_choices_and_fractions():
    # given the shared max_features parameter
    # when its named choices and a fraction are checked
    # then all are accepted, and a fraction above one is not
    assert [MAX_FEATURES.check(v) for v in ("sqrt", "log2", None, 0.5)] == [None] * 4
    assert MAX_FEATURES.check(1.5) is not None


# --- describe_param ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("param", "expected"),
    [
        (Param("int", 1, 10), {"type": "int", "low": 1, "high": 10}),
        (
            Param("float", 1e-3, 1.0, choices=("sqrt", None), doc="fraction"),
            {
                "type": "float",
                "low": 1e-3,
                "high": 1.0,
                "choices": ["sqrt", None],
                "doc": "fraction",
            },
        ),
        (
            Param("choice", choices=(None, "balanced")),
            {"type": "choice", "choices": [None, "balanced"]},
        ),
        (Param("bool"), {"type": "bool"}),
        (
            MAX_DEPTH,
            {"type": "int", "low": 1, "high": 200, "choices": [None], "doc": MAX_DEPTH.doc},
        ),
    ],
    ids=["int", "float-with-choices-and-doc", "choice", "bool", "max_depth"],
)
def test_describe_param_lists_only_the_relevant_keys(param, expected):
    # given a parameter
    # when it is described
    # then only the keys that apply to its kind appear, with lists for choices
    assert describe_param(param) == expected


@pytest.mark.parametrize(("name", "task", "param"), ENTRY_TASK_PARAMS)
def test_describe_param_is_json_serialisable_for_every_catalog_param(name, task, param):
    # given a catalog parameter
    described = describe_param(CATALOG[name].params[task][param])
    # when it is serialised
    # then JSON round-trips it unchanged
    assert json.loads(json.dumps(described)) == described
