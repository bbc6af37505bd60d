"""Studies: the same strategies as jobs, for an objective the client computes.

A study's space is written as a job's (conditional ``when`` included), but its parameters
are the client's own, not a catalog estimator's: each dimension's type says what values it
takes. The strategies maximize a score, so a study that minimizes its metric feeds them
the negated value (:func:`score_of`).

A :class:`Planner` is a study's strategy with what it has been told: the caller keeps it
between requests and tells it only the trials that are new (:meth:`Planner.sync`), so a
suggestion does not replay every trial again (TPE's replay of 200 trials costs more than
its proposal). Told the same trials, a kept planner and a fresh one know the same; the
database stays the one source of truth.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from models.engine import space
from models.engine.catalog import Param
from models.engine.evaluate import TrialState
from models.engine.search import plan_next
from models.engine.space import Dimension
from models.engine.strategies import Candidate, Strategy, make_strategy
from models.exceptions import SpecError

MINIMIZE, MAXIMIZE = "minimize", "maximize"
DIRECTIONS = (MINIMIZE, MAXIMIZE)
STRATEGIES = ("bayesian", "random", "grid")
LEASED = "leased"
# Trials one ask may lease at most.
MAX_SUGGESTIONS = 32
FINAL_STATES = (TrialState.SUCCEEDED.value, TrialState.FAILED.value, TrialState.PRUNED.value)
_HUGE = sys.float_info.max


def parse_study_space(raw: Any) -> list[Dimension]:
    """The dimensions of a study's ``space``; :class:`SpecError` naming ``space.<name>``.

    Each parameter takes the values its dimension states: a range of its ``type`` (``int``
    when ``low`` and ``high`` are both integers and no type is given), or a list of JSON
    scalars.
    """
    if not isinstance(raw, dict) or not raw:
        raise SpecError("must map parameter names to dimensions", field="space")
    params = {}
    for name, dim in raw.items():
        try:
            params[name] = _free_param(name, dim)
        except SpecError as error:
            raise _renamed(error) from None
    try:
        return space.parse_space(raw, params)
    except SpecError as error:
        raise _renamed(error) from None


def _free_param(name: str, raw: Any) -> Param:
    """The widest parameter the dimension ``raw`` can be checked against."""
    choices = raw if isinstance(raw, list) else None
    if isinstance(raw, dict):
        kind = raw.get("type")
        if kind is None and ("low" in raw or "high" in raw):
            ints = all(
                isinstance(raw.get(b), int) and not isinstance(raw.get(b), bool)
                for b in ("low", "high")
            )
            kind = "int" if ints else "float"
        if kind in ("int", "float"):
            return Param(kind, -_HUGE, _HUGE)
        choices = raw.get("choices") if kind == "categorical" else None
    if isinstance(choices, list):
        for value in choices:
            if not (value is None or isinstance(value, str | bool | int | float)) or (
                isinstance(value, float) and not math.isfinite(value)
            ):
                raise SpecError(
                    "choices must be strings, numbers, booleans or null",
                    field=f"param_space.{name}",
                )
        return Param("choice", choices=tuple(choices))
    return Param("choice")  # parse_dimension says what is wrong with it


def _renamed(error: SpecError) -> SpecError:
    """``error`` about ``space.*`` fields (the job spec's checks name ``param_space.*``)."""

    def rename(name: str) -> str:
        return "space" + name.removeprefix("param_space") if name.startswith("param_") else name

    errors = {rename(k): v for k, v in (error.errors or {}).items()}
    return SpecError(error.detail.replace("param_space", "space"), errors=errors or None)


def check_strategy(name: str, dims: list[Dimension], n_trials: int) -> int:
    """How many trials a study with strategy ``name`` over ``dims`` plans: ``n_trials``,
    or fewer when the space has fewer points (a grid, or random over a small discrete
    space); :class:`SpecError` naming ``strategy`` or ``space``."""
    if name not in STRATEGIES:
        raise SpecError(
            f"must be one of {', '.join(STRATEGIES)}; halving needs a budget the service "
            "controls (rows or iterations), which a client's objective does not give it",
            field="strategy",
        )
    if name == "grid":
        try:
            space.check_grid(dims)
        except SpecError as error:
            raise _renamed(error) from None
        size = space.grid_size(dims)
        if size is not None and size > space.MAX_ENUMERATED:
            raise SpecError(f"a grid may have at most {space.MAX_ENUMERATED} points", field="space")
    return min(n_trials, make_strategy(name, dims, n_trials, 0).total)


def score_of(direction: str, value: float | None) -> float | None:
    """What the strategies maximize, for a value the client reported."""
    if value is None:
        return None
    return -value if direction == MINIMIZE else value


def better(direction: str, value: float, than: float | None) -> bool:
    """Whether ``value`` beats the best so far (``than``; the first of equals wins)."""
    if than is None:
        return True
    return value < than if direction == MINIMIZE else value > than


class KnownTrial(Protocol):
    """What a planner reads of a trial handed out."""

    number: int
    params: dict[str, Any]
    state: str
    value: float | None
    intermediate: list[list[float]]


def not_told(recorded: set[int], trials: Iterable[Any]) -> set[int]:
    """The numbers of ``trials`` (anything with a ``number`` and a ``state``) recorded by
    now and not among ``recorded``: what a planner told ``recorded`` needs whole."""
    return {t.number for t in trials if t.state in FINAL_STATES and t.number not in recorded}


@dataclass
class Planner:
    """A study's strategy and what it was told (see the module's docstring)."""

    direction: str
    strategy: Strategy
    recorded: set[int] = field(default_factory=set)
    pending: set[int] = field(default_factory=set)
    reported: dict[int, set[int]] = field(default_factory=dict)  # intermediate steps told

    @classmethod
    def for_spec(cls, spec: dict[str, Any]) -> Planner:
        """A fresh planner for a study's stored ``spec``."""
        dims = parse_study_space(spec["space"])
        strategy = make_strategy(
            spec["strategy"], dims, spec["n_trials"], spec.get("random_state"), pruning=True
        )
        return cls(spec["direction"], strategy)

    def unknown(self, trials: Iterable[Any]) -> set[int]:
        """The numbers of ``trials`` (anything with a ``number`` and a ``state``) recorded
        by now that this planner was not told were: what :meth:`sync` needs whole besides
        those leased."""
        return not_told(self.recorded, trials)

    def sync(self, trials: Iterable[KnownTrial]) -> None:
        """Tell the strategy the trials it does not know yet (in number order): those
        recorded since, and those handed out (by another process) and not recorded."""
        for trial in sorted(trials, key=lambda t: t.number):
            if trial.number in self.recorded:
                continue
            candidate = Candidate(trial.params)
            final = trial.state in FINAL_STATES
            if trial.number not in self.pending and (not final or trial.intermediate):
                # Intermediate values go through a pending trial, which keeps their steps.
                self.strategy.pending(trial.number, candidate)
                self.pending.add(trial.number)
            if trial.number in self.pending:
                told = self.reported.setdefault(trial.number, set())
                for step, value in trial.intermediate:
                    if int(step) not in told:
                        self.tell_intermediate(trial.number, int(step), value)
            if final:
                score = score_of(self.direction, trial.value)
                self.strategy.record(trial.number, candidate, trial.state, score, [])
                self.recorded.add(trial.number)
                self.pending.discard(trial.number)
                self.reported.pop(trial.number, None)

    def tell_intermediate(self, number: int, step: int, value: float) -> bool:
        """Tell the pruner trial ``number``'s value at ``step`` (a trial handed out and
        known to this planner): whether to stop it now."""
        self.reported.setdefault(number, set()).add(step)
        score = score_of(self.direction, value)
        return bool(self.strategy.should_prune(number, step, score))

    def propose(self, next_number: int, count: int) -> tuple[list[tuple[int, dict]], bool]:
        """Up to ``count`` new trials numbered from ``next_number`` (every number below is
        taken), and whether the strategy has no candidate left."""
        plan = plan_next(self.strategy, taken=range(next_number), in_flight=0, max_parallel=count)
        out = [(number, candidate.params) for number, candidate in plan.start]
        self.pending.update(number for number, _ in out)
        return out, plan.exhausted
