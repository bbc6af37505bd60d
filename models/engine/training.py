"""One job's training data and what is done with it: trials, the refit, the summary.

:func:`prepare` turns the uploaded table into what every trial shares (the training and
test rows, the folds, the template pipeline); :func:`evaluate_candidate` scores one
candidate in a killable trial process; :func:`refit` fits the winner on every training
row and scores it on the test rows; :func:`summarise` describes the outcome. None of it
knows where tables, trials or models are kept.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import get_scorer
from sklearn.pipeline import Pipeline
from sklearn.utils import resample

from models.engine.catalog import CATALOG, CLASSIFICATION
from models.engine.evaluate import (
    MODEL_STEP,
    PREPROCESS_STEP,
    Fold,
    TrialOutcome,
    TrialState,
    evaluate,
    raw_folds,
    with_params,
)
from models.engine.isolation import TrialCrashed, TrialProcess, ask
from models.engine.preprocess import ColumnTreatment, build_preprocessor, plan_columns
from models.engine.space import parse_space
from models.engine.spec import SearchSpec, halving_plan
from models.engine.splits import Split, cv_splits, hold_out, subsample
from models.engine.strategies import Candidate, Strategy, make_strategy
from models.engine.warm_start import seeded_strategy


@dataclass
class TrainingData:
    """The table and everything derived from it that every trial shares."""

    X_train: pd.DataFrame
    y_train: pd.Series
    X_test: pd.DataFrame | None
    y_test: pd.Series | None
    splits: list[Split]
    template: Pipeline
    columns: list[ColumnTreatment]
    dropped_target_rows: int
    # Each fold's rows, preprocessed once: by (rows, halving resource or None).
    _folds: dict[Any, list[Fold]] = field(default_factory=dict, repr=False)
    # Names this object for the trial process, which keeps a copy (see isolation).
    key: str = field(default_factory=lambda: uuid.uuid4().hex, repr=False, compare=False)

    def preprocessed_folds(self, splits: list[Split], key: Any) -> list[Fold]:
        """``splits``' folds with the preprocessing step fitted on each training part and
        applied to both parts, computed once per key and reused by every candidate.

        Imputation, encoding and scaling do not depend on the candidate, so this gives
        the same rows the whole pipeline would give its estimator (the scores are the
        same; a test checks it), while plain scikit-learn refits them for every candidate
        and fold.
        """
        if key not in self._folds:
            folds = []
            for train, test in splits:
                step = clone(self.template.named_steps[PREPROCESS_STEP])
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    X_train = step.fit_transform(self.X_train.iloc[train], self.y_train.iloc[train])
                    X_test = step.transform(self.X_train.iloc[test])
                folds.append(
                    Fold(X_train, self.y_train.iloc[train], X_test, self.y_train.iloc[test])
                )
            self._folds[key] = folds
        return self._folds[key]


def prepare(spec: SearchSpec, table: pd.DataFrame, profiles: list[dict[str, Any]]) -> TrainingData:
    """Split ``table`` into training and test rows and build the template pipeline.

    ``profiles`` are the dataset's column profiles (see
    :func:`models.engine.tables.profile_columns`): they decide each column's treatment.
    """
    missing = table[spec.target].isna()
    df = table.loc[~missing].reset_index(drop=True)
    groups = df[spec.cv.group_column] if spec.cv.group_column else None
    # The group column says which rows belong together; it is not a feature.
    dropped = [spec.target, *spec.exclude_columns]
    if spec.cv.group_column and spec.cv.group_column not in dropped:
        dropped.append(spec.cv.group_column)
    X = df.drop(columns=dropped)
    y = df[spec.target]
    train, test = hold_out(spec, X, y, groups)
    X_train, y_train = X.iloc[train], y.iloc[train]
    train_groups = groups.iloc[train] if groups is not None else None
    by_name = {c["name"]: c for c in profiles}
    entry = CATALOG[spec.estimator]
    plan = plan_columns([by_name[str(c)] for c in X.columns], len(X), tree_based=entry.tree_based)
    template = Pipeline(
        [
            (PREPROCESS_STEP, build_preprocessor(plan)),
            (MODEL_STEP, entry.build(spec.task, spec.random_state)),
        ]
    )
    plan += [
        ColumnTreatment(name, "dropped", "excluded by the spec") for name in spec.exclude_columns
    ]
    return TrainingData(
        X_train,
        y_train,
        X.iloc[test] if test is not None else None,
        y.iloc[test] if test is not None else None,
        cv_splits(spec, X_train, y_train, train_groups),
        template,
        plan,
        int(missing.sum()),
    )


def make_search_strategy(
    spec: SearchSpec, data: TrainingData, inherited: Sequence[dict[str, Any]] = ()
) -> Strategy:
    """The spec's strategy; halving plans its rungs here, once, on the real training rows.
    A warm-started job's first trials are ``inherited`` (their parameters, in number
    order): its strategy proposes new ones after them (:mod:`models.engine.warm_start`)."""
    entry = CATALOG[spec.estimator]
    dims = parse_space(spec.param_space, entry.params[spec.task])
    if inherited:
        return seeded_strategy(
            spec.strategy, dims, spec.n_trials, spec.random_state, inherited, pruning=spec.pruning
        )
    plan = halving_plan(spec, len(data.X_train)) if spec.halving else None
    return make_strategy(
        spec.strategy, dims, spec.n_trials, spec.random_state, pruning=spec.pruning, halving=plan
    )


def evaluate_candidate(
    spec: SearchSpec,
    data: TrainingData,
    strategy: Strategy | None,
    number: int,
    candidate: Candidate,
    should_stop: Callable[[], bool],
    process: TrialProcess,
    *,
    cache: bool = True,
) -> TrialOutcome:
    """Cross-validate ``candidate`` in ``process``, which ``should_stop`` can kill.

    With ``cache`` the folds' preprocessing is fitted once per job (in the trial process,
    which keeps it for the job's next trials) and each trial fits the estimator alone.
    With pruning, ``strategy`` (here, in the calling process) decides after each fold.
    Raises :class:`~models.engine.isolation.Stopped` when stopped; a process that crashed
    (out of memory, a segfault in native code) is a failed trial, not a failed job.
    """
    on_ask = strategy.should_prune if spec.pruning and strategy is not None else None
    try:
        outcome = process.call(
            _evaluate_here,
            spec,
            number,
            candidate,
            cache,
            context=(data.key, data),
            should_stop=should_stop,
            on_ask=on_ask,
        )
    except TrialCrashed as exc:
        outcome = TrialOutcome(dict(candidate.params), TrialState.FAILED, error=str(exc))
    outcome.params = dict(candidate.params)
    return outcome


def _evaluate_here(
    data: TrainingData, spec: SearchSpec, number: int, candidate: Candidate, cache: bool
) -> TrialOutcome:
    """In the trial process: :func:`evaluate` ``candidate`` on the job's folds."""
    params, splits, key = dict(candidate.params), data.splits, None
    if candidate.resource is not None:
        if spec.halving.resource == "n_samples":
            fraction = candidate.resource / len(data.X_train)
            labels = data.y_train if spec.task == CLASSIFICATION else None
            splits = subsample(splits, fraction, spec.random_state, labels)
            key = candidate.resource
        else:
            params[spec.halving.resource] = candidate.resource
    scorers = {name: get_scorer(name) for name in spec.all_metrics}

    def on_fold(step: int, value: float) -> bool:
        return bool(ask(number, step, value))

    folds = None
    started = time.perf_counter()
    if cache:
        try:
            folds = data.preprocessed_folds(splits, key)
        except MemoryError:  # as in evaluate: the trial process reports its memory limit
            raise
        except Exception:  # let the trial itself fail with the pipeline's own error
            folds = None
    # Fitting the folds' preprocessing (the first trial that needs it) is this trial's fit.
    preprocessing = time.perf_counter() - started
    if folds is not None:
        model = data.template.named_steps[MODEL_STEP]

        def build() -> Any:
            return clone(model).set_params(**params)

    else:
        folds = raw_folds(data.X_train, data.y_train, splits)

        def build() -> Any:
            return with_params(data.template, params)

    outcome = evaluate(
        build, params, folds, scorers, spec.scoring, on_fold if spec.pruning else None
    )
    outcome.fit_time_s += preprocessing
    return outcome


def final_params(spec: SearchSpec, params: dict[str, Any]) -> dict[str, Any]:
    """The winner's parameters for the refit: a halving budget parameter gets its full budget."""
    params = dict(params)
    if spec.halving and spec.halving.resource != "n_samples":
        params[spec.halving.resource] = spec.halving.max_resources
    return params


def refit(
    spec: SearchSpec,
    data: TrainingData,
    params: dict[str, Any],
    should_stop: Callable[[], bool],
    process: TrialProcess,
) -> tuple[Pipeline, dict[str, float]]:
    """Fit ``params`` on every training row (in ``process``); score the test rows.

    Raises :class:`~models.engine.isolation.Stopped` or
    :class:`~models.engine.isolation.TrialCrashed` as :func:`evaluate_candidate` does.
    """
    return process.call(
        _refit_here, spec, params, context=(data.key, data), should_stop=should_stop
    )


def _refit_here(
    data: TrainingData, spec: SearchSpec, params: dict[str, Any]
) -> tuple[Pipeline, dict[str, float]]:
    return _fit_and_score(data, spec, final_params(spec, params), data.X_train, data.y_train)


def _fit_and_score(
    data: TrainingData, spec: SearchSpec, params: dict[str, Any], X: pd.DataFrame, y: pd.Series
) -> tuple[Pipeline, dict[str, float]]:
    model = with_params(data.template, params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
        if data.X_test is None:
            return model, {}
        return model, {
            name: float(get_scorer(name)(model, data.X_test, data.y_test))
            for name in spec.all_metrics
        }


@dataclass(frozen=True)
class Fallback:
    """The model a job fell back on: what was fitted, on how many rows, and why."""

    reason: str
    params: dict[str, Any]
    n_rows: int


def fallback_params(spec: SearchSpec) -> dict[str, Any]:
    """The estimator's cheap configuration (those of its parameters the task has)."""
    entry = CATALOG[spec.estimator]
    return {k: v for k, v in entry.cheap.items() if k in entry.params[spec.task]}


def fit_fallback(
    spec: SearchSpec,
    data: TrainingData,
    reason: str,
    should_stop: Callable[[], bool],
    process: TrialProcess,
) -> tuple[Pipeline, dict[str, float], Fallback]:
    """Fit the estimator's cheap configuration on at most its ``cheap_rows`` training rows
    (a subsample drawn with the job's ``random_state``, stratified for classification);
    score the test rows. With both it takes seconds on any table the service accepts, so
    a job whose deadline came before any trial finished still ends with a model soon
    after it. Deterministic: a resumed job fits the same model.

    Raises as :func:`refit` does.
    """
    params = fallback_params(spec)
    model, scores, n_rows = process.call(
        _fallback_here, spec, params, context=(data.key, data), should_stop=should_stop
    )
    return model, scores, Fallback(reason, params, n_rows)


def _fallback_here(
    data: TrainingData, spec: SearchSpec, params: dict[str, Any]
) -> tuple[Pipeline, dict[str, float], int]:
    X, y, most = data.X_train, data.y_train, CATALOG[spec.estimator].cheap_rows
    if len(X) > most:
        positions = np.arange(len(X))
        stratify = y.to_numpy() if spec.task == CLASSIFICATION else None
        try:
            rows = resample(
                positions,
                replace=False,
                n_samples=most,
                random_state=spec.random_state,
                stratify=stratify,
            )
        except ValueError:  # a class too small to stratify on
            rows = resample(
                positions, replace=False, n_samples=most, random_state=spec.random_state
            )
        X, y = X.iloc[np.sort(rows)], y.iloc[np.sort(rows)]
    model, scores = _fit_and_score(data, spec, params, X, y)
    return model, scores, len(X)


@dataclass(frozen=True)
class SearchSummary:
    """A finished search: the best trial, its scores, and what was trained on.

    Stored with the job and served as its result (``ResultSchema`` describes it).
    """

    best_params: dict[str, Any]
    best_score: float | None  # None: a fallback, no trial won
    best_trial: int | None
    scoring: str
    test_score: float | None
    scores: dict[str, dict[str, float | None]]
    n_trials: int
    n_failed_trials: int
    n_pruned_trials: int
    n_train_rows: int
    n_test_rows: int
    dropped_target_rows: int
    columns: list[dict[str, Any]]
    model: dict[str, Any]
    fallback: dict[str, Any] | None = None


def summarise(
    spec: SearchSpec,
    data: TrainingData,
    trials: Sequence[Any],
    best: Any,
    test_scores: dict[str, float],
    model: dict[str, Any],
    fallback: Fallback | None = None,
) -> SearchSummary:
    """The result of a search whose best trial is ``best`` and whose model is ``model``;
    or, with no best, one that fell back on ``fallback``: it has no cross-validated
    score then, only the held-out ones."""
    if best is None:
        assert fallback is not None
        best_params, best_score, best_number = fallback.params, None, None
        cv = {name: {"mean": None, "std": None} for name in spec.all_metrics}
    else:
        best_params, best_score, best_number = best.params, best.mean_score, best.number
        cv = best.metrics or {}
    return SearchSummary(
        best_params=best_params,
        best_score=best_score,
        best_trial=best_number,
        scoring=spec.scoring,
        test_score=test_scores.get(spec.scoring),
        scores={
            name: {"cv": m["mean"], "cv_std": m["std"], "test": test_scores.get(name)}
            for name, m in cv.items()
        },
        n_trials=len(trials),
        n_failed_trials=sum(t.state == TrialState.FAILED for t in trials),
        n_pruned_trials=sum(t.state == TrialState.PRUNED for t in trials),
        n_train_rows=len(data.X_train),
        n_test_rows=0 if data.X_test is None else len(data.X_test),
        dropped_target_rows=data.dropped_target_rows,
        columns=[c.to_dict() for c in data.columns],
        model=model,
        fallback=None if fallback is None else dataclasses.asdict(fallback),
    )
