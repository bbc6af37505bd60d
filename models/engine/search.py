"""How a search proceeds: which trials to run next, given those recorded and in flight.

A job's trials run wherever a worker slot is free, so the loop is not one function call
but a step taken whenever something changes (the job starts, a trial is recorded), as in
Optuna's ask-and-tell with many workers: rebuild the strategy from what is known
(:func:`replay`), then :func:`plan_next` says which trials to start so that up to
``max_parallel`` run at once, and whether the search has no candidates left. It knows no
database, no broker and no clock: the caller records, dispatches and decides deadlines.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import numpy as np

from models.engine.evaluate import TrialState
from models.engine.strategies import WAIT, Candidate, Strategy


class PastTrial(Protocol):
    """A trial already recorded, as a resumed search replays it to its strategy."""

    number: int
    params: dict
    state: str
    mean_score: float | None
    fold_scores: list[float]
    rung: int | None
    resource: int | None


class Scored(Protocol):
    """What ranking needs of a trial."""

    number: int
    state: str
    mean_score: float | None
    rung: int | None


ScoredT = TypeVar("ScoredT", bound=Scored)


@dataclass(frozen=True)
class InFlight:
    """A trial started and not recorded yet."""

    number: int
    params: dict
    rung: int | None = None
    resource: int | None = None


@dataclass(frozen=True)
class NextTrials:
    """What :func:`plan_next` decided."""

    start: list[tuple[int, Candidate]] = field(default_factory=list)
    # The strategy has no candidate beyond those recorded, in flight or in ``start``.
    exhausted: bool = False


def replay(
    strategy: Strategy, recorded: Iterable[PastTrial], in_flight: Iterable[InFlight] = ()
) -> None:
    """Tell a fresh strategy what is known: recorded trials (in number order), then the ones
    still running."""
    for trial in sorted(recorded, key=lambda t: t.number):
        candidate = Candidate(trial.params, trial.rung, trial.resource)
        # The running mean after each fold: what the trial reported to a pruner.
        folds = np.asarray(trial.fold_scores or [], dtype=float)
        intermediate = list(np.cumsum(folds) / np.arange(1, len(folds) + 1))
        strategy.record(trial.number, candidate, trial.state, trial.mean_score, intermediate)
    for trial in sorted(in_flight, key=lambda t: t.number):
        strategy.pending(trial.number, Candidate(trial.params, trial.rung, trial.resource))


def plan_next(
    strategy: Strategy, *, taken: Collection[int], in_flight: int, max_parallel: int
) -> NextTrials:
    """The trials to start now, lowest free numbers first, so that at most ``max_parallel``
    run at once. ``taken`` holds every number recorded or in flight.

    A strategy proposes in number order whatever the parallelism, so grid, random and
    halving give the same trials serially and in parallel; halving answers :data:`WAIT`
    until a rung is complete.
    """
    start: list[tuple[int, Candidate]] = []
    number = 0
    while in_flight + len(start) < max_parallel:
        if number in taken:
            number += 1
            continue
        candidate = strategy.propose(number)
        if candidate is None:
            return NextTrials(start, exhausted=True)
        if candidate is WAIT:
            break
        strategy.pending(number, candidate)
        start.append((number, candidate))
        number += 1
    return NextTrials(start)


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
