"""The engine's search loop on its own: no database, no process, only callbacks."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from models.engine.evaluate import TrialOutcome, TrialState
from models.engine.isolation import Stopped
from models.engine.search import SearchEnd, best_trial, replay, search
from models.engine.strategies import Candidate, FixedList

CANDIDATES = [{"k": 1}, {"k": 2}, {"k": 3}, {"k": 4}]


def scored(number: int, candidate: Candidate) -> TrialOutcome:
    """A candidate's score is its ``k``, one tenth of it."""
    return TrialOutcome(
        candidate.params, TrialState.SUCCEEDED, mean_score=candidate.params["k"] / 10
    )


class Recorder:
    def __init__(self, accept: int = 10**9) -> None:
        self.recorded: list[tuple[int, dict, float | None]] = []
        self.accept = accept

    def __call__(self, number: int, candidate: Candidate, outcome: TrialOutcome) -> bool:
        if len(self.recorded) >= self.accept:
            return False
        self.recorded.append((number, candidate.params, outcome.mean_score))
        return True


def run(strategy=None, evaluate=scored, record=None, **kwargs):
    record = record or Recorder()
    options = {"should_stop": lambda: False, "deadline": float("inf")} | kwargs
    end = search(strategy or FixedList(CANDIDATES), evaluate, record, **options)
    return end, record


def test_every_candidate_is_evaluated_and_recorded_in_order():
    end, record = run()
    assert end is SearchEnd.COMPLETED
    assert record.recorded == [
        (0, {"k": 1}, 0.1),
        (1, {"k": 2}, 0.2),
        (2, {"k": 3}, 0.3),
        (3, {"k": 4}, 0.4),
    ]


def test_trials_recorded_before_are_skipped():
    end, record = run(done={0, 2})
    assert end is SearchEnd.COMPLETED
    assert [n for n, _, _ in record.recorded] == [1, 3]


def test_should_stop_ends_the_search_before_the_next_trial():
    record = Recorder()
    end, _ = run(record=record, should_stop=lambda: len(record.recorded) >= 2)
    assert end is SearchEnd.STOPPED and len(record.recorded) == 2


def test_the_deadline_ends_the_search_with_timeout():
    ticks = iter([0.0, 1.0, 5.0, 9.0])
    end, record = run(deadline=4.0, clock=lambda: next(ticks))
    assert end is SearchEnd.TIMEOUT and len(record.recorded) == 2


def test_a_trial_interrupted_by_the_deadline_is_a_timeout_not_a_stop():
    def interrupted(number, candidate):
        if number == 1:
            raise Stopped
        return scored(number, candidate)

    end, record = run(evaluate=interrupted)
    assert end is SearchEnd.TIMEOUT and len(record.recorded) == 1


def test_a_trial_interrupted_by_a_stop_request_is_a_stop():
    stop = {"now": False}

    def cancelled(number, candidate):
        stop["now"] = True
        raise Stopped

    end, record = run(evaluate=cancelled, should_stop=lambda: stop["now"])
    assert end is SearchEnd.STOPPED and record.recorded == []


def test_a_trial_that_cannot_be_recorded_stops_the_search():
    end, record = run(record=Recorder(accept=1))
    assert end is SearchEnd.STOPPED and len(record.recorded) == 1


@dataclass
class Past:
    number: int
    params: dict
    state: str
    mean_score: float | None
    rung: int | None = None
    resource: int | None = None


def test_replay_tells_the_strategy_and_returns_the_numbers():
    seen = []

    class Spy(FixedList):
        def record(self, number, candidate, state, score, intermediate):
            seen.append((number, candidate.params, state, score))

    numbers = replay(Spy(CANDIDATES), [Past(0, {"k": 1}, TrialState.SUCCEEDED, 0.1)])
    assert numbers == {0} and seen == [(0, {"k": 1}, TrialState.SUCCEEDED, 0.1)]


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
