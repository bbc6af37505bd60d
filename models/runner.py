"""Run one claimed job: load the table, search trial by trial, refit the best, store it.

The loop belongs here, not to a strategy: it asks the strategy for each candidate,
evaluates it, writes the trial at once, and checks between folds whether it must stop
(cancelled, lease lost, worker shutting down) and whether the time budget is spent.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import get_scorer
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sqlalchemy.orm import Session, sessionmaker

from models import jobs
from models.artifacts import model_key, save_model
from models.catalog import CATALOG, CLASSIFICATION
from models.evaluate import MODEL_STEP, Stopped, TrialOutcome, evaluate, with_params
from models.jobs import Lease
from models.preprocess import build_preprocessor, plan_columns
from models.records import Dataset, Job, JobStatus, Trial, TrialState
from models.space import parse_space
from models.spec import SearchSpec
from models.storage import Storage
from models.strategies import make_strategy
from models.tables import read_table

log = logging.getLogger(__name__)


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
    splits: list[tuple[np.ndarray, np.ndarray]]
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
    X = df.drop(columns=[spec.target])
    y = df[spec.target]
    X_test = y_test = None
    if spec.test_size > 0:
        stratify = y if spec.task == CLASSIFICATION else None
        X, X_test, y, y_test = train_test_split(
            X, y, test_size=spec.test_size, random_state=spec.random_state, stratify=stratify
        )
    cv_class = StratifiedKFold if spec.cv.kind == "stratified" else KFold
    cv = cv_class(
        n_splits=spec.cv.folds,
        shuffle=spec.cv.shuffle,
        random_state=spec.cv.random_state if spec.cv.shuffle else None,
    )
    splits = list(cv.split(X, y))
    profiles = {c["name"]: c for c in dataset.columns}
    plan = plan_columns([profiles[str(c)] for c in X.columns], len(X))
    estimator = CATALOG[spec.estimator].build(spec.task, spec.random_state)
    template = Pipeline([("preprocess", build_preprocessor(plan)), (MODEL_STEP, estimator)])
    return Problem(
        X, y, X_test, y_test, splits, template, [t.to_dict() for t in plan], int(missing.sum())
    )


def _best(trials: list[Trial]) -> Trial | None:
    """The first trial with the highest finite mean score (GridSearchCV's tie-break)."""
    best = None
    for trial in trials:
        if trial.state != TrialState.SUCCEEDED or trial.mean_score is None:
            continue
        if not np.isfinite(trial.mean_score):
            continue
        if best is None or trial.mean_score > best.mean_score:
            best = trial
    return best


def _as_trial(number: int, outcome: TrialOutcome) -> Trial:
    return Trial(
        number=number,
        params=outcome.params,
        state=outcome.state,
        mean_score=outcome.mean_score,
        error=outcome.error,
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

    def _search(self, job: Job, spec: SearchSpec, problem: Problem, done: list[Trial]) -> str:
        entry = CATALOG[spec.estimator]
        dims = parse_space(spec.param_space, entry.params[spec.task])
        strategy = make_strategy(spec.strategy, dims, spec.n_trials, spec.random_state)
        scorer = get_scorer(spec.scoring)
        trials = {t.number: t for t in done}
        for trial in done:
            strategy.record(trial.number, trial.params, trial.mean_score)
        deadline = job.started_at.timestamp() + spec.timeout_s
        stopped_reason = None
        for number in range(strategy.total):
            if number in trials:
                continue
            if self.stop.is_set():
                break
            if time.time() >= deadline:
                stopped_reason = "timeout"
                break
            params = strategy.propose(number)
            if params is None:
                break
            try:
                outcome = evaluate(
                    problem.template,
                    params,
                    problem.X_train,
                    problem.y_train,
                    problem.splits,
                    scorer,
                    self._must_stop(deadline),
                )
            except Stopped:
                if self.stop.is_set():
                    break
                stopped_reason = "timeout"
                break
            trials[number] = _as_trial(number, outcome)
            best = _best([trials[n] for n in sorted(trials)])
            with self.sessions() as session:
                if not jobs.record_trial(session, self.lease, number, outcome, best):
                    self.stop.set("cancelled")
                    break
            strategy.record(number, params, outcome.mean_score)
        if self.stop.is_set():
            return self._stop()
        return self._conclude(spec, problem, [trials[n] for n in sorted(trials)], stopped_reason)

    def _must_stop(self, deadline: float):
        def check() -> bool:
            return self.stop.is_set() or time.time() >= deadline

        return check

    def _stop(self) -> str:
        if self.stop.reason == "shutdown":
            with self.sessions() as session:
                jobs.release_job(session, self.lease)
            return JobStatus.QUEUED
        return JobStatus.CANCELLED

    def _conclude(
        self, spec: SearchSpec, problem: Problem, trials: list[Trial], stopped_reason: str | None
    ) -> str:
        best = _best(trials)
        if best is None:
            reasons = sorted({t.error for t in trials if t.error})
            detail = "; ".join(reasons[:5]) if reasons else "no trial ran before the deadline"
            return self._finish(
                JobStatus.FAILED,
                error=f"every trial failed: {detail}",
                stopped_reason=stopped_reason,
            )
        model = with_params(problem.template, best.params)
        model.fit(problem.X_train, problem.y_train)
        test_score = None
        if problem.X_test is not None:
            test_score = float(get_scorer(spec.scoring)(model, problem.X_test, problem.y_test))
        key = model_key(self.lease.job_id)
        metadata = save_model(
            model, self.storage, key, features=list(problem.X_train.columns), target=spec.target
        )
        result = {
            "best_params": best.params,
            "best_score": best.mean_score,
            "best_trial": best.number,
            "scoring": spec.scoring,
            "test_score": test_score,
            "n_trials": len(trials),
            "n_failed_trials": sum(t.state == TrialState.FAILED for t in trials),
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
        )
        if status == "lost":
            self.storage.delete(key)
        return status
