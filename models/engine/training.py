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

from models.engine import auto
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
from models.engine.spec import CHEAP_FIRST_STRATEGIES, SearchSpec, halving_plan
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
    # An auto job's pipeline per family (its preprocessing and estimator), for every
    # family of the task; ``template`` is then the catalog's first.
    templates: dict[str, Pipeline] = field(default_factory=dict)
    # ... and each family's column treatments (``columns`` is the first family's).
    family_columns: dict[str, list[ColumnTreatment]] = field(default_factory=dict)
    # Each fold's rows, preprocessed once: by (rows, halving resource or None).
    _folds: dict[Any, list[Fold]] = field(default_factory=dict, repr=False)
    # Names this object for the trial process, which keeps a copy (see isolation).
    key: str = field(default_factory=lambda: uuid.uuid4().hex, repr=False, compare=False)

    def pipeline_for(self, params: dict[str, Any]) -> tuple[Pipeline, dict[str, Any]]:
        """The template a candidate fits and the estimator parameters it sets: an auto
        job's candidate names its family and its parameters are that family's."""
        if not self.templates:
            return self.template, params
        family, own = auto.split(params)
        return self.templates[family], own

    def preprocessed_folds(
        self, splits: list[Split], key: Any, template: Pipeline | None = None
    ) -> list[Fold]:
        """``splits``' folds with the preprocessing step fitted on each training part and
        applied to both parts, computed once per key and reused by every candidate.

        Imputation, encoding and scaling do not depend on the candidate, so this gives
        the same rows the whole pipeline would give its estimator (the scores are the
        same; a test checks it), while plain scikit-learn refits them for every candidate
        and fold.
        """
        template = template or self.template
        # An auto job's families preprocess in two ways (trees or not): a set of folds each.
        key = (key, id(template.named_steps[PREPROCESS_STEP])) if self.templates else key
        if key not in self._folds:
            folds = []
            for train, test in splits:
                step = clone(template.named_steps[PREPROCESS_STEP])
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
    features = [by_name[str(c)] for c in X.columns]
    templates, plans = {}, {}
    for name in _families(spec):
        entry = CATALOG[name]
        if entry.tree_based not in plans:
            plan = plan_columns(features, len(X), tree_based=entry.tree_based)
            plans[entry.tree_based] = (plan, build_preprocessor(plan))
        plan, preprocessor = plans[entry.tree_based]
        # Families that preprocess alike share one step: their folds are computed once.
        templates[name] = Pipeline(
            [
                (PREPROCESS_STEP, preprocessor),
                (MODEL_STEP, entry.build(spec.task, spec.random_state)),
            ]
        )
    excluded = [
        ColumnTreatment(name, "dropped", "excluded by the spec") for name in spec.exclude_columns
    ]
    columns = {name: [*plans[CATALOG[name].tree_based][0], *excluded] for name in templates}
    template, plan = next(iter(templates.values())), next(iter(columns.values()))
    return TrainingData(
        X_train,
        y_train,
        X.iloc[test] if test is not None else None,
        y.iloc[test] if test is not None else None,
        cv_splits(spec, X_train, y_train, train_groups),
        template,
        plan,
        int(missing.sum()),
        templates if auto.is_auto(spec.estimator) else {},
        columns if auto.is_auto(spec.estimator) else {},
    )


def _families(spec: SearchSpec) -> list[str]:
    """The estimators a job's trials may fit: its own, or for an auto job every one for
    its task. Not only those its space lists: jobs differing only in their spaces share
    one training data (see models/worker_cache.py), and an unfitted pipeline costs nothing."""
    if not auto.is_auto(spec.estimator):
        return [spec.estimator]
    return [name for name, entry in CATALOG.items() if spec.task in entry.classes]


def space_dims(spec: SearchSpec) -> list[Any]:
    """The dimensions of ``spec``'s space, checked against its estimator (or families)."""
    return parse_space(
        spec.param_space, auto.params_of(spec.estimator, spec.task, spec.param_space)
    )


def make_search_strategy(
    spec: SearchSpec, data: TrainingData, inherited: Sequence[dict[str, Any]] = ()
) -> Strategy:
    """The spec's strategy; halving plans its rungs here, once, on the real training rows.
    A warm-started job's first trials are ``inherited`` (their parameters, in number
    order): its strategy proposes new ones after them (:mod:`models.engine.warm_start`)."""
    dims = space_dims(spec)
    if inherited:
        return seeded_strategy(
            spec.strategy, dims, spec.n_trials, spec.random_state, inherited, pruning=spec.pruning
        )
    plan = halving_plan(spec, len(data.X_train)) if spec.halving else None
    # An auto job starts with each family's defaults, cheap and strong first; a grid's
    # own order already goes family by family.
    first = (
        auto.first_points(dims, spec.task)
        if auto.is_auto(spec.estimator) and spec.strategy != "grid"
        else []
    )
    if spec.cheap_first and spec.strategy in CHEAP_FIRST_STRATEGIES:
        cheap = cheap_point(spec, dims)
        first = [cheap, *(p for p in first if p != cheap)]
    return make_strategy(
        spec.strategy,
        dims,
        spec.n_trials,
        spec.random_state,
        pruning=spec.pruning,
        halving=plan,
        first=first,
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
    template, params = data.pipeline_for(dict(candidate.params))
    splits, key = data.splits, None
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
            folds = data.preprocessed_folds(splits, key, template)
        except MemoryError:  # as in evaluate: the trial process reports its memory limit
            raise
        except Exception:  # let the trial itself fail with the pipeline's own error
            folds = None
    # Fitting the folds' preprocessing (the first trial that needs it) is this trial's fit.
    preprocessing = time.perf_counter() - started
    if folds is not None:
        model = template.named_steps[MODEL_STEP]

        def build() -> Any:
            return clone(model).set_params(**params)

    else:
        folds = raw_folds(data.X_train, data.y_train, splits)

        def build() -> Any:
            return with_params(template, params)

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
    template, params = data.pipeline_for(params)
    model = with_params(template, params)
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


def cheap_point(spec: SearchSpec, dims: list[Any]) -> dict[str, Any]:
    """The first trial of a job that starts cheap (``cheap_first``): :func:`cheap_config`
    brought into the job's space, its other parameters at their defaults; a space whose
    range excludes the cheap value gets its nearest bound (a forest of at least 50 trees:
    50)."""
    family, own = cheap_config(spec)
    return auto.near_point(dims, spec.task, family, own)


def fallback_params(spec: SearchSpec) -> dict[str, Any]:
    """What the conclude-time fallback fits: :func:`cheap_config` as it is (the space's
    bounds do not bind a model fitted outside the search), named as the job's trials are
    (an auto job's with its family and qualified names)."""
    family, own = cheap_config(spec)
    if auto.is_auto(spec.estimator):
        return {auto.FAMILY: family} | {auto.qualified(family, k): v for k, v in own.items()}
    return own


def cheap_config(spec: SearchSpec) -> tuple[str, dict[str, Any]]:
    """The job's family (an auto job's first: the cheap and strong one it tries first) and
    that family's cheap configuration, those of its parameters the task has."""
    family = (
        spec.param_space[auto.FAMILY]["choices"][0]
        if auto.is_auto(spec.estimator)
        else spec.estimator
    )
    entry = CATALOG[family]
    return family, {k: v for k, v in entry.cheap.items() if k in entry.params[spec.task]}


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
    family = auto.split(params)[0] if data.templates else spec.estimator
    X, y, most = data.X_train, data.y_train, CATALOG[family].cheap_rows
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
    # The estimator the model is (an auto job's chosen family), and for an auto job how
    # each family it tried did.
    estimator: str | None = None
    families: list[dict[str, Any]] | None = None
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
    chosen = auto.split(best_params)[0] if data.templates else spec.estimator
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
        columns=[c.to_dict() for c in data.family_columns.get(chosen, data.columns)],
        model=model,
        estimator=chosen,
        families=(
            family_results(spec.param_space[auto.FAMILY]["choices"], trials)
            if data.templates
            else None
        ),
        fallback=None if fallback is None else dataclasses.asdict(fallback),
    )


def family_results(names: Sequence[str], trials: Sequence[Any]) -> list[dict[str, Any]]:
    """How each family of an auto job did, in the order tried: its trials, its best
    succeeded trial (number, score, the family's own parameters) and its mean fit time."""
    out = []
    for name in names:
        mine = [t for t in trials if t.params.get(auto.FAMILY) == name]
        scored = [t for t in mine if t.state == TrialState.SUCCEEDED and t.mean_score is not None]
        best = max(scored, key=lambda t: (t.mean_score, -t.number), default=None)
        out.append(
            {
                "estimator": name,
                "n_trials": len(mine),
                "n_failed_trials": sum(t.state == TrialState.FAILED for t in mine),
                "best_trial": None if best is None else best.number,
                "best_score": None if best is None else best.mean_score,
                "best_params": None if best is None else auto.split(best.params)[1],
                "mean_fit_time_s": (sum(t.fit_time_s for t in mine) / len(mine) if mine else None),
            }
        )
    return out
