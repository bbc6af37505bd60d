"""How a search proceeds: ask the strategy for a candidate, evaluate it, record it, repeat.

The loop is the whole of it, as in scikit-learn's ``BaseSearchCV._run_search`` and
Optuna's ``_optimize_sequential``: what evaluating and recording mean (a child process,
a database row written under a lease) is passed in, so the loop knows no database, no
process and no worker. It stops when the strategy has no more candidates, when
``should_stop`` says so (a cancel, a shutdown), when a trial cannot be recorded (the run
lost its job), or at the deadline.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Collection, Iterable
from typing import Protocol, TypeVar

import numpy as np

from models.engine.evaluate import TrialOutcome, TrialState
from models.engine.isolation import Stopped
from models.engine.strategies import Candidate, Strategy


class SearchEnd(enum.StrEnum):
    """Why the loop returned."""

    COMPLETED = "completed"  # the strategy proposed no further candidate
    TIMEOUT = "timeout"  # the deadline passed (a trial in flight was interrupted)
    STOPPED = "stopped"  # should_stop() turned true, or a trial could not be recorded


class PastTrial(Protocol):
    """A trial already recorded, as a resumed search replays it to its strategy."""

    number: int
    params: dict
    state: str
    mean_score: float | None
    rung: int | None
    resource: int | None


class Scored(Protocol):
    """What ranking needs of a trial."""

    number: int
    state: str
    mean_score: float | None
    rung: int | None


ScoredT = TypeVar("ScoredT", bound=Scored)
EvaluateCandidate = Callable[[int, Candidate], TrialOutcome]
RecordTrial = Callable[[int, Candidate, TrialOutcome], bool]


def replay(strategy: Strategy, trials: Iterable[PastTrial]) -> set[int]:
    """Tell ``strategy`` about trials recorded by an earlier run; return their numbers."""
    numbers = set()
    for trial in trials:
        candidate = Candidate(trial.params, trial.rung, trial.resource)
        strategy.record(trial.number, candidate, trial.state, trial.mean_score, [])
        numbers.add(trial.number)
    return numbers


def search(
    strategy: Strategy,
    evaluate_candidate: EvaluateCandidate,
    record_trial: RecordTrial,
    *,
    should_stop: Callable[[], bool],
    deadline: float,
    done: Collection[int] = (),
    clock: Callable[[], float] = time.time,
) -> SearchEnd:
    """Run trials until the search ends; return why it ended.

    ``evaluate_candidate(number, candidate)`` scores one candidate and may raise
    :class:`~models.engine.isolation.Stopped` when interrupted; ``record_trial(number,
    candidate, outcome)`` keeps the result and returns ``False`` when it could not (the
    search then stops). Trial numbers in ``done`` were recorded before and are skipped.
    """
    number = 0
    while True:
        if number in done:
            number += 1
            continue
        if should_stop():
            return SearchEnd.STOPPED
        if clock() >= deadline:
            return SearchEnd.TIMEOUT
        candidate = strategy.propose(number)
        if candidate is None:
            return SearchEnd.COMPLETED
        try:
            outcome = evaluate_candidate(number, candidate)
        except Stopped:
            return SearchEnd.STOPPED if should_stop() else SearchEnd.TIMEOUT
        if not record_trial(number, candidate, outcome):
            return SearchEnd.STOPPED
        strategy.record(number, candidate, outcome.state, outcome.mean_score, outcome.intermediate)
        number += 1


def best_trial(trials: Iterable[ScoredT]) -> ScoredT | None:
    """The first trial with the highest finite mean score (GridSearchCV's tie-break).

    For successive halving only the last rung reached counts, as in scikit-learn: a
    candidate that shone on a few rows but was never tried on more does not win.
    """
    scored = sorted(
        (
            t
            for t in trials
            if t.state == TrialState.SUCCEEDED
            and t.mean_score is not None
            and np.isfinite(t.mean_score)
        ),
        key=lambda t: t.number,
    )
    if not scored:
        return None
    top_rung = max((t.rung or 0) for t in scored)
    best = None
    for trial in scored:
        if (trial.rung or 0) == top_rung and (best is None or trial.mean_score > best.mean_score):
            best = trial
    return best
