"""One attempt at one job, holding its lease: the engine's search bound to the store.

The engine's loop (:func:`models.engine.search.search`) decides what runs; this module
says what its effects mean here: a trial is recorded in the database only while the
lease is held, the run stops when the job is cancelled or the worker shuts down, and the
best candidate's refitted pipeline is saved to storage with the job's result.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import threading
import time

from sqlalchemy.orm import Session, sessionmaker

from models.engine.evaluate import TrialOutcome
from models.engine.isolation import Stopped, TrialCrashed
from models.engine.search import SearchEnd, best_trial, replay, search
from models.engine.spec import SearchSpec
from models.engine.strategies import Candidate
from models.engine.tables import read_table
from models.engine.training import (
    TrainingData,
    evaluate_candidate,
    make_search_strategy,
    prepare,
    refit,
    summarise,
)
from models.settings import Settings
from models.store import jobs
from models.store.artifacts import model_key, save_model
from models.store.jobs import Lease
from models.store.records import Dataset, Job, JobStatus, StoppedReason, Trial
from models.store.storage import Storage

log = logging.getLogger(__name__)


class RunOutcome(enum.StrEnum):
    """How one attempt at a job ended."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    HANDED_BACK = "handed_back"  # the worker shut down; the job is queued again
    LOST = "lost"  # the lease was taken over: another run owns the job now
    SKIPPED = "skipped"  # not claimable: finished, cancelled, or running elsewhere


class StopReason(enum.StrEnum):
    CANCELLED = "cancelled"  # the job was cancelled (or its lease lost)
    SHUTDOWN = "shutdown"  # the worker is shutting down: hand the job back


class StopFlag:
    """Set once, from any thread, to stop a run; remembers why."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason: StopReason | None = None

    def set(self, reason: StopReason) -> None:
        if not self._event.is_set():
            self.reason = reason
            self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float) -> bool:
        return self._event.wait(timeout)


_FINISHED = {
    JobStatus.SUCCEEDED: RunOutcome.SUCCEEDED,
    JobStatus.FAILED: RunOutcome.FAILED,
    JobStatus.CANCELLED: RunOutcome.CANCELLED,
}


def load_training_data(
    storage: Storage, settings: Settings, spec: SearchSpec, dataset: Dataset
) -> TrainingData:
    """Read ``dataset``'s table from storage and prepare it for ``spec``."""
    table = read_table(
        storage.local_path(dataset.storage_key),
        max_rows=settings.max_rows,
        max_columns=settings.max_columns,
    )
    return prepare(spec, table, dataset.columns)


class JobRun:
    """Run the job ``lease`` holds to its end; :meth:`run` says how it ended."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        storage: Storage,
        settings: Settings,
        lease: Lease,
        stop: StopFlag,
    ) -> None:
        self.sessions = sessions
        self.storage = storage
        self.settings = settings
        self.lease = lease
        self.stop = stop

    def run(self) -> RunOutcome:
        with self.sessions() as session:
            job = session.get(Job, self.lease.job_id)
            dataset = session.get(Dataset, job.dataset_id)
            done = jobs.finished_trials(session, job.id)
        try:
            spec = SearchSpec.from_dict(job.spec)
            if dataset is None:
                return self._finish(JobStatus.FAILED, error="the dataset was deleted")
            data = load_training_data(self.storage, self.settings, spec, dataset)
            return self._search(job, spec, data, done)
        except Exception as exc:
            log.exception("job %s failed", self.lease.job_id)
            return self._finish(JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")

    def _search(
        self, job: Job, spec: SearchSpec, data: TrainingData, done: list[Trial]
    ) -> RunOutcome:
        strategy = make_search_strategy(spec, data)
        planned = strategy.total
        if planned != job.trials_total:
            # Halving planned its rungs on the rows actually trained on: show that total.
            with self.sessions() as session:
                jobs.set_trials_total(session, self.lease, planned)
        trials = {t.number: t for t in done}
        deadline = job.started_at.timestamp() + spec.timeout_s

        def evaluate(number: int, candidate: Candidate) -> TrialOutcome:
            return evaluate_candidate(
                spec,
                data,
                strategy,
                number,
                candidate,
                lambda: self.stop.is_set() or time.time() >= deadline,
            )

        def record(number: int, candidate: Candidate, outcome: TrialOutcome) -> bool:
            trial = Trial(
                number=number,
                params=outcome.params,
                state=outcome.state,
                mean_score=outcome.mean_score,
                error=outcome.error,
                rung=candidate.rung,
                resource=candidate.resource,
                metrics=outcome.metrics,
            )
            best = best_trial([*trials.values(), trial])
            with self.sessions() as session:
                held = jobs.record_trial(
                    session,
                    self.lease,
                    number,
                    outcome,
                    best,
                    rung=candidate.rung,
                    resource=candidate.resource,
                )
            if not held:
                self.stop.set(StopReason.CANCELLED)
                return False
            trials[number] = trial
            return True

        end = search(
            strategy,
            evaluate,
            record,
            should_stop=self.stop.is_set,
            deadline=deadline,
            done=replay(strategy, done),
        )
        if end is SearchEnd.STOPPED:
            return self._stopped()
        ordered = [trials[n] for n in sorted(trials)]
        return self._conclude(spec, data, ordered, timed_out=end is SearchEnd.TIMEOUT)

    def _finish(self, status: JobStatus, **values: object) -> RunOutcome:
        with self.sessions() as session:
            held = jobs.finish_job(session, self.lease, status, **values)
        return _FINISHED[status] if held else RunOutcome.LOST

    def _stopped(self) -> RunOutcome:
        if self.stop.reason == StopReason.SHUTDOWN:
            with self.sessions() as session:
                jobs.release_job(session, self.lease)
            return RunOutcome.HANDED_BACK
        return RunOutcome.CANCELLED

    def _conclude(
        self, spec: SearchSpec, data: TrainingData, trials: list[Trial], *, timed_out: bool
    ) -> RunOutcome:
        best = best_trial(trials)
        stopped_reason = StoppedReason.TIMEOUT if timed_out else StoppedReason.COMPLETED
        # A search that ran out of time did not run its total: report what it did run.
        counts = {} if timed_out else {"trials_total": len(trials)}
        if best is None:
            reasons = sorted({t.error for t in trials if t.error})
            detail = "; ".join(reasons[:5]) if reasons else "no trial ran before the deadline"
            return self._finish(
                JobStatus.FAILED,
                error=f"every trial failed: {detail}",
                stopped_reason=stopped_reason if timed_out else None,
                **counts,
            )
        try:
            model, test_scores = refit(spec, data, best.params, self.stop.is_set)
        except Stopped:
            return self._stopped()
        except TrialCrashed as exc:
            return self._finish(
                JobStatus.FAILED,
                error=f"refitting the best candidate: {exc}",
                stopped_reason=stopped_reason if timed_out else None,
                **counts,
            )
        key = model_key(self.lease.job_id)
        metadata = save_model(
            model, self.storage, key, features=list(data.X_train.columns), target=spec.target
        )
        summary = summarise(spec, data, trials, best, test_scores, metadata)
        outcome = self._finish(
            JobStatus.SUCCEEDED,
            result=dataclasses.asdict(summary),
            model_key=key,
            stopped_reason=stopped_reason,
            **counts,
        )
        if outcome is RunOutcome.LOST:
            self.storage.delete(key)
        return outcome
