"""Parameter spaces: parsing against the catalog, grid expansion and seeded sampling."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import ParameterGrid

from models.engine.catalog import CATALOG, CLASSIFICATION, Param
from models.engine.space import (
    MAX_GRID_INT_VALUES,
    Dimension,
    grid,
    grid_size,
    parse_dimension,
    parse_space,
    sample,
)
from models.exceptions import SpecError

INT = Param("int", 1, 100, choices=(None,))
FLOAT = Param("float", 1e-6, 1e6)
RATIO = Param("float", 0.0, 1.0, choices=("sqrt",))
BOOL = Param("bool")
CHOICE = Param("choice", choices=(None, "balanced", "balanced_subsample"))

# A realistic parameter set: the random forest classifier's.
FOREST = CATALOG["random_forest"].params[CLASSIFICATION]


def spec_error(call, *args) -> SpecError:
    with pytest.raises(SpecError) as info:
        call(*args)
    return info.value


# --- parse_dimension -----------------------------------------------------------------------


def test_list_is_shorthand_for_a_categorical():
    # given a bare list of values
    # when it is parsed
    dim = parse_dimension("max_depth", [4, 8, None], INT)
    # then it is a categorical with those choices in order
    assert dim == Dimension("max_depth", "categorical", choices=(4, 8, None))
    assert dim.to_dict() == {"type": "categorical", "choices": [4, 8, None]}


@pytest.mark.parametrize(
    ("raw", "param", "expected"),
    [
        ({"low": 1, "high": 30}, INT, Dimension("p", "int", low=1, high=30)),
        ({"low": 1, "high": 100, "log": True}, FLOAT, Dimension("p", "float", 1.0, 100.0, True)),
        ({"low": 0.1, "high": 1}, RATIO, Dimension("p", "float", low=0.1, high=1.0)),
    ],
    ids=["int", "float-from-ints", "float"],
)
def test_a_range_without_a_type_takes_the_parameters_own(raw, param, expected):
    # given a range written as {"low", "high"} (as RandomizedSearchCV users think of one)
    # when it is parsed
    dim = parse_dimension("p", raw, param)
    # then it is a range of the catalog's type for the parameter: 1..100 for C is floats
    assert dim == expected
    assert type(dim.low) is type(dim.high) is (int if param.kind == "int" else float)


def test_categorical_accepts_null_among_choices():
    # given a categorical including null for a parameter that allows it
    raw = {"type": "categorical", "choices": [None, "balanced"]}
    # when it is parsed
    dim = parse_dimension("class_weight", raw, CHOICE)
    # then None is kept as a choice
    assert dim.choices == (None, "balanced")
    assert dim.discrete_values == [None, "balanced"]


def test_categorical_of_bools_for_a_bool_parameter():
    # given true/false for a boolean parameter
    # when it is parsed
    dim = parse_dimension("bootstrap", [True, False], BOOL)
    # then both are kept as bools
    assert dim.choices == (True, False)
    assert all(type(v) is bool for v in dim.choices)


def test_categorical_drops_duplicates_but_keeps_true_apart_from_one():
    # given repeated choices, with True and 1 side by side for a choice parameter that has both
    param = Param("choice", choices=(1, True, "a"))
    # when they are parsed
    dim = parse_dimension("x", [1, "a", True, 1, "a", True], param)
    # then each distinct value appears once, first occurrence first, True and 1 both kept
    assert dim.choices == (1, "a", True)
    assert [type(v) for v in dim.choices] == [int, str, bool]


@pytest.mark.parametrize(
    ("raw", "param", "message"),
    [
        ([0, 5], INT, "choice 0 is not allowed"),
        ([True], INT, "choice true is not allowed"),
        (["5"], INT, 'choice "5" is not allowed'),
        ([1, 0], BOOL, "choice 1 is not allowed"),
        (["auto"], CHOICE, '"auto" is not allowed'),
        ([], CHOICE, "'choices' must be a non-empty list"),
        ({"type": "categorical"}, CHOICE, "'choices' must be a non-empty list"),
        ({"type": "categorical", "choices": "balanced"}, CHOICE, "non-empty list"),
        ("balanced", CHOICE, "must be a list of values or an object"),
        (5, INT, "must be a list of values or an object"),
        (None, INT, "must be a list of values or an object"),
        ({"low": 1, "high": 3}, CHOICE, "takes choice values, not a range; give a list"),
        ({"choices": [1, 2]}, INT, "'type' must be one of"),
        ({"type": "integer", "low": 1, "high": 3}, INT, "'type' must be one of"),
    ],
    ids=[
        "int-below-bounds",
        "bool-for-int",
        "string-for-int",
        "ints-for-bool",
        "unknown-choice",
        "empty-list",
        "missing-choices",
        "choices-not-a-list",
        "bare-string",
        "bare-number",
        "null",
        "range-of-choices",
        "missing-type",
        "unknown-type",
    ],
)
def test_bad_categoricals_raise_spec_error_naming_the_parameter(raw, param, message):
    # given an invalid dimension
    # when it is parsed
    error = spec_error(parse_dimension, "p", raw, param)
    # then the error names param_space.<name> and explains
    assert error.field == "param_space.p"
    assert message in error.detail


def test_categorical_rejects_unknown_keys():
    # given a categorical with a key categoricals do not have
    raw = {"type": "categorical", "choices": [4, 8], "log": True}
    # when it is parsed
    error = spec_error(parse_dimension, "max_depth", raw, INT)
    # then the key is reported
    assert error.field == "param_space.max_depth"
    assert "unknown keys" in error.detail


@pytest.mark.parametrize(
    ("raw", "param", "expected"),
    [
        ({"type": "int", "low": 1, "high": 50}, INT, Dimension("p", "int", 1, 50)),
        ({"type": "int", "low": 2, "high": 2}, INT, Dimension("p", "int", 2, 2)),
        ({"type": "int", "low": 1.0, "high": 8.0}, INT, Dimension("p", "int", 1, 8)),
        (
            {"type": "int", "low": 1, "high": 50, "log": True},
            INT,
            Dimension("p", "int", 1, 50, log=True),
        ),
        ({"type": "float", "low": 0.1, "high": 0.9}, RATIO, Dimension("p", "float", 0.1, 0.9)),
        ({"type": "float", "low": 0, "high": 1}, RATIO, Dimension("p", "float", 0.0, 1.0)),
        (
            {"type": "float", "low": 1e-4, "high": 1e4, "log": True},
            FLOAT,
            Dimension("p", "float", 1e-4, 1e4, log=True),
        ),
    ],
    ids=[
        "int",
        "int-single-value",
        "int-from-integral-floats",
        "int-log",
        "float",
        "float-int-bounds",
        "float-log",
    ],
)
def test_ranges_parse_into_dimensions(raw, param, expected):
    # given a numeric range within the parameter's bounds
    # when it is parsed
    dim = parse_dimension("p", raw, param)
    # then the dimension has its bounds and log flag
    assert dim == expected
    assert type(dim.low) is type(expected.low)


def test_int_range_bounds_become_python_ints():
    # given an int range written with integral floats
    # when it is parsed
    dim = parse_dimension("p", {"type": "int", "low": 3.0, "high": 5.0}, INT)
    # then the bounds and discrete values are ints
    assert (type(dim.low), type(dim.high)) == (int, int)
    assert dim.discrete_values == [3, 4, 5]
    assert dim.to_dict() == {"type": "int", "low": 3, "high": 5, "log": False}


@pytest.mark.parametrize(
    ("raw", "param", "message"),
    [
        ({"type": "int", "low": 10, "high": 1}, INT, "'low' must not be greater than 'high'"),
        ({"type": "float", "low": 0.9, "high": 0.1}, RATIO, "must not be greater"),
        ({"type": "float", "low": 0, "high": 1, "log": True}, RATIO, "positive when 'log'"),
        ({"type": "int", "low": 1, "high": 5, "log": "yes"}, INT, "'log' must be true or false"),
        ({"type": "int", "low": 1, "high": 5, "log": 1}, INT, "'log' must be true or false"),
        ({"type": "int", "high": 5}, INT, "'low' is required for type int"),
        ({"type": "float", "low": 0.1}, RATIO, "'high' is required for type float"),
        ({"type": "int", "low": None, "high": 5}, INT, "'low' is required"),
        ({"type": "int", "low": 0, "high": 5}, INT, "'low' must be between 1 and 100"),
        ({"type": "int", "low": 1, "high": 101}, INT, "'high' must be between 1 and 100"),
        ({"type": "float", "low": 0.1, "high": 1.5}, RATIO, "'high' must be between 0 and 1"),
        ({"type": "float", "low": "sqrt", "high": 1}, RATIO, "'low' must be a number"),
        ({"type": "int", "low": True, "high": 5}, INT, "'low' must be a number"),
        ({"type": "int", "low": "1", "high": 5}, INT, "'low' must be a number"),
        ({"type": "int", "low": 1.5, "high": 5}, INT, "'low' must be an integer"),
        ({"type": "float", "low": 1, "high": 5}, INT, "takes int values"),
        ({"type": "int", "low": 0, "high": 1}, BOOL, "takes bool values; use a categorical"),
        ({"type": "int", "low": 0, "high": 1}, CHOICE, "takes choice values"),
        ({"type": "int", "low": 1, "high": 5, "step": 2}, INT, "unknown keys ['step']"),
        (
            {"type": "float", "low": 0.1, "high": 1, "q": 1, "a": 2},
            RATIO,
            "unknown keys ['a', 'q']",
        ),
    ],
    ids=[
        "int-low-above-high",
        "float-low-above-high",
        "log-with-zero-low",
        "log-not-bool-string",
        "log-not-bool-int",
        "missing-low",
        "missing-high",
        "null-low",
        "low-out-of-bounds",
        "high-out-of-bounds",
        "float-high-out-of-bounds",
        "string-choice-as-bound",
        "bool-bound",
        "string-bound",
        "fractional-int-bound",
        "float-range-for-int-param",
        "range-for-bool-param",
        "range-for-choice-param",
        "unknown-key",
        "unknown-keys-sorted",
    ],
)
def test_bad_ranges_raise_spec_error_naming_the_parameter(raw, param, message):
    # given an invalid numeric range
    # when it is parsed
    error = spec_error(parse_dimension, "p", raw, param)
    # then the error names param_space.<name> and explains
    assert error.field == "param_space.p"
    assert message in error.detail


# --- parse_space ---------------------------------------------------------------------------


def test_parse_space_returns_dimensions_in_name_order():
    # given a space written in arbitrary key order
    raw = {
        "n_estimators": {"type": "int", "low": 10, "high": 100},
        "bootstrap": [True, False],
        "max_depth": [4, None],
    }
    # when it is parsed against the forest's parameters
    dims = parse_space(raw, FOREST)
    # then the dimensions come back sorted by name
    assert [d.name for d in dims] == ["bootstrap", "max_depth", "n_estimators"]


@pytest.mark.parametrize("name", ["n_estimator", "alpha", "random_state", "n_jobs"])
def test_parse_space_rejects_unknown_parameter_names(name):
    # given a space naming a parameter the catalog does not allow tuning
    raw = {"max_depth": [4, 8], name: [1, 2]}
    # when it is parsed
    error = spec_error(parse_space, raw, FOREST)
    # then the error is on param_space.<name> and lists what is tunable
    assert error.field == f"param_space.{name}"
    assert "n_estimators" in error.detail


def test_parse_space_reports_the_bad_dimension_by_name():
    # given a space with one valid and one invalid dimension
    raw = {"max_depth": [4, 8], "n_estimators": {"type": "int", "low": 0, "high": 10}}
    # when it is parsed
    error = spec_error(parse_space, raw, FOREST)
    # then the error names the invalid one
    assert error.field == "param_space.n_estimators"


@pytest.mark.parametrize("raw", [{}, None])
def test_parse_space_rejects_an_empty_space(raw):
    # given a space without parameters
    # when it is parsed
    error = spec_error(parse_space, raw, FOREST)
    # then the error is on param_space itself
    assert error.field == "param_space"


# --- grid ----------------------------------------------------------------------------------


def test_grid_follows_parameter_grid_order():
    # given a space of a categorical, a bool and an int range
    raw = {
        "max_depth": [4, None],
        "bootstrap": [True, False],
        "min_samples_leaf": {"type": "int", "low": 1, "high": 3},
    }
    dims = parse_space(raw, FOREST)
    # when it is expanded to a grid
    candidates = grid(dims)
    # then the order is scikit-learn's (sorted keys, last key varying fastest)
    expected_values = {
        "max_depth": [4, None],
        "bootstrap": [True, False],
        "min_samples_leaf": [1, 2, 3],
    }
    assert candidates == list(ParameterGrid(expected_values))
    assert candidates[:4] == [
        {"bootstrap": True, "max_depth": 4, "min_samples_leaf": 1},
        {"bootstrap": True, "max_depth": 4, "min_samples_leaf": 2},
        {"bootstrap": True, "max_depth": 4, "min_samples_leaf": 3},
        {"bootstrap": True, "max_depth": None, "min_samples_leaf": 1},
    ]
    assert len(candidates) == grid_size(dims) == 12


def test_grid_of_one_dimension_lists_its_values_in_order():
    # given a single categorical dimension
    dims = parse_space({"criterion": ["entropy", "gini"]}, FOREST)
    # when it is expanded
    # then each value is one candidate, in the written order
    assert grid(dims) == [{"criterion": "entropy"}, {"criterion": "gini"}]


def test_grid_over_a_float_range_raises_naming_the_dimension():
    # given a space with a float range
    dims = parse_space(
        {"max_depth": [4, 8], "max_features": {"type": "float", "low": 0.1, "high": 1.0}}, FOREST
    )
    # when a grid is asked for
    error = spec_error(grid, dims)
    # then the float dimension is named
    assert error.field == "param_space.max_features"
    assert "float range" in error.detail


def test_grid_caps_the_values_of_one_int_dimension():
    # given an int range one value longer than a grid dimension may be
    high = 2 + MAX_GRID_INT_VALUES
    dims = parse_space({"min_samples_split": {"type": "int", "low": 2, "high": high}}, FOREST)
    # when a grid is asked for
    error = spec_error(grid, dims)
    # then it is refused, naming the dimension
    assert error.field == "param_space.min_samples_split"
    assert f"at most {MAX_GRID_INT_VALUES}" in error.detail


def test_grid_allows_an_int_dimension_at_the_cap():
    # given an int range of exactly the maximum number of values
    high = 1 + MAX_GRID_INT_VALUES
    dims = parse_space({"min_samples_split": {"type": "int", "low": 2, "high": high}}, FOREST)
    # when a grid is asked for
    # then every value is a candidate
    assert len(grid(dims)) == MAX_GRID_INT_VALUES


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"max_depth": [4, 8, None]}, 3),
        ({"max_depth": [4, 8, None], "bootstrap": [True, False]}, 6),
        ({"n_estimators": {"type": "int", "low": 10, "high": 19}, "bootstrap": [True]}, 10),
        ({"n_estimators": {"type": "int", "low": 5, "high": 5, "log": True}}, 1),
        ({"max_depth": [4], "max_features": {"type": "float", "low": 0.1, "high": 0.2}}, None),
    ],
    ids=["one-categorical", "product", "int-range", "single-int", "with-float"],
)
def test_grid_size_counts_candidates_or_returns_none_for_floats(raw, expected):
    # given a parsed space
    dims = parse_space(raw, FOREST)
    # when its grid size is asked for
    # then it is the product of the value counts, or None when a float range is present
    assert grid_size(dims) == expected


# --- sample --------------------------------------------------------------------------------

MIXED_SPACE = {
    "n_estimators": {"type": "int", "low": 50, "high": 500, "log": True},
    "max_depth": [4, 8, 16, None],
    "min_samples_leaf": {"type": "int", "low": 1, "high": 20},
    "max_features": {"type": "float", "low": 0.1, "high": 1.0},
    "bootstrap": [True, False],
}


@pytest.fixture
def mixed_dims() -> list[Dimension]:
    return parse_space(MIXED_SPACE, FOREST)


def test_sample_is_deterministic_for_a_seed(mixed_dims):
    # given a space with every kind of dimension
    # when it is sampled twice with the same seed
    first, second = sample(mixed_dims, 30, seed=42), sample(mixed_dims, 30, seed=42)
    # then the candidates are identical
    assert first == second


def test_sample_differs_between_seeds(mixed_dims):
    # given a space with every kind of dimension
    # when it is sampled with two seeds
    # then the candidate lists differ
    assert sample(mixed_dims, 30, seed=1) != sample(mixed_dims, 30, seed=2)


def test_sample_returns_n_distinct_candidates_with_every_parameter(mixed_dims):
    # given a large space
    # when 50 candidates are drawn
    candidates = sample(mixed_dims, 50, seed=0)
    # then there are 50, all different, each setting every parameter
    assert len(candidates) == 50
    assert len({repr(sorted(c.items())) for c in candidates}) == 50
    assert all(set(c) == set(MIXED_SPACE) for c in candidates)


def test_sample_values_stay_inside_bounds_with_the_right_types(mixed_dims):
    # given a space with int, log-int, float and categorical dimensions
    # when many candidates are drawn
    candidates = sample(mixed_dims, 400, seed=3)
    # then every value lies in its dimension and has the dimension's type
    for c in candidates:
        assert type(c["n_estimators"]) is int and 50 <= c["n_estimators"] <= 500
        assert type(c["min_samples_leaf"]) is int and 1 <= c["min_samples_leaf"] <= 20
        assert type(c["max_features"]) is float and 0.1 <= c["max_features"] <= 1.0
        assert c["max_depth"] in (4, 8, 16, None)
        assert type(c["bootstrap"]) is bool
        for name, value in c.items():
            assert FOREST[name].check(value) is None


@pytest.mark.parametrize("log", [False, True])
def test_int_draws_reach_both_ends_of_the_range(log):
    # given a small int range, drawn uniformly or log-uniformly
    dim = Dimension("p", "int", 1, 12, log=log)
    rng = np.random.default_rng(5)
    # when many values are drawn
    values = {dim.sample(rng) for _ in range(1000)}
    # then both end points are reachable and nothing falls outside
    assert values == set(range(1, 13))


@pytest.mark.parametrize(("kind", "low", "high"), [("int", 1, 2000), ("float", 1.0, 2000.0)])
@pytest.mark.parametrize("log", [False, True])
def test_log_sampling_favours_small_values(kind, low, high, log):
    # given a wide range, drawn uniformly or log-uniformly
    dim = Dimension("p", kind, low, high, log=log)
    rng = np.random.default_rng(9)
    # when many values are drawn
    values = [dim.sample(rng) for _ in range(2000)]
    # then log draws put most values in the lowest tenth, uniform draws about a tenth
    share_small = sum(v <= 200 for v in values) / len(values)
    assert (share_small > 0.6) if log else (0.05 < share_small < 0.15)
    assert all(low <= v <= high for v in values)


def test_sample_returns_the_whole_permuted_grid_when_the_space_is_small():
    # given a discrete space of 6 points and a request for 10
    dims = parse_space({"max_depth": [4, 8, None], "bootstrap": [True, False]}, FOREST)
    # when it is sampled
    candidates = sample(dims, 10, seed=0)
    # then every grid point appears exactly once, in a seeded order
    everything = grid(dims)
    assert len(candidates) == 6
    assert sorted(map(repr, candidates)) == sorted(map(repr, everything))
    assert candidates == sample(dims, 10, seed=0)
    orders = {tuple(map(repr, sample(dims, 10, seed=s))) for s in range(5)}
    assert len(orders) > 1


def test_sample_of_exactly_grid_size_returns_every_point():
    # given a discrete space of 4 points and a request for exactly 4
    dims = parse_space({"max_depth": [4, 8], "bootstrap": [True, False]}, FOREST)
    # when it is sampled
    candidates = sample(dims, 4, seed=1)
    # then each point comes once
    assert sorted(map(repr, candidates)) == sorted(map(repr, grid(dims)))


def test_sample_of_a_larger_discrete_space_returns_n_distinct_points():
    # given a discrete space of 30 points and a request for 10
    raw = {"max_depth": [4, 8, None], "min_samples_leaf": {"type": "int", "low": 1, "high": 10}}
    dims = parse_space(raw, FOREST)
    # when it is sampled
    candidates = sample(dims, 10, seed=4)
    # then 10 distinct grid points come back
    assert len({repr(c) for c in candidates}) == 10
    assert all(c in grid(dims) for c in candidates)


def test_sample_returns_every_point_of_a_long_int_range_when_n_covers_it():
    # given an int range with more values than a grid dimension may hold
    high = 1 + MAX_GRID_INT_VALUES + 10
    dims = parse_space({"min_samples_split": {"type": "int", "low": 2, "high": high}}, FOREST)
    # when n is at least the number of values
    candidates = sample(dims, MAX_GRID_INT_VALUES + 20, seed=0)
    # then each value is returned once, as the docstring promises
    assert sorted(c["min_samples_split"] for c in candidates) == list(range(2, high + 1))


def test_dimension_to_dict_round_trips_through_parse():
    # given parsed dimensions of every type
    dims = parse_space(MIXED_SPACE, FOREST)
    # when they are written out and parsed again
    again = parse_space({d.name: d.to_dict() for d in dims}, FOREST)
    # then nothing changes
    assert again == dims


def test_an_int_range_for_a_float_parameter_is_refused():
    # scikit-learn reads an int max_features as a count of columns, not a share
    error = spec_error(parse_dimension, "p", {"type": "int", "low": 1, "high": 10}, FLOAT)
    assert error.field == "param_space.p" and "use type float" in error.detail


def test_json_numbers_take_the_parameters_type():
    dims = parse_space({"max_depth": [3.0, None], "max_features": [1, 0.5]}, FOREST)
    by_name = {d.name: d.choices for d in dims}
    assert by_name["max_depth"] == (3, None) and type(by_name["max_depth"][0]) is int
    assert by_name["max_features"] == (1.0, 0.5) and type(by_name["max_features"][0]) is float
