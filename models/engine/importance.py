"""How much each parameter mattered to a search's score: Optuna's fANOVA over its trials.

fANOVA fits a random forest from the parameters to the score and splits the score's
variance between the parameters (Hutter et al., 2014); Optuna's evaluator normalises the
shares to sum to 1. The trials go into an in-memory study with the distributions of the
job's resolved space: log where the dimension is log, categorical for choices and for
grid dimensions. Categorical values are given to Optuna as their JSON text, so that
``null``, ``true`` and ``1`` stay three distinct choices.

Only parameters every scored trial has (a conditional one is missing where it does not
apply) and that take more than one value are weighed.

Bounded: at most :data:`MAX_TRIALS` trials are used, the best ones (the region a person
tuning further cares about), and the forest is smaller than Optuna's default (64 trees of
depth 64). Measured on 2 busy cores, 4 parameters: the default forest took 8 to 9 s for
500 trials and 130 s for 2,000; this one takes about 0.6 s for 500 and 2.5 s for 2,000,
with the same ranking (a parameter that decides the score gets over 99 %).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)

METHOD = "fanova"
MAX_TRIALS = 1000
MIN_TRIALS = 2
N_TREES = 16
MAX_DEPTH = 8


@dataclass(frozen=True)
class Importance:
    """Each weighed parameter's share of the score's variance, largest first, and why the
    list is empty when it is (``detail``)."""

    n_trials: int
    importances: list[dict[str, Any]] = field(default_factory=list)
    detail: str | None = None
    method: str = METHOD
    rung: int | None = None  # successive halving: the rung whose trials were weighed


def parameter_importance(
    space: dict[str, dict[str, Any]], trials: Iterable[tuple[dict[str, Any], float]]
) -> Importance:
    """fANOVA importances of the parameters of ``space`` (a resolved ``param_space``) over
    ``trials``: (params, score) pairs, greater scores better.

    >>> space = {"C": {"type": "float", "low": 0.01, "high": 100.0, "log": True}}
    >>> parameter_importance(space, [({"C": 0.1}, 0.5), ({"C": 10.0}, 0.9)]).importances
    [{'param': 'C', 'importance': 1.0}]
    """
    distributions = {name: _distribution(dim) for name, dim in space.items()}
    usable = _usable(distributions, trials)
    if len(usable) < MIN_TRIALS:
        return Importance(len(usable), detail=f"fewer than {MIN_TRIALS} trials with a score so far")
    weighed = _varying(distributions, usable)
    if not weighed:
        return Importance(len(usable), detail="no parameter took more than one value")
    if len({score for _, score in usable}) < 2:
        return Importance(len(usable), detail="every trial has the same score")
    optuna.logging.set_verbosity(optuna.logging.WARNING)  # not "a new study created"
    study = optuna.create_study(direction="maximize")
    for params, score in usable:
        study.add_trial(
            optuna.trial.create_trial(
                params={name: params[name] for name in weighed},
                distributions={name: distributions[name] for name in weighed},
                value=score,
            )
        )
    shares = optuna.importance.get_param_importances(
        study,
        evaluator=optuna.importance.FanovaImportanceEvaluator(
            n_trees=N_TREES, max_depth=MAX_DEPTH, seed=0
        ),
        params=weighed,
        normalize=True,
    )
    ranked = sorted(shares.items(), key=lambda item: (-item[1], item[0]))
    return Importance(
        len(usable), [{"param": name, "importance": float(share)} for name, share in ranked]
    )


def _distribution(dim: dict[str, Any]) -> BaseDistribution:
    if dim["type"] == "categorical":
        return CategoricalDistribution([_label(c) for c in dim["choices"]])
    if dim["type"] == "int":
        return IntDistribution(int(dim["low"]), int(dim["high"]), log=bool(dim.get("log")))
    return FloatDistribution(float(dim["low"]), float(dim["high"]), log=bool(dim.get("log")))


def _label(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _usable(
    distributions: dict[str, BaseDistribution], trials: Iterable[tuple[dict[str, Any], float]]
) -> list[tuple[dict[str, Any], float]]:
    """The best :data:`MAX_TRIALS` scored trials, each parameter as its distribution holds
    it; a value outside the space (a trial from before an edit) drops the trial."""
    out = []
    for params, score in trials:
        if score is None or not math.isfinite(score):
            continue
        internal = {}
        for name, value in params.items():
            if name not in distributions:
                continue
            held = _held(distributions[name], value)
            if held is None:
                break
            internal[name] = held
        else:
            out.append((internal, float(score)))
    out.sort(key=lambda pair: -pair[1])
    return out[:MAX_TRIALS]


def _held(distribution: BaseDistribution, value: Any) -> Any:
    """``value`` as ``distribution`` holds it, or ``None`` if it is not in it."""
    if isinstance(distribution, CategoricalDistribution):
        label = _label(value)
        return label if label in distribution.choices else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(distribution, IntDistribution) and not float(value).is_integer():
        return None
    if not distribution.low <= value <= distribution.high:
        return None
    return int(value) if isinstance(distribution, IntDistribution) else float(value)


def _varying(
    distributions: dict[str, BaseDistribution], usable: list[tuple[dict[str, Any], float]]
) -> list[str]:
    """The parameters every trial has and that take more than one value, by name."""
    names = [n for n in sorted(distributions) if all(n in params for params, _ in usable)]
    return [n for n in names if len({params[n] for params, _ in usable}) > 1]
