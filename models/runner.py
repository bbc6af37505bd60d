"""Run one claimed job: load the table, search trial by trial, refit the best, store it.

The loop belongs here, not to a strategy: it asks the strategy for each candidate,
evaluates it in a child process (so a cancel or the deadline can stop it mid-fit),
writes the trial at once, and stops when the job is cancelled, its lease is lost, the
worker shuts down, or the time budget is spent.
"""

from __future__ import annotations

import logging
import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import get_scorer
from sklearn.pipeline import Pipeline
from sqlalchemy.orm import Session, sessionmaker

from models import jobs
from models.artifacts import model_key, save_model
from models.catalog import CATALOG, CLASSIFICATION
from models.evaluate import MODEL_STEP, TrialOutcome, evaluate, with_params
from models.isolation import Stopped, TrialCrashed, run_isolated
from models.jobs import Lease
from models.preprocess import ColumnTreatment, build_preprocessor, plan_columns
from models.records import Dataset, Job, JobStatus, Trial, TrialState
from models.space import parse_space
from models.spec import SearchSpec, halving_plan
from models.splits import Split, cv_splits, hold_out, subsample
from models.storage import Storage
from models.strategies import Candidate, Strategy, make_strategy
from models.tables import read_table

log = logging.getLogger(__name__)

TREE_BASED = {"decision_tree", "random_forest", "extra_trees", "hist_gradient_boosting"}


class StopFlag:
    """Why the run must stop: ``cancelled`` (lease gone) or ``shutdown`` (worker exits)."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason: str | None = None

    def set(self, reason: str) -> None:
        if not self._event.is_set():
            self.reason = reason
            self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float) -> bool:
        return self._event.wait(timeout)


@dataclass
class Problem:
    """The table and everything derived from it that every trial shares."""

    X_train: pd.DataFrame
    y_train: pd.Series
    X_test: pd.DataFrame | None
    y_test: pd.Series | None
    splits: list[Split]
    template: Pipeline
    columns: list[dict[str, Any]]
    dropped_target_rows: int


def load_problem(
    spec: SearchSpec, dataset: Dataset, storage: Storage, max_rows: int, max_columns: int
) -> Problem:
    """Read the dataset, split off the test rows, and build the template pipeline."""
    df = read_table(
        storage.local_path(dataset.storage_key), max_rows=max_rows, max_columns=max_columns
    )
    missing = df[spec.target].isna()
    df = df.loc[~missing].reset_index(drop=True)
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
    splits = cv_splits(spec, X_train, y_train, train_groups)
    profiles = {c["name"]: c for c in dataset.columns}
    plan = plan_columns(
        [profiles[str(c)] for c in X.columns], len(X), tree_based=spec.estimator in TREE_BASED
    )
    estimator = CATALOG[spec.estimator].build(spec.task, spec.random_state)
    template = Pipeline([("preprocess", build_preprocessor(plan)), (MODEL_STEP, estimator)])
    plan += [
        ColumnTreatment(name, "dropped", "excluded by the spec") for name in spec.exclude_columns
    ]
    return Problem(
        X_train,
        y_train,
        X.iloc[test] if test is not None else None,
        y.iloc[test] if test is not None else None,
        splits,
        template,
        [t.to_dict() for t in plan],
        int(missing.sum()),
    )


def best_trial(trials: list[Trial]) -> Trial | None:
    """The first trial with the highest finite mean score (GridSearchCV's tie-break).

    For successive halving only the last rung reached counts, as in scikit-learn: a
    candidate that shone on a few rows but was never tried on more does not win.
    """
    scored = [
        t
        for t in trials
        if t.state == TrialState.SUCCEEDED
        and t.mean_score is not None
        and np.isfinite(t.mean_score)
    ]
    if not scored:
        return None
    top_rung = max((t.rung or 0) for t in scored)
    best = None
    for trial in scored:
        if (trial.rung or 0) == top_rung and (best is None or trial.mean_score > best.mean_score):
            best = trial
    return best


def _as_trial(number: int, outcome: TrialOutcome, candidate: Candidate) -> Trial:
    return Trial(
        number=number,
        params=outcome.params,
        state=outcome.state,
        mean_score=outcome.mean_score,
        error=outcome.error,
        rung=candidate.rung,
        resource=candidate.resource,
        metrics=outcome.metrics,
    )


class JobRun:
    """One attempt at one job, holding its lease."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        storage: Storage,
        lease: Lease,
        stop: StopFlag,
        *,
        max_rows: int,
        max_columns: int,
    ) -> None:
        self.sessions = sessions
        self.storage = storage
        self.lease = lease
        self.stop = stop
        self.max_rows = max_rows
        self.max_columns = max_columns

    def run(self) -> str:
        """Run to the end; return the job's status as this run leaves it."""
        with self.sessions() as session:
            job = session.get(Job, self.lease.job_id)
            dataset = session.get(Dataset, job.dataset_id)
            done = jobs.finished_trials(session, job.id)
        try:
            spec = SearchSpec.from_dict(job.spec)
            if dataset is None:
                return self._finish(JobStatus.FAILED, error="the dataset was deleted")
            problem = load_problem(spec, dataset, self.storage, self.max_rows, self.max_columns)
            return self._search(job, spec, problem, done)
        except Exception as exc:
            log.exception("job %s failed", self.lease.job_id)
            return self._finish(JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")

    def _finish(self, status: JobStatus, **values: Any) -> str:
        with self.sessions() as session:
            ok = jobs.finish_job(session, self.lease, status, **values)
        return status if ok else "lost"

    def _strategy(self, spec: SearchSpec, problem: Problem) -> Strategy:
        entry = CATALOG[spec.estimator]
        dims = parse_space(spec.param_space, entry.params[spec.task])
        plan = halving_plan(spec, len(problem.X_train)) if spec.halving else None
        return make_strategy(
            spec.strategy,
            dims,
            spec.n_trials,
            spec.random_state,
            pruning=spec.pruning,
            halving=plan,
        )

    def _evaluate(
        self,
        spec: SearchSpec,
        problem: Problem,
        strategy: Strategy,
        number: int,
        candidate: Candidate,
        deadline: float,
    ) -> TrialOutcome:
        params, splits = dict(candidate.params), problem.splits
        if candidate.resource is not None:
            if spec.halving.resource == "n_samples":
                fraction = candidate.resource / len(problem.X_train)
                labels = problem.y_train if spec.task == CLASSIFICATION else None
                splits = subsample(splits, fraction, spec.random_state, labels)
            else:
                params[spec.halving.resource] = candidate.resource
        scorers = {name: get_scorer(name) for name in spec.all_metrics}
        on_fold = (
            (lambda step, value: strategy.should_prune(number, step, value))
            if spec.pruning
            else None
        )

        def trial() -> TrialOutcome:
            return evaluate(
                problem.template,
                params,
                problem.X_train,
                problem.y_train,
                splits,
                scorers,
                spec.scoring,
                on_fold,
            )

        try:
            outcome = run_isolated(trial, lambda: self.stop.is_set() or time.time() >= deadline)
        except TrialCrashed as exc:
            outcome = TrialOutcome(params, TrialState.FAILED, error=str(exc))
        outcome.params = dict(candidate.params)
        return outcome

    def _search(self, job: Job, spec: SearchSpec, problem: Problem, done: list[Trial]) -> str:
        strategy = self._strategy(spec, problem)
        trials = {t.number: t for t in done}
        for trial in done:
            candidate = Candidate(trial.params, trial.rung, trial.resource)
            strategy.record(trial.number, candidate, trial.state, trial.mean_score, [])
        deadline = job.started_at.timestamp() + spec.timeout_s
        stopped_reason = None
        number = 0
        while True:
            if number in trials:
                number += 1
                continue
            if self.stop.is_set():
                break
            if time.time() >= deadline:
                stopped_reason = "timeout"
                break
            candidate = strategy.propose(number)
            if candidate is None:
                break
            try:
                outcome = self._evaluate(spec, problem, strategy, number, candidate, deadline)
            except Stopped:
                if not self.stop.is_set():
                    stopped_reason = "timeout"
                break
            trials[number] = _as_trial(number, outcome, candidate)
            best = best_trial([trials[n] for n in sorted(trials)])
            with self.sessions() as session:
                if not jobs.record_trial(
                    session,
                    self.lease,
                    number,
                    outcome,
                    best,
                    rung=candidate.rung,
                    resource=candidate.resource,
                ):
                    self.stop.set("cancelled")
                    break
            strategy.record(
                number, candidate, outcome.state, outcome.mean_score, outcome.intermediate
            )
            number += 1
        if self.stop.is_set():
            return self._stop()
        return self._conclude(spec, problem, [trials[n] for n in sorted(trials)], stopped_reason)

    def _stop(self) -> str:
        if self.stop.reason == "shutdown":
            with self.sessions() as session:
                jobs.release_job(session, self.lease)
            return JobStatus.QUEUED
        return JobStatus.CANCELLED

    def _conclude(
        self, spec: SearchSpec, problem: Problem, trials: list[Trial], stopped_reason: str | None
    ) -> str:
        best = best_trial(trials)
        counts = {"trials_total": len(trials)} if stopped_reason is None else {}
        if best is None:
            reasons = sorted({t.error for t in trials if t.error})
            detail = "; ".join(reasons[:5]) if reasons else "no trial ran before the deadline"
            return self._finish(
                JobStatus.FAILED,
                error=f"every trial failed: {detail}",
                stopped_reason=stopped_reason,
                **counts,
            )
        params = dict(best.params)
        if spec.halving and spec.halving.resource != "n_samples":
            params[spec.halving.resource] = spec.halving.max_resources

        def refit() -> tuple[Pipeline, dict[str, float]]:
            model = with_params(problem.template, params)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(problem.X_train, problem.y_train)
                if problem.X_test is None:
                    return model, {}
                return model, {
                    name: float(get_scorer(name)(model, problem.X_test, problem.y_test))
                    for name in spec.all_metrics
                }

        try:
            model, test_scores = run_isolated(refit, self.stop.is_set)
        except Stopped:
            return self._stop()
        except TrialCrashed as exc:
            return self._finish(
                JobStatus.FAILED,
                error=f"refitting the best candidate: {exc}",
                stopped_reason=stopped_reason,
                **counts,
            )
        key = model_key(self.lease.job_id)
        metadata = save_model(
            model, self.storage, key, features=list(problem.X_train.columns), target=spec.target
        )
        metrics = best.metrics or {}
        result = {
            "best_params": best.params,
            "best_score": best.mean_score,
            "best_trial": best.number,
            "scoring": spec.scoring,
            "test_score": test_scores.get(spec.scoring),
            "scores": {
                name: {"cv": m["mean"], "cv_std": m["std"], "test": test_scores.get(name)}
                for name, m in metrics.items()
            },
            "n_trials": len(trials),
            "n_failed_trials": sum(t.state == TrialState.FAILED for t in trials),
            "n_pruned_trials": sum(t.state == TrialState.PRUNED for t in trials),
            "n_train_rows": len(problem.X_train),
            "n_test_rows": 0 if problem.X_test is None else len(problem.X_test),
            "dropped_target_rows": problem.dropped_target_rows,
            "columns": problem.columns,
            "model": metadata,
        }
        status = self._finish(
            JobStatus.SUCCEEDED,
            result=result,
            model_key=key,
            stopped_reason=stopped_reason or "completed",
            **counts,
        )
        if status == "lost":
            self.storage.delete(key)
        return status
