"""Search strategies behind one interface: propose a candidate, record its result.

The caller owns the loop (as in Optuna's ask-and-tell): it asks ``propose(number)`` for
trial ``number``, evaluates it, and tells ``record``. A strategy is a pure function of the
spec, the seed and the trials known so far, so any worker can rebuild it: the recorded
trials are replayed through ``record``, the ones still running elsewhere through
``pending``, and proposing goes on from there; told the same trials one by one, a kept
strategy proposes the same (``models.search_states``). ``propose`` answers
:data:`WAIT` when the next candidate depends on trials still running (halving promotes
only a finished rung).

- ``grid``: every combination, in ``ParameterGrid`` order.
- ``random``: seeded samples, distinct while any remain.
- ``halving``: successive halving as in ``HalvingRandomSearchCV``: many candidates on a
  small resource (rows, or an estimator budget such as ``n_estimators``), the best
  ``1/factor`` promoted to ``factor`` times the resource, until one rung remains.
- ``bayesian``: Optuna's TPE sampler, seeded; optionally the median pruner stops a
  candidate after any fold whose running mean is below the median of earlier trials.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import optuna

from models.engine.evaluate import TrialState
from models.engine.space import Dimension, enumerated, grid, ordered, sampled

optuna.logging.set_verbosity(optuna.logging.WARNING)


@dataclass(frozen=True)
class Candidate:
    """What to evaluate: the estimator's parameters, and for halving its rung and budget."""

    params: dict[str, Any]
    rung: int | None = None
    resource: int | None = None


class _Wait:
    def __repr__(self) -> str:
        return "WAIT"


# ``propose`` cannot answer before the trials in flight are recorded.
WAIT: Any = _Wait()


class Strategy(Protocol):
    """What to try next. A strategy may subclass this for the defaults: trials in flight
    change nothing, results teach nothing, and no trial is stopped early."""

    total: int  # how many trials the search plans (an upper bound for halving)

    def propose(self, number: int) -> Candidate | None:
        """The candidate for trial ``number``, ``None`` when the search is done, or
        :data:`WAIT` until the trials in flight are recorded."""
        ...

    def pending(self, number: int, candidate: Candidate) -> None:
        """Trial ``number`` runs (elsewhere) and is not recorded yet."""
        return None

    def record(
        self,
        number: int,
        candidate: Candidate,
        state: str,
        score: float | None,
        intermediate: list[float],
    ) -> None:
        """Learn from a finished trial (``score`` is ``None`` unless it succeeded)."""
        return None

    def should_prune(self, number: int, step: int, value: float) -> bool:
        """After fold ``step`` of trial ``number``: stop it now?"""
        return False


class FixedList(Strategy):
    """A strategy whose candidates are all known up front (grid, random)."""

    def __init__(self, candidates: list[dict[str, Any]]) -> None:
        self.candidates = candidates
        self.total = len(candidates)

    def propose(self, number: int) -> Candidate | None:
        return Candidate(self.candidates[number]) if number < self.total else None


class Drawn:
    """A random search's candidates, read only as far as trials need them (a search bound
    by a budget plans thousands and runs a few hundred: see
    :func:`~models.engine.space.sampled`), and how many it plans: ``n``; or, when they
    are every point of a smaller space (``listed``), all of them, counted."""

    def __init__(self, candidates: Iterable[dict[str, Any]], n: int, listed: bool) -> None:
        self._stream = iter(candidates)
        self._read: list[dict[str, Any]] = list(self._stream) if listed else []
        self.count = len(self._read) if listed else n

    def at(self, index: int) -> dict[str, Any] | None:
        """The candidate at ``index``; ``None`` past the planned ones or the last drawn."""
        if not 0 <= index < self.count:
            return None
        while len(self._read) <= index:
            if (candidate := next(self._stream, None)) is None:
                return None
            self._read.append(candidate)
        return self._read[index]


class Distinct(Strategy):
    """Random search's candidates: the seeded sample in order, skipping any already told.

    For a search that ran as submitted this is the sample itself (trial ``n`` gets the
    ``n``-th candidate). An extended search (``POST /v1/jobs/{id}/extend``) samples more,
    and a small discrete space's larger sample is a permutation of every point, which may
    put, further on, points the first trials ran: those are skipped, so each new trial is
    a point not tried yet.
    """

    def __init__(self, candidates: Drawn) -> None:
        self.candidates = candidates
        self.total = candidates.count
        self.seen: set[str] = set()
        self.next = 0  # no candidate before it is unseen: what is seen only grows

    def propose(self, number: int) -> Candidate | None:
        at = self.candidates.at
        while (candidate := at(self.next)) is not None and _key(candidate) in self.seen:
            self.next += 1
        return Candidate(candidate) if candidate is not None else None

    def pending(self, number: int, candidate: Candidate) -> None:
        self.seen.add(_key(candidate.params))

    def record(
        self,
        number: int,
        candidate: Candidate,
        state: str,
        score: float | None,
        intermediate: list[float],
    ) -> None:
        self.seen.add(_key(candidate.params))


def _key(params: dict[str, Any]) -> str:
    return repr(sorted(params.items()))


@dataclass(frozen=True)
class HalvingPlan:
    """The rungs, as HalvingRandomSearchCV computes them."""

    n_candidates: int
    factor: int
    min_resources: int
    max_resources: int
    n_iterations: int

    @property
    def rung_sizes(self) -> list[int]:
        sizes, n = [], self.n_candidates
        for _ in range(self.n_iterations):
            sizes.append(n)
            n = -(-n // self.factor)  # ceil, in integers: n may be any size
        return sizes

    def resources(self, rung: int) -> int:
        return min(self.max_resources, self.min_resources * self.factor**rung)


def plan_halving(
    factor: int,
    max_resources: int,
    smallest: int,
    n_candidates: int | None,
    min_resources: int | str,
    max_candidates: int,
) -> HalvingPlan:
    """Rungs as ``HalvingRandomSearchCV`` plans them.

    ``n_candidates=None`` is its ``"exhaust"`` (``max_resources // min_resources``), capped
    at ``max_candidates``; ``min_resources`` is a number, ``"smallest"`` (``smallest``:
    2 x folds, x classes for classification, as scikit-learn) or ``"exhaust"`` (as large
    as lets the last rung use nearly all of ``max_resources``).
    """
    low = max(1, min(smallest, max_resources))
    start = low if isinstance(min_resources, str) else min(min_resources, max_resources)
    if n_candidates is None:
        n_candidates = max(factor, min(max_candidates, max_resources // start))
    required = 1 + math.floor(math.log(n_candidates, factor) + 1e-9)
    if min_resources == "exhaust":
        start = max(low, max_resources // factor ** (required - 1))
    possible = 1 + math.floor(math.log(max(1, max_resources // start), factor) + 1e-9)
    return HalvingPlan(n_candidates, factor, start, max_resources, max(1, min(required, possible)))


@dataclass
class Halving(Strategy):
    """Successive halving over seeded random candidates."""

    plan: HalvingPlan
    candidates: list[dict[str, Any]]
    total: int = 0
    # Per rung: the candidate indices evaluated there, in trial order.
    rungs: list[list[int]] = field(default_factory=list)
    scores: dict[int, tuple[int, int, float | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.total = sum(
            min(size, len(self.candidates)) if i == 0 else size
            for i, size in enumerate(self.plan.rung_sizes)
        )
        self.rungs = [list(range(len(self.candidates)))]

    def _locate(self, number: int) -> tuple[int, int] | None:
        """(rung, candidate index) of trial ``number``, promoting a finished rung if needed."""
        start = 0
        for rung, members in enumerate(self.rungs):
            if number < start + len(members):
                return rung, members[number - start]
            start += len(members)
        # ``number`` is past every rung known so far: promote from the last one, once
        # every trial of it is recorded.
        rung = len(self.rungs) - 1
        if rung + 1 >= self.plan.n_iterations:
            return None
        if any(n not in self.scores for n in range(start - len(self.rungs[rung]), start)):
            return WAIT
        keep = math.ceil(len(self.rungs[rung]) / self.plan.factor)
        # The best scores go on; equal scores keep the earlier candidate; candidates whose
        # trial failed (or scored NaN) rank last, as in scikit-learn, so a rung too small
        # for its metric does not end the search.
        ranked = sorted(
            (
                (self.scores[n][2], self.scores[n][1])
                for n in self.scores
                if self.scores[n][0] == rung
            ),
            key=lambda s: (s[0] is None, -(s[0] or 0.0), s[1]),
        )
        if not ranked:
            return None
        best = ranked[:keep]
        self.rungs.append(sorted(index for _, index in best))
        return self._locate(number) if number < start + len(self.rungs[-1]) else None

    def propose(self, number: int) -> Candidate | None:
        where = self._locate(number)
        if where is None or where is WAIT:
            return where
        rung, index = where
        return Candidate(self.candidates[index], rung, self.plan.resources(rung))

    def record(
        self,
        number: int,
        candidate: Candidate,
        state: str,
        score: float | None,
        intermediate: list[float],
    ) -> None:
        where = self._locate(number)
        if where is not None and where is not WAIT:
            self.scores[number] = (
                where[0],
                where[1],
                score if state == TrialState.SUCCEEDED else None,
            )


def _distribution(dim: Dimension) -> optuna.distributions.BaseDistribution:
    if dim.type == "categorical":
        return optuna.distributions.CategoricalDistribution(list(dim.choices))
    if dim.type == "int":
        return optuna.distributions.IntDistribution(int(dim.low), int(dim.high), log=dim.log)
    return optuna.distributions.FloatDistribution(dim.low, dim.high, log=dim.log)


class Bayesian(Strategy):
    """Optuna's TPE through ask-and-tell: Optuna proposes, the job owns the loop.

    Trials in flight elsewhere are in the study as running trials, and TPE's
    ``constant_liar`` counts them as poor results, so parallel proposals spread out instead
    of landing on the same spot. The sampler is seeded from the job's seed and the trial
    number, so the same recorded trials always lead to the same proposal: a job is
    reproducible with ``max_parallel: 1`` however often its strategy is rebuilt.
    """

    def __init__(
        self,
        dims: list[Dimension],
        n_trials: int,
        seed: int | None,
        pruning: bool,
        first: Sequence[dict[str, Any]] = (),
    ) -> None:
        self.dims = ordered(dims)
        # Trials 0 .. len(first) - 1 evaluate these (enqueued), then TPE proposes.
        self.first = list(first)
        self.total = n_trials
        self.seed = seed
        self.startup = min(10, max(3, n_trials // 4))
        pruner = (
            optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1)
            if pruning
            else optuna.pruners.NopPruner()
        )
        self.study = optuna.create_study(
            direction="maximize", sampler=self._sampler(0), pruner=pruner
        )
        self.pending_trials: dict[int, optuna.Trial] = {}
        self.reported: dict[int, set[int]] = {}

    def _sampler(self, number: int) -> optuna.samplers.TPESampler:
        seed = None if self.seed is None else (self.seed * 1_000_003 + number) % 2**32
        return optuna.samplers.TPESampler(
            seed=seed, n_startup_trials=self.startup, constant_liar=True
        )

    def propose(self, number: int) -> Candidate | None:
        if number >= self.total:
            return None
        self.study.sampler = self._sampler(number)
        if number < len(self.first):
            self.study.enqueue_trial(self.first[number], skip_if_exists=False)
        trial = self.study.ask()
        params: dict[str, Any] = {}
        for dim in self.dims:
            if dim.active(params):
                params[dim.name] = self._suggest(trial, dim)
        self.pending_trials[number] = trial
        self.reported[number] = set()
        return Candidate(params)

    def pending(self, number: int, candidate: Candidate) -> None:
        if number in self.pending_trials:  # proposed here: already in the study
            return
        self.study.enqueue_trial(candidate.params, skip_if_exists=False)
        trial = self.study.ask()
        for dim in self.dims:
            if dim.name in candidate.params:
                self._suggest(trial, dim)
        self.pending_trials[number] = trial
        self.reported[number] = set()

    @staticmethod
    def _suggest(trial: optuna.Trial, dim: Dimension) -> Any:
        if dim.type == "categorical":
            return trial.suggest_categorical(dim.name, list(dim.choices))
        if dim.type == "int":
            return trial.suggest_int(dim.name, int(dim.low), int(dim.high), log=dim.log)
        return trial.suggest_float(dim.name, dim.low, dim.high, log=dim.log)

    def should_prune(self, number: int, step: int, value: float) -> bool:
        trial = self.pending_trials[number]
        trial.report(value, step)
        self.reported[number].add(step)
        return trial.should_prune()

    def record(
        self,
        number: int,
        candidate: Candidate,
        state: str,
        score: float | None,
        intermediate: list[float],
    ) -> None:
        optuna_state = {
            TrialState.SUCCEEDED: optuna.trial.TrialState.COMPLETE,
            TrialState.PRUNED: optuna.trial.TrialState.PRUNED,
        }.get(state, optuna.trial.TrialState.FAIL)
        trial = self.pending_trials.pop(number, None)
        if trial is None:  # a trial recorded before this strategy was built: replay it
            distributions = {
                d.name: _distribution(d) for d in self.dims if d.name in candidate.params
            }
            self.study.add_trial(
                optuna.trial.create_trial(
                    params=candidate.params,
                    distributions=distributions,
                    state=optuna_state,
                    value=score if optuna_state == optuna.trial.TrialState.COMPLETE else None,
                    intermediate_values=dict(enumerate(intermediate)),
                )
            )
            return
        # Pruning ran in the trial's own process; repeat its reports here.
        done = self.reported.pop(number, set())
        for step, value in enumerate(intermediate):
            if step not in done:
                trial.report(value, step)
        if optuna_state == optuna.trial.TrialState.COMPLETE:
            self.study.tell(trial, score)
        else:
            self.study.tell(trial, state=optuna_state)


def make_strategy(
    name: str,
    dims: list[Dimension],
    n_trials: int,
    seed: int | None,
    *,
    pruning: bool = False,
    halving: HalvingPlan | None = None,
    first: Sequence[dict[str, Any]] = (),
) -> Strategy:
    """The strategy called ``name`` over ``dims``; random, halving and bayesian search
    evaluate the candidates ``first`` before their own (a grid has its order)."""
    if name == "grid":
        return FixedList(grid(dims))
    if name == "random":
        drawn = _first(first, sampled(dims, n_trials, seed), n_trials)
        return Distinct(Drawn(drawn, n_trials, enumerated(dims, n_trials)))
    if name == "halving":
        assert halving is not None, "halving needs a plan"
        drawn = sampled(dims, halving.n_candidates, seed)
        return Halving(halving, list(_first(first, drawn, halving.n_candidates)))
    if name == "bayesian":
        return Bayesian(dims, n_trials, seed, pruning, first)
    raise ValueError(f"unknown strategy {name!r}")


def _first(
    first: Sequence[dict[str, Any]], drawn: Iterable[dict[str, Any]], n: int
) -> Iterator[dict[str, Any]]:
    """``first``, then the ``drawn`` candidates not among them: ``n`` in all."""
    taken = {_key(p) for p in first}
    return itertools.islice(itertools.chain(first, (c for c in drawn if _key(c) not in taken)), n)
