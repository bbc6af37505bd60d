"""Strategies on their own: what they propose, and how they learn from results."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingRandomSearchCV
from sklearn.tree import DecisionTreeClassifier

from models.engine.catalog import CATALOG, CLASSIFICATION
from models.engine.space import parse_space, sample
from models.engine.strategies import Bayesian, Candidate, make_strategy, plan_halving
from models.store.records import TrialState

SVM = CATALOG["svm"].params[CLASSIFICATION]
TREE = CATALOG["decision_tree"].params[CLASSIFICATION]
CONDITIONAL = {
    "kernel": ["linear", "poly", "rbf"],
    "C": {"type": "float", "low": 0.01, "high": 100.0, "log": True},
    "degree": {"type": "int", "low": 2, "high": 4, "when": {"kernel": ["poly"]}},
    "gamma": {
        "type": "float",
        "low": 1e-3,
        "high": 1.0,
        "log": True,
        "when": {"kernel": ["rbf", "poly"]},
    },
}


def run(strategy, score_of, limit=500):
    """Drive a strategy as the worker does; returns the proposed candidates."""
    proposed = []
    for number in range(limit):
        candidate = strategy.propose(number)
        if candidate is None:
            break
        proposed.append(candidate)
        score = score_of(candidate)
        state = TrialState.FAILED if score is None else TrialState.SUCCEEDED
        strategy.record(number, candidate, state, score, [])
    return proposed


def consistent(candidate: Candidate) -> bool:
    kernel = candidate.params["kernel"]
    return ("degree" in candidate.params) == (kernel == "poly") and (
        "gamma" in candidate.params
    ) == (kernel in ("rbf", "poly"))


@pytest.mark.parametrize(
    ("max_resources", "smallest", "min_resources", "n_candidates"),
    [
        (455, 20, "smallest", None),
        (455, 20, "exhaust", 22),
        (2000, 20, "smallest", None),
        (600, 8, 30, 12),
    ],
)
def test_halving_plan_matches_scikit_learn(max_resources, smallest, min_resources, n_candidates):
    # given HalvingRandomSearchCV on max_resources rows, 2 classes and smallest // 4 folds
    X = np.random.default_rng(0).normal(size=(max_resources, 3))
    y = np.arange(max_resources) % 2
    search = HalvingRandomSearchCV(
        DecisionTreeClassifier(),
        {"max_depth": list(range(1, 200))},
        factor=3,
        n_candidates=n_candidates or "exhaust",
        min_resources=min_resources,
        cv=smallest // 4,
        random_state=0,
    ).fit(X, y)
    # when tuneforge plans the same search
    plan = plan_halving(
        3, max_resources, smallest, n_candidates, min_resources, max_candidates=10_000
    )
    # then the rungs have scikit-learn's sizes and resources
    assert plan.rung_sizes == search.n_candidates_
    assert [plan.resources(r) for r in range(plan.n_iterations)] == search.n_resources_


def test_halving_promotes_the_best_third_to_three_times_the_resource():
    plan = plan_halving(3, 270, 10, 27, 10, max_candidates=81)
    dims = parse_space({"max_depth": {"type": "int", "low": 1, "high": 100}}, TREE)
    strategy = make_strategy("halving", dims, 0, 0, halving=plan)
    # the score is the depth, so the deepest candidates must survive each rung
    proposed = run(strategy, lambda c: float(c.params["max_depth"]))
    rungs = {}
    for c in proposed:
        rungs.setdefault(c.rung, []).append(c)
    assert [len(v) for v in rungs.values()] == [27, 9, 3, 1]
    assert [v[0].resource for v in rungs.values()] == [10, 30, 90, 270]
    for rung in range(1, 4):
        previous = sorted((c.params["max_depth"] for c in rungs[rung - 1]), reverse=True)
        assert sorted(c.params["max_depth"] for c in rungs[rung]) == sorted(
            previous[: len(rungs[rung])]
        )
    assert strategy.total == 40


def test_halving_ranks_failed_candidates_last():
    plan = plan_halving(3, 90, 10, 9, 10, max_candidates=81)
    dims = parse_space({"max_depth": {"type": "int", "low": 1, "high": 100}}, TREE)
    strategy = make_strategy("halving", dims, 0, 0, halving=plan)
    # candidates with an odd depth fail; the others all score the same
    proposed = run(strategy, lambda c: None if c.params["max_depth"] % 2 else 1.0)
    first = [c.params["max_depth"] for c in proposed if c.rung == 0]
    promoted = [c.params["max_depth"] for c in proposed if c.rung == 1]
    evens = [d for d in first if d % 2 == 0]
    assert len(promoted) == 3
    assert sum(d % 2 == 0 for d in promoted) == min(len(evens), 3)


def test_halving_goes_on_when_a_whole_rung_fails():
    # as when a tiny first rung leaves a fold with one class and every ROC AUC is NaN
    plan = plan_halving(3, 90, 10, 9, 10, max_candidates=81)
    dims = parse_space({"max_depth": {"type": "int", "low": 1, "high": 100}}, TREE)
    strategy = make_strategy("halving", dims, 0, 0, halving=plan)
    proposed = run(strategy, lambda c: None if c.rung == 0 else float(c.params["max_depth"]))
    assert [sum(c.rung == r for c in proposed) for r in range(3)] == [9, 3, 1]


def test_halving_replays_recorded_trials_to_the_same_point():
    plan = plan_halving(3, 270, 10, 27, 10, max_candidates=81)
    dims = parse_space({"max_depth": {"type": "int", "low": 1, "high": 100}}, TREE)
    uninterrupted = run(
        make_strategy("halving", dims, 0, 0, halving=plan), lambda c: float(c.params["max_depth"])
    )
    # when a new strategy is told the first 30 results and asked for the rest
    resumed = make_strategy("halving", dims, 0, 0, halving=plan)
    for number, c in enumerate(uninterrupted[:30]):
        resumed.record(number, c, TrialState.SUCCEEDED, float(c.params["max_depth"]), [])
    rest = []
    for number in range(30, len(uninterrupted)):
        rest.append(candidate := resumed.propose(number))
        resumed.record(
            number, candidate, TrialState.SUCCEEDED, float(candidate.params["max_depth"]), []
        )
    assert rest == uninterrupted[30:]
    assert resumed.propose(len(uninterrupted)) is None


def test_bayesian_is_reproducible_with_a_seed():
    dims = parse_space(CONDITIONAL, SVM)
    score = lambda c: -abs(math.log10(c.params["C"]))  # noqa: E731  (best at C = 1)
    first = run(make_strategy("bayesian", dims, 25, 7), score)
    second = run(make_strategy("bayesian", dims, 25, 7), score)
    other = run(make_strategy("bayesian", dims, 25, 8), score)
    assert [c.params for c in first] == [c.params for c in second]
    assert [c.params for c in first] != [c.params for c in other]
    assert len(first) == 25


def test_bayesian_concentrates_near_the_optimum():
    dims = parse_space({"C": {"type": "float", "low": 1e-4, "high": 1e4, "log": True}}, SVM)
    proposed = run(
        make_strategy("bayesian", dims, 40, 0), lambda c: -abs(math.log10(c.params["C"]) - 2)
    )
    late = [abs(math.log10(c.params["C"]) - 2) for c in proposed[-15:]]
    early = [abs(math.log10(c.params["C"]) - 2) for c in proposed[:10]]
    assert sum(late) / len(late) < sum(early) / len(early)


@pytest.mark.parametrize("strategy", ["random", "bayesian", "grid"])
def test_every_strategy_honours_conditions(strategy):
    space = dict(CONDITIONAL)
    if strategy == "grid":
        space = {
            "kernel": ["linear", "poly", "rbf"],
            "C": [0.1, 1.0],
            "degree": {"type": "categorical", "choices": [2, 3], "when": {"kernel": ["poly"]}},
            "gamma": {
                "type": "categorical",
                "choices": [0.1, "scale"],
                "when": {"kernel": ["rbf", "poly"]},
            },
        }
    dims = parse_space(space, SVM)
    proposed = run(make_strategy(strategy, dims, 30, 0), lambda c: 0.5)
    assert proposed and all(consistent(c) for c in proposed)
    assert {c.params["kernel"] for c in proposed} == {"linear", "poly", "rbf"}
    if strategy == "grid":
        # linear: 2 C; poly: 2 C x 2 degree x 2 gamma; rbf: 2 C x 2 gamma
        assert len(proposed) == 2 + 8 + 4


def test_bayesian_failed_and_pruned_trials_are_told_to_optuna():
    dims = parse_space({"C": {"type": "float", "low": 0.01, "high": 100.0, "log": True}}, SVM)
    strategy = Bayesian(dims, 6, 0, pruning=True)
    states = [TrialState.FAILED, TrialState.PRUNED, TrialState.SUCCEEDED]
    for number in range(3):
        candidate = strategy.propose(number)
        strategy.record(
            number, candidate, states[number], 0.5 if number == 2 else None, [0.4, 0.45]
        )
    told = [t.state.name for t in strategy.study.trials]
    assert told == ["FAIL", "PRUNED", "COMPLETE"]
    assert strategy.study.trials[1].intermediate_values == {0: 0.4, 1: 0.45}


def test_median_pruner_stops_a_clearly_worse_trial():
    dims = parse_space({"C": {"type": "float", "low": 0.01, "high": 100.0, "log": True}}, SVM)
    strategy = Bayesian(dims, 20, 0, pruning=True)
    for number in range(6):
        candidate = strategy.propose(number)
        for step in range(3):
            assert not strategy.should_prune(number, step, 0.9)
        strategy.record(number, candidate, TrialState.SUCCEEDED, 0.9, [0.9, 0.9, 0.9])
    strategy.propose(6)
    assert not strategy.should_prune(6, 0, 0.1)  # warm-up step
    assert strategy.should_prune(6, 1, 0.1)


def test_random_search_draws_its_candidates_only_as_trials_need_them():
    # a budget ends the search, so n_trials is huge (20,000 in bench/search_quality.py);
    # drawing them all up front took 11 s of an auto job's worker, per process
    dims = parse_space(
        {"ccp_alpha": {"type": "float", "low": 0.0, "high": 0.1}, "min_samples_leaf": [1, 2, 4]},
        CATALOG["decision_tree"].params[CLASSIFICATION],
    )
    strategy = make_strategy("random", dims, 50_000_000, 7)
    proposed = []
    for number in range(5):
        candidate = strategy.propose(number)
        strategy.pending(number, candidate)
        proposed.append(candidate.params)
    assert proposed == sample(dims, 5, 7)  # the same seeded order as drawn at once
    assert strategy.total == 50_000_000


def test_random_search_over_a_small_discrete_space_ends_after_every_point():
    dims = parse_space(
        {"max_depth": [2, 3], "min_samples_leaf": [1, 2]},
        CATALOG["decision_tree"].params[CLASSIFICATION],
    )
    strategy = make_strategy("random", dims, 10, 0)
    seen = []
    while (candidate := strategy.propose(len(seen))) is not None:
        strategy.pending(len(seen), candidate)
        seen.append(candidate.params)
    assert sorted(map(repr, seen)) == sorted(map(repr, sample(dims, 10, 0))) and len(seen) == 4
    assert strategy.total == 4  # what the job counts as planned
