"""The engine's search steps on their own: no database, no broker, no process.

A job's trials run on many workers and finish in any order; the strategy is rebuilt from
what is recorded and in flight each time the next trials are chosen. These tests drive
that with a simulated pool of workers finishing in random order and check what the
issue promises: grid, random and halving give exactly the serial trials at any
parallelism; bayesian is reproducible serially and does not propose a trial twice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest

from models.engine.catalog import CATALOG, CLASSIFICATION
from models.engine.search import InFlight, best_trial, plan_next, replay
from models.engine.space import parse_space
from models.engine.states import TrialState
from models.engine.strategies import WAIT, Candidate, FixedList, make_strategy, plan_halving

TREE = CATALOG["decision_tree"].params[CLASSIFICATION]
SPACE = parse_space(
    {
        "max_depth": {"type": "int", "low": 1, "high": 30},
        "min_samples_leaf": {"type": "int", "low": 1, "high": 50, "log": True},
        "criterion": ["gini", "entropy"],
    },
    TREE,
)
GRID = parse_space({"max_depth": [2, 4, 8, None], "min_samples_leaf": [1, 5, 10]}, TREE)


@dataclass
class Past:
    number: int
    params: dict
    state: str
    mean_score: float | None
    fold_scores: list[float] = field(default_factory=list)
    rung: int | None = None
    resource: int | None = None


def score(candidate: Candidate) -> float:
    """A made-up score that depends on the parameters and the halving resource."""
    depth = candidate.params.get("max_depth") or 40
    leaf = candidate.params.get("min_samples_leaf", 1)
    return round(1 / (1 + abs(depth - 7)) + leaf / 1000 + (candidate.resource or 0) / 1e6, 9)


def simulate(build, max_parallel: int, seed: int) -> dict[int, Past]:
    """Workers finish in an order drawn from ``seed``; after every recorded trial the
    strategy is rebuilt and asked for the next trials, as a worker does."""
    order = random.Random(seed)
    recorded: dict[int, Past] = {}
    in_flight: dict[int, Candidate] = {}
    while True:
        strategy = build()
        replay(
            strategy,
            recorded.values(),
            [InFlight(n, c.params, c.rung, c.resource) for n, c in in_flight.items()],
        )
        step = plan_next(
            strategy,
            taken=set(recorded) | set(in_flight),
            in_flight=len(in_flight),
            max_parallel=max_parallel,
        )
        in_flight.update(step.start)
        assert len(in_flight) <= max_parallel
        if not in_flight:
            assert step.exhausted
            return recorded
        number = order.choice(sorted(in_flight))
        candidate = in_flight.pop(number)
        value = score(candidate)
        recorded[number] = Past(
            number,
            candidate.params,
            TrialState.SUCCEEDED,
            value,
            [value] * 3,
            candidate.rung,
            candidate.resource,
        )


def grid():
    return make_strategy("grid", GRID, 12, 0)


def random_search():
    return make_strategy("random", SPACE, 15, 0)


def halving():
    plan = plan_halving(3, 900, 30, 20, "exhaust", 81)
    return make_strategy("halving", SPACE, plan.n_candidates, 0, halving=plan)


def summary(trials: dict[int, Past]) -> list[tuple]:
    return [(n, t.params, t.rung, t.resource, t.mean_score) for n, t in sorted(trials.items())]


@pytest.mark.parametrize("build", [grid, random_search, halving], ids=["grid", "random", "halving"])
@pytest.mark.parametrize("max_parallel", [2, 3, 8])
def test_parallel_trials_equal_the_serial_ones(build, max_parallel):
    serial = simulate(build, 1, seed=0)
    for seed in range(5):
        assert summary(simulate(build, max_parallel, seed)) == summary(serial)
    assert best_trial(serial.values()) is not None


def test_halving_waits_for_a_rung_before_promoting():
    plan = plan_halving(3, 900, 30, 9, "exhaust", 81)
    strategy = make_strategy("halving", SPACE, 9, 0, halving=plan)
    first_rung = [strategy.propose(n) for n in range(9)]
    # eight of the nine trials of the first rung are recorded, one is still running
    for number, candidate in enumerate(first_rung[:8]):
        strategy.record(number, candidate, TrialState.SUCCEEDED, score(candidate), [])
    assert strategy.propose(9) is WAIT
    strategy.record(8, first_rung[8], TrialState.SUCCEEDED, score(first_rung[8]), [])
    promoted = strategy.propose(9)
    assert promoted is not WAIT and promoted.rung == 1


def bayesian():
    return make_strategy("bayesian", SPACE, 16, 7)


def test_bayesian_is_reproducible_serially():
    assert summary(simulate(bayesian, 1, seed=0)) == summary(simulate(bayesian, 1, seed=1))


def test_bayesian_in_parallel_never_proposes_a_candidate_twice():
    # a continuous space: the same point twice would mean a trial in flight was ignored
    # (or every rebuilt sampler drew the same startup sample)
    space = parse_space(
        {
            "ccp_alpha": {"type": "float", "low": 0.0, "high": 0.1},
            "max_features": {"type": "float", "low": 0.1, "high": 1.0},
        },
        TREE,
    )
    trials = simulate(lambda: make_strategy("bayesian", space, 16, 7), 4, seed=3)
    assert len(trials) == 16
    params = [tuple(sorted(t.params.items())) for t in trials.values()]
    assert len(set(params)) == len(params)


def test_plan_next_fills_free_slots_with_the_lowest_free_numbers():
    strategy = FixedList([{"k": k} for k in range(6)])
    step = plan_next(strategy, taken={0, 2}, in_flight=1, max_parallel=3)
    assert [n for n, _ in step.start] == [1, 3] and not step.exhausted
    step = plan_next(FixedList([{"k": 0}]), taken={0}, in_flight=0, max_parallel=3)
    assert step.start == [] and step.exhausted


def test_replay_reports_running_means_for_the_pruner():
    seen = []

    class Spy(FixedList):
        def record(self, number, candidate, state, score, intermediate):
            seen.append((number, state, intermediate))

    replay(Spy([]), [Past(0, {}, TrialState.SUCCEEDED, 0.5, [0.2, 0.4, 0.9])])
    assert seen[0][0] == 0 and seen[0][2] == pytest.approx([0.2, 0.3, 0.5])


@pytest.mark.parametrize(
    ("trials", "expected"),
    [
        ([], None),
        ([Past(0, {}, TrialState.FAILED, None)], None),
        ([Past(0, {}, TrialState.SUCCEEDED, float("nan"))], None),
        # ties go to the earlier trial, as in GridSearchCV
        ([Past(1, {}, TrialState.SUCCEEDED, 0.5), Past(0, {}, TrialState.SUCCEEDED, 0.5)], 0),
        # pruned trials never win, whatever they scored
        ([Past(0, {}, TrialState.PRUNED, 0.9), Past(1, {}, TrialState.SUCCEEDED, 0.2)], 1),
        # halving: only the last rung reached counts
        (
            [
                Past(0, {}, TrialState.SUCCEEDED, 0.9, rung=0),
                Past(1, {}, TrialState.SUCCEEDED, 0.3, rung=1),
            ],
            1,
        ),
    ],
)
def test_best_trial(trials, expected):
    best = best_trial(trials)
    assert (best.number if best else None) == expected
