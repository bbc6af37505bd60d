"""One trial: clone the template, set the candidate's parameters, cross-validate, score.

This mirrors what ``GridSearchCV`` does for one candidate (clone, ``set_params``, fit on
each training fold, score on its test fold, average), so scores agree with it exactly.
Folds run one by one so that a cancel is noticed between them.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from models.records import TrialState

MODEL_STEP = "model"


class Stopped(Exception):
    """The trial was interrupted because the job must stop."""


@dataclass
class TrialOutcome:
    """What one evaluated candidate produced."""

    params: dict[str, Any]
    state: str
    fold_scores: list[float] = field(default_factory=list)
    mean_score: float | None = None
    std_score: float | None = None
    fit_time_s: float = 0.0
    score_time_s: float = 0.0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.state == TrialState.SUCCEEDED


def with_params(template: Pipeline, params: dict[str, Any]) -> Pipeline:
    """A fresh clone of ``template`` with the estimator's ``params`` set."""
    pipeline = clone(template)
    pipeline.set_params(**{f"{MODEL_STEP}__{k}": v for k, v in params.items()})
    return pipeline


def evaluate(
    template: Pipeline,
    params: dict[str, Any],
    X: pd.DataFrame,
    y: pd.Series,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    scorer: Callable[..., float],
    should_stop: Callable[[], bool] = lambda: False,
) -> TrialOutcome:
    """Cross-validate ``params`` on ``splits``; a failure becomes a failed outcome."""
    scores: list[float] = []
    fit_time = score_time = 0.0
    for train, test in splits:
        if should_stop():
            raise Stopped
        try:
            pipeline = with_params(template, params)
            started = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pipeline.fit(X.iloc[train], y.iloc[train])
                fitted = time.perf_counter()
                score = float(scorer(pipeline, X.iloc[test], y.iloc[test]))
            fit_time += fitted - started
            score_time += time.perf_counter() - fitted
        except Exception as exc:  # the estimator rejected the candidate: a failed trial
            return TrialOutcome(
                params,
                TrialState.FAILED,
                scores,
                fit_time_s=fit_time,
                score_time_s=score_time,
                error=f"{type(exc).__name__}: {exc}",
            )
        scores.append(score)
    array = np.asarray(scores)
    if not np.all(np.isfinite(array)):
        return TrialOutcome(
            params,
            TrialState.FAILED,
            scores,
            fit_time_s=fit_time,
            score_time_s=score_time,
            error="a fold's score is not finite",
        )
    mean = float(np.average(array))
    # The same formula as GridSearchCV's std_test_score.
    std = float(np.sqrt(np.average((array - mean) ** 2)))
    return TrialOutcome(params, TrialState.SUCCEEDED, scores, mean, std, fit_time, score_time)
