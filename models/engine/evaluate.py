"""One trial: clone the template, set the candidate's parameters, cross-validate, score.

This mirrors what ``GridSearchCV`` does for one candidate (clone, ``set_params``, fit on
each training fold, score on its test fold, average), so scores agree with it exactly.
Every requested metric is scored on every fold; ``refit`` names the one that ranks
candidates. ``on_fold`` lets a pruner stop a poor candidate after any fold.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from models.engine.states import TrialState

__all__ = [
    "MODEL_STEP",
    "PREPROCESS_STEP",
    "TrialOutcome",
    "TrialState",
    "evaluate",
    "summarise",
    "with_params",
]

MODEL_STEP = "model"
PREPROCESS_STEP = "preprocess"


Splits = Sequence[tuple[np.ndarray, np.ndarray]]


@dataclass
class TrialOutcome:
    """What one evaluated candidate produced."""

    params: dict[str, Any]
    state: str
    fold_scores: list[float | None] = field(default_factory=list)
    mean_score: float | None = None
    std_score: float | None = None
    fit_time_s: float = 0.0
    score_time_s: float = 0.0
    error: str | None = None
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    intermediate: list[float] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.state == TrialState.SUCCEEDED


def with_params(template: Pipeline, params: dict[str, Any]) -> Pipeline:
    """A fresh clone of ``template`` with the estimator's ``params`` set."""
    pipeline = clone(template)
    pipeline.set_params(**{f"{MODEL_STEP}__{k}": v for k, v in params.items()})
    return pipeline


def summarise(scores: list[float]) -> tuple[float, float]:
    """Mean and standard deviation, by the same formula as GridSearchCV's cv_results_."""
    array = np.asarray(scores, dtype=float)
    mean = float(np.average(array))
    return mean, float(np.sqrt(np.average((array - mean) ** 2)))


@dataclass(frozen=True)
class Fold:
    """One fold's rows, ready for ``fit`` and for the scorers: raw table rows for a whole
    pipeline, or rows already preprocessed for the estimator alone."""

    X_train: Any
    y_train: Any
    X_test: Any
    y_test: Any


def raw_folds(X: pd.DataFrame, y: pd.Series, splits: Splits) -> list[Fold]:
    """The folds of ``splits`` as rows of the table."""
    return [Fold(X.iloc[tr], y.iloc[tr], X.iloc[te], y.iloc[te]) for tr, te in splits]


def evaluate(
    build: Callable[[], Any],
    params: dict[str, Any],
    folds: Sequence[Fold],
    scorers: dict[str, Callable[..., float]],
    refit: str,
    on_fold: Callable[[int, float], bool] | None = None,
) -> TrialOutcome:
    """Cross-validate ``params``: ``build()`` makes a fresh, configured estimator for each
    fold (a candidate the estimator rejects is a failed outcome)."""
    folds_scores: dict[str, list[float]] = {name: [] for name in scorers}
    intermediate: list[float] = []
    fit_time = score_time = 0.0
    for step, fold in enumerate(folds):
        try:
            estimator = build()
            started = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                estimator.fit(fold.X_train, fold.y_train)
                fitted = time.perf_counter()
                for name, scorer in scorers.items():
                    folds_scores[name].append(float(scorer(estimator, fold.X_test, fold.y_test)))
            fit_time += fitted - started
            score_time += time.perf_counter() - fitted
        except MemoryError:  # the trial process reports it as its memory limit (isolation)
            raise
        except Exception as exc:  # the estimator rejected the candidate: a failed trial
            return TrialOutcome(
                params,
                TrialState.FAILED,
                folds_scores[refit],
                fit_time_s=fit_time,
                score_time_s=score_time,
                error=f"{type(exc).__name__}: {exc}",
            )
        intermediate.append(float(np.mean(folds_scores[refit])))
        if on_fold is not None and step < len(folds) - 1 and on_fold(step, intermediate[-1]):
            return TrialOutcome(
                params,
                TrialState.PRUNED,
                folds_scores[refit],
                fit_time_s=fit_time,
                score_time_s=score_time,
                intermediate=intermediate,
                error=f"pruned after fold {step + 1} of {len(folds)}",
            )
    if not all(np.all(np.isfinite(v)) for v in folds_scores.values()):
        return TrialOutcome(
            params,
            TrialState.FAILED,
            # JSON has no NaN: a fold whose score could not be computed is null
            [score if math.isfinite(score) else None for score in folds_scores[refit]],
            fit_time_s=fit_time,
            score_time_s=score_time,
            error="a fold's score is not finite (too few rows or classes in "
            "a fold for this metric?)",
        )
    metrics = {}
    for name, values in folds_scores.items():
        mean, std = summarise(values)
        metrics[name] = {"mean": mean, "std": std, "fold_scores": values}
    best = metrics[refit]
    return TrialOutcome(
        params,
        TrialState.SUCCEEDED,
        folds_scores[refit],
        best["mean"],
        best["std"],
        fit_time,
        score_time,
        metrics=metrics,
        intermediate=intermediate,
    )
