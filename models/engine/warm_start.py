"""Warm start: a new search seeded with the scored trials of earlier jobs.

A job submitted with ``warm_start: {"job_ids": [...]}`` (1 to :data:`MAX_PARENTS`, as
SageMaker allows) starts with its parents' trials as its own first trials, numbered from
0 in the order the parents are listed, then by their numbers; its new trials follow.
They are not run again: the strategy is told them as recorded trials, so TPE learns from
them, a grid skips the candidates already scored and a random search draws others.

What is inherited, and why:

- Only a parent that scored its trials as this job will is a parent at all
  (:func:`differences`): the same estimator, dataset, target, task and ranking scorer, and
  the same rows and folds (``test_size``, ``random_state``, ``cv``, ``exclude_columns``).
  A score on other folds or by another scorer cannot be ranked beside this job's.
- Only succeeded trials: a failed trial has no score, and a pruned one was stopped by a
  median of the parent's trials, not of this job's (both run again if proposed).
- Only the trials that fit this job's space (:func:`misfit`): each parameter they set is
  searched here, takes a value the space allows, and applies under its ``when``; and each
  parameter the space makes active is set. A trial the space could not have proposed
  would teach TPE about points outside it and could win with parameters it excludes.
  Those left out are named in a ``warm_start_unfit`` warning on the job.
- A trial a parent itself inherited keeps its origin, and one origin is inherited once.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from models.engine.evaluate import TrialState
from models.engine.space import Dimension, enumerated, grid, json_repr, ordered, sampled
from models.engine.spec import SearchSpec
from models.engine.strategies import Bayesian, Candidate, Drawn, Strategy
from models.exceptions import SpecError

MAX_PARENTS = 5
# A warning names at most this many of a parent's trials in words (``trials`` lists all).
SHOWN_TRIALS = 10
FIELD = "warm_start.job_ids"
WHY = "scores are comparable only on the same rows, folds and scorer"

# What a parent must share with the new job: (field, how the spec holds it).
_SAME: tuple[tuple[str, Any], ...] = (
    ("estimator", lambda s: s.estimator),
    ("dataset_id", lambda s: s.dataset_id),
    ("target", lambda s: s.target),
    ("task", lambda s: s.task),
    ("scoring", lambda s: s.scoring),
    ("test_size", lambda s: s.test_size),
    # It draws the test rows and the folds' default seed, and seeds the estimator.
    ("random_state", lambda s: s.random_state),
    ("exclude_columns", lambda s: sorted(s.exclude_columns)),
    ("cv.kind", lambda s: s.cv.kind),
    ("cv.folds", lambda s: s.cv.folds),
    ("cv.shuffle", lambda s: s.cv.shuffle),
    ("cv.random_state", lambda s: s.cv.random_state),
    ("cv.group_column", lambda s: s.cv.group_column),
    ("cv.validation_size", lambda s: s.cv.validation_size),
)


class ParentTrial(Protocol):
    """What inheriting reads of a parent's trial."""

    number: int
    params: dict[str, Any]
    state: str
    mean_score: float | None
    rung: int | None
    inherited_job_id: str | None
    inherited_number: int | None


def differences(child: SearchSpec, parent_id: str, parent: SearchSpec) -> list[SpecError]:
    """Why ``parent``'s scores cannot be ranked beside ``child``'s: one error per field
    that differs, naming it; empty when they can."""
    if parent.halving is not None:
        return [
            SpecError(
                f"job {parent_id} ran successive halving: its trials were scored on part of "
                "the rows or budget; warm start from a grid, random or bayesian job",
                field=FIELD,
            )
        ]
    found = []
    for name, value_of in _SAME:
        mine, theirs = value_of(child), value_of(parent)
        if mine != theirs:
            found.append(
                SpecError(
                    f"is {json_repr(mine)} here but {json_repr(theirs)} in job {parent_id} ({WHY})",
                    field=name,
                )
            )
    return found


def misfit(params: dict[str, Any], dims: Sequence[Dimension]) -> str | None:
    """Why ``params`` is not a candidate the space ``dims`` could propose; ``None`` when
    it is one."""
    by_name = {d.name: d for d in dims}
    for name in sorted(params):
        if name not in by_name:
            return f"{name} is not searched here"
    for dim in ordered(list(dims)):
        given = dim.name in params
        if not dim.active(params):
            if given:
                return f"{dim.name} does not apply here with {_parents(dim, params)}"
            continue
        if not given:
            return f"{dim.name} is searched here and the trial left it at its default"
        if not dim.contains(params[dim.name]):
            return f"{dim.name}={json_repr(params[dim.name])} is {_outside(dim)}"
    return None


def _parents(dim: Dimension, params: dict[str, Any]) -> str:
    return ", ".join(f"{p}={json_repr(params.get(p))}" for p, _ in dim.when)


def _outside(dim: Dimension) -> str:
    if dim.type == "categorical":
        return f"not one of {json_repr(list(dim.choices))}"
    return f"outside {json_repr(dim.low)} to {json_repr(dim.high)} ({dim.type})"


@dataclass(frozen=True)
class Inherited:
    """A parent's trial the new job takes: the trial, and where it was first scored."""

    trial: Any
    job_id: str
    number: int


@dataclass
class Selection:
    """The trials inherited, in the order they are numbered, and the warnings to show."""

    trials: list[Inherited] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)


def select(
    parents: Iterable[tuple[str, Sequence[ParentTrial]]],
    dims: Sequence[Dimension],
    limit: int,
) -> Selection:
    """The trials of ``parents`` (each a job id and its trials, in the order given) that
    the new job inherits: succeeded, fitting ``dims``, each origin once; at most ``limit``
    (the best scores, then in their order). Each parent with trials that do not fit, or
    with no scored trial, gets a warning."""
    chosen = Selection()
    seen: set[tuple[str, int]] = set()
    for job_id, trials in parents:
        scored = [t for t in trials if t.state == TrialState.SUCCEEDED and t.rung is None]
        if not scored:
            chosen.warnings.append(
                {
                    "code": "warm_start_unscored",
                    "message": f"job {job_id} has no scored trial yet: nothing is inherited "
                    "from it",
                    "job_id": job_id,
                    "trials": [],
                }
            )
            continue
        unfit: list[tuple[int, str]] = []
        for trial in sorted(scored, key=lambda t: t.number):
            reason = misfit(trial.params, dims)
            if reason is not None:
                unfit.append((trial.number, reason))
                continue
            origin = (trial.inherited_job_id or job_id, _origin_number(trial))
            if origin not in seen:
                seen.add(origin)
                chosen.trials.append(Inherited(trial, *origin))
        if unfit:
            chosen.warnings.append(_unfit_warning(job_id, len(scored), unfit))
    if len(chosen.trials) > limit:
        best = sorted(chosen.trials, key=lambda i: -i.trial.mean_score)[:limit]
        kept = {id(i) for i in best}
        dropped = len(chosen.trials) - limit
        chosen.trials = [i for i in chosen.trials if id(i) in kept]
        chosen.warnings.append(
            {
                "code": "warm_start_limit",
                "message": f"{limit + dropped} parent trials fit; the best {limit} are "
                f"inherited (TUNEFORGE_MAX_TRIALS), {dropped} are not",
                "trials": [],
            }
        )
    return chosen


def _origin_number(trial: ParentTrial) -> int:
    return trial.inherited_number if trial.inherited_job_id else trial.number


def _unfit_warning(job_id: str, scored: int, unfit: list[tuple[int, str]]) -> dict[str, Any]:
    named = "; ".join(f"#{number} ({reason})" for number, reason in unfit[:SHOWN_TRIALS])
    more = f"; and {len(unfit) - SHOWN_TRIALS} more" if len(unfit) > SHOWN_TRIALS else ""
    return {
        "code": "warm_start_unfit",
        "message": f"{len(unfit)} of job {job_id}'s {scored} scored trials do not fit this "
        f"job's space and are not inherited: {named}{more}",
        "job_id": job_id,
        "trials": [number for number, _ in unfit],
    }


def params_key(params: dict[str, Any]) -> str:
    """One candidate's identity: ``1``, ``1.0`` and ``true`` stay apart, as in JSON."""
    return json.dumps(params, sort_keys=True, default=repr)


class AfterInherited(Strategy):
    """New candidates numbered after the ``inherited`` trials."""

    def __init__(self, inherited: int, candidates: Drawn) -> None:
        self.inherited = inherited
        self.candidates = candidates
        self.total = inherited + candidates.count

    def propose(self, number: int) -> Candidate | None:
        found = self.candidates.at(number - self.inherited)
        return Candidate(found) if found is not None else None


def seeded_strategy(
    name: str,
    dims: list[Dimension],
    n_trials: int,
    seed: int | None,
    inherited: Sequence[dict[str, Any]],
    *,
    pruning: bool = False,
) -> Strategy:
    """The strategy of a job whose trials ``0 .. len(inherited) - 1`` are inherited with
    these parameters; it proposes ``n_trials`` new ones (grid: each candidate not
    inherited). The caller replays every recorded trial to it, inherited ones included.

    - ``grid``: the grid's candidates, less those inherited, in grid order;
    - ``random``: ``n_trials`` seeded draws distinct from each other and from those
      inherited (fewer when the space has fewer points left);
    - ``bayesian``: TPE over ``len(inherited) + n_trials`` trials, told the inherited ones
      first: it proposes exactly what a job that had run them itself would.
    """
    taken = {params_key(p) for p in inherited}
    k = len(inherited)
    if name == "bayesian":
        return Bayesian(dims, k + n_trials, seed, pruning)
    if name == "grid":
        left = [c for c in grid(dims) if params_key(c) not in taken]
        return AfterInherited(k, Drawn(left, len(left), listed=True))
    if name == "random":
        drawn = sampled(dims, n_trials + k, seed)
        fresh = itertools.islice((c for c in drawn if params_key(c) not in taken), n_trials)
        return AfterInherited(k, Drawn(fresh, n_trials, enumerated(dims, n_trials + k)))
    raise ValueError(f"strategy {name!r} cannot be warm-started")
