"""Running a job's trials on any worker: choose the next trials, run one, conclude.

The engine decides what runs (:func:`models.engine.search.plan_next`); this module says
what its effects mean here. Three steps, each small enough that no worker slot ever
waits on another:

- :meth:`JobRunner.advance`: under the job's lock, rebuild the strategy from the trials
  recorded and in flight, queue the next ones (up to ``max_parallel`` in flight) and send
  each to the workers; when nothing is left to run, conclude.
- :meth:`JobRunner.run_trial`: claim one queued trial under a lease, evaluate it in a
  killable child process, record it once, then advance the job.
- :meth:`JobRunner.conclude`: one worker, holding the job's lease, refits the best
  candidate, saves the model and finishes the job.

A worker keeps each dataset and each job's training data in memory (bounded), so a job's
trials on one worker read and split the table once.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session, sessionmaker

from models.engine.isolation import Stopped, TrialCrashed, TrialProcess, machine_memory_mb
from models.engine.reading import Reading
from models.engine.search import InFlight, best_trial, plan_next, replay
from models.engine.spec import SearchSpec
from models.engine.strategies import Candidate, Strategy
from models.engine.tables import read_table
from models.engine.training import (
    TrainingData,
    evaluate_candidate,
    make_search_strategy,
    prepare,
    refit,
    summarise,
)
from models.plumbing import metrics
from models.settings import Settings
from models.store import jobs, trial_runs
from models.store.artifacts import delete_model, model_key, save_model
from models.store.records import Dataset, Job, JobStatus, StoppedReason, Trial
from models.store.storage import Storage
from models.store.trial_runs import RunLease

log = logging.getLogger(__name__)

SendTrial = Callable[[str, int], None]


class RunOutcome(enum.StrEnum):
    """How one step of a job ended, as the worker reports it."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"  # a trial was stopped at the job's deadline
    RECORDED = "recorded"  # a trial was recorded; the job goes on
    HANDED_BACK = "handed_back"  # the worker shut down; the trial is queued again
    LOST = "lost"  # another run owns it now
    SKIPPED = "skipped"  # nothing to do: finished, cancelled, or taken elsewhere


class StopReason(enum.StrEnum):
    CANCELLED = "cancelled"  # the job was cancelled (or the trial's lease lost)
    SHUTDOWN = "shutdown"  # the worker is shutting down: hand the trial back


class StopFlag:
    """Set once, from any thread or a signal handler, to stop a run; remembers why.

    A plain attribute, polled by the run: no lock, so that a signal handler may set it
    even when the signal interrupted code holding one (an ``Event``'s lock is not
    re-entrant: a handler calling ``Event.set`` inside an interrupted ``Event.set`` waits
    forever).
    """

    def __init__(self) -> None:
        self.reason: StopReason | None = None

    def set(self, reason: StopReason) -> None:
        if self.reason is None:
            self.reason = reason

    def is_set(self) -> bool:
        return self.reason is not None


# A finished job's status as the outcome of the step that finished it.
OUTCOME_OF = {
    JobStatus.SUCCEEDED: RunOutcome.SUCCEEDED,
    JobStatus.FAILED: RunOutcome.FAILED,
    JobStatus.CANCELLED: RunOutcome.CANCELLED,
}
# Tables and training data a worker process keeps, least recently used out first.
CACHED_TABLES = 4
CACHED_JOBS = 8


class _Cache(OrderedDict):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get_or_make(self, key: Any, make: Callable[[], Any]) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = make()
        while len(self) > self.size:
            self.popitem(last=False)
        return value


class JobRunner:
    """A worker process's view of running jobs: their steps, and its caches."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        storage: Storage,
        settings: Settings,
        send_trial: SendTrial,
        on_finished: Callable[[Job], None],
    ) -> None:
        self.sessions = sessions
        self.storage = storage
        self.settings = settings
        self.send_trial = send_trial
        self.on_finished = on_finished
        self._tables: _Cache = _Cache(CACHED_TABLES)
        self._training: _Cache = _Cache(CACHED_JOBS)
        # Where this worker's trials and refits compute (one at a time, killable, bounded).
        machine = machine_memory_mb()
        self.process = TrialProcess(
            memory_mb=min(settings.trial_memory_mb, machine or settings.trial_memory_mb),
            seconds=settings.trial_seconds,
        )

    def close(self) -> None:
        """Stop the trial process."""
        self.process.close()

    # What every step needs ------------------------------------------------------------

    def _table(self, dataset: Dataset) -> pd.DataFrame:
        # Read as the upload was, so training sees the types the profile reports. Keyed by
        # content and reading: two datasets with the same bytes share one copy.
        reading = Reading.recorded(dataset.warnings, dataset.columns)
        return self._tables.get_or_make(
            (dataset.sha256, reading),
            lambda: read_table(
                self.storage.local_copy(dataset.storage_key),
                max_rows=self.settings.max_rows,
                max_columns=self.settings.max_columns,
                reading=reading,
            ),
        )

    def prepare(self, spec: SearchSpec, dataset: Dataset) -> TrainingData:
        """``dataset``'s table (read once per worker) prepared for ``spec``."""
        return prepare(spec, self._table(dataset), dataset.columns)

    def training_data(self, job_id: str) -> tuple[SearchSpec, TrainingData]:
        """The job's spec and training data (cached: the split depends on the spec only)."""

        def make() -> tuple[SearchSpec, TrainingData]:
            job = self._job(job_id)
            if job is None:
                raise LookupError("the job was deleted")
            spec = SearchSpec.from_dict(job.spec)
            with self.sessions() as session:
                dataset = session.get(Dataset, job.dataset_id)
            if dataset is None:
                raise LookupError("the dataset was deleted")
            return spec, self.prepare(spec, dataset)

        return self._training.get_or_make(job_id, make)

    def _job(self, job_id: str) -> Job | None:
        with self.sessions() as session:
            return session.get(Job, job_id)

    # advance ---------------------------------------------------------------------------

    def advance(self, job_id: str, send_trial: SendTrial | None = None) -> bool:
        """Queue and send the job's next trials; conclude it when none are left.

        Returns ``False`` when the job has ended (nothing to do).
        """
        send = send_trial or self.send_trial
        if job_id not in self._training:  # else the lock below says whether it has ended
            job = self._job(job_id)
            if job is None or JobStatus(job.status).finished:
                return False
        try:
            spec, data = self.training_data(job_id)
            strategy = make_search_strategy(spec, data)
        except Exception as exc:
            log.exception("job %s cannot run", job_id)
            self._fail(job_id, f"{type(exc).__name__}: {exc}")
            return False
        with self.sessions() as session:
            job = trial_runs.begin_advance(session, job_id)
            if job is None:
                return False
            recorded, runs = trial_runs.known(session, job_id)
            if not recorded and job.trials_total != strategy.total:
                # Halving planned its rungs on the rows actually trained on.
                job.trials_total = strategy.total
            replay(
                strategy,
                recorded,
                [InFlight(r.number, r.params, r.rung, r.resource) for r in runs],
            )
            timed_out = time.time() >= job.started_at.timestamp() + spec.timeout_s
            taken = {t.number for t in recorded} | {r.number for r in runs}
            if timed_out:
                plan = None
            else:
                plan = plan_next(
                    strategy, taken=taken, in_flight=len(runs), max_parallel=spec.max_parallel
                )
            if not trial_runs.add(session, job_id, plan.start if plan else []):
                return True  # another worker chose these numbers meanwhile
        for number, _ in plan.start if plan else []:
            send(job_id, number)
        if not runs and not (plan and plan.start) and (timed_out or plan.exhausted):
            self.conclude(job_id, timed_out=timed_out)
        return True

    def _fail(self, job_id: str, error: str) -> None:
        with self.sessions() as session:
            lease = jobs.claim_job(session, job_id, "tuneforge", self.settings.lease_seconds)
            if lease is not None:
                jobs.finish_job(session, lease, JobStatus.FAILED, error=error)
        job = self._job(job_id)
        if job is not None and job.status == JobStatus.FAILED:
            self.on_finished(job)

    # run_trial -------------------------------------------------------------------------

    def run_trial(
        self,
        job_id: str,
        number: int,
        worker: str,
        stop: StopFlag | None = None,
        send_trial: SendTrial | None = None,
    ) -> RunOutcome:
        """Run trial ``number`` of ``job_id`` here if it is still to run; record it; advance."""
        stop = stop or StopFlag()
        ttl = self.settings.lease_seconds
        with self.sessions() as session:
            lease = trial_runs.claim(session, job_id, number, worker, ttl)
            found = trial_runs.get(session, job_id, number) if lease is not None else None
        if lease is None or found is None:
            return RunOutcome.SKIPPED
        run, started_at = found
        candidate = Candidate(run.params, run.rung, run.resource)
        try:
            spec, data = self.training_data(job_id)
        except Exception as exc:
            log.exception("job %s cannot run", job_id)
            self._fail(job_id, f"{type(exc).__name__}: {exc}")
            return RunOutcome.FAILED
        deadline = started_at.timestamp() + spec.timeout_s
        strategy = self._pruning_strategy(spec, data, job_id, number, candidate)
        try:
            renew = partial(trial_runs.renew, lease=lease, ttl_s=ttl)
            with self._heartbeat(renew, stop):
                outcome = evaluate_candidate(
                    spec,
                    data,
                    strategy,
                    number,
                    candidate,
                    lambda: stop.is_set() or time.time() >= deadline,
                    self.process,
                )
        except Stopped:
            return self._stopped(lease, stop, send_trial or self.send_trial)
        with self.sessions() as session:
            held = trial_runs.record(session, lease, outcome, candidate, best_trial)
        if not held:
            return RunOutcome.LOST
        metrics.trial_finished(outcome.state, outcome.fit_time_s + outcome.score_time_s)
        self.advance(job_id, send_trial)
        return RunOutcome.RECORDED

    def _pruning_strategy(
        self, spec: SearchSpec, data: TrainingData, job_id: str, number: int, candidate: Candidate
    ) -> Strategy | None:
        """With pruning, the trial asks the strategy after each fold: rebuild it."""
        if not spec.pruning:
            return None
        strategy = make_search_strategy(spec, data)
        with self.sessions() as session:
            recorded, _ = trial_runs.known(session, job_id)
        replay(strategy, recorded, [InFlight(number, candidate.params)])
        return strategy

    @contextmanager
    def _heartbeat(self, renew: Callable[[Session], bool], stop: StopFlag) -> Iterator[None]:
        """Renew a lease while the work runs; stop the work once the lease is refused (the
        job was cancelled, or another run took over)."""
        ttl = self.settings.lease_seconds
        done = threading.Event()

        def beat() -> None:
            # Often enough that a cancel stops a running trial within about two seconds.
            while not done.wait(max(0.5, min(1.0, ttl / 6))):
                try:
                    with self.sessions() as session:
                        held = renew(session)
                except Exception:  # a database hiccup: try again at the next beat
                    log.warning("could not renew a lease", exc_info=True)
                    continue
                if not held:
                    stop.set(StopReason.CANCELLED)
                    return

        thread = threading.Thread(target=beat, daemon=True, name="lease")
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join(timeout=5)

    def _stopped(self, lease: RunLease, stop: StopFlag, send: SendTrial) -> RunOutcome:
        with self.sessions() as session:
            if stop.reason == StopReason.SHUTDOWN:
                trial_runs.release(session, lease)
            else:
                trial_runs.drop(session, lease)
        if stop.reason == StopReason.SHUTDOWN:
            send(lease.job_id, lease.number)  # for whichever worker is up next
            return RunOutcome.HANDED_BACK
        if stop.reason == StopReason.CANCELLED:
            return RunOutcome.CANCELLED
        self.advance(lease.job_id, send)  # the deadline: conclude once nothing runs
        return RunOutcome.TIMEOUT

    # conclude --------------------------------------------------------------------------

    def conclude(self, job_id: str, *, timed_out: bool, stop: StopFlag | None = None) -> RunOutcome:
        """Refit the best trial on every training row, save the model, finish the job.

        One worker does it: the one that takes the job's lease.
        """
        stop = stop or StopFlag()
        with self.sessions() as session:
            lease = jobs.claim_job(session, job_id, "conclude", self.settings.lease_seconds)
            if lease is None:
                return RunOutcome.SKIPPED
            recorded = jobs.finished_trials(session, job_id)
        ttl = self.settings.lease_seconds
        try:
            spec, data = self.training_data(job_id)
            renew = partial(jobs.renew_lease, lease=lease, ttl_s=ttl)
            with self._heartbeat(renew, stop):
                outcome = self._conclude(lease, spec, data, recorded, timed_out, stop)
        except Exception as exc:
            log.exception("job %s failed", job_id)
            outcome = self._finish(lease, JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        if outcome in (RunOutcome.SUCCEEDED, RunOutcome.FAILED):
            self.on_finished(self._job(job_id))
        return outcome

    def _finish(self, lease: jobs.Lease, status: JobStatus, **values: object) -> RunOutcome:
        with self.sessions() as session:
            held = jobs.finish_job(session, lease, status, **values)
        return OUTCOME_OF[status] if held else RunOutcome.LOST

    def _conclude(
        self,
        lease: jobs.Lease,
        spec: SearchSpec,
        data: TrainingData,
        trials: list[Trial],
        timed_out: bool,
        stop: StopFlag,
    ) -> RunOutcome:
        best = best_trial(trials)
        stopped_reason = StoppedReason.TIMEOUT if timed_out else StoppedReason.COMPLETED
        # A search that ran out of time did not run its total: report what it did run.
        counts = {} if timed_out else {"trials_total": len(trials)}
        if best is None:
            reasons = sorted({t.error for t in trials if t.error})
            detail = "; ".join(reasons[:5]) if reasons else "no trial ran before the deadline"
            return self._finish(
                lease,
                JobStatus.FAILED,
                error=f"every trial failed: {detail}",
                stopped_reason=stopped_reason if timed_out else None,
                **counts,
            )
        try:
            model, test_scores = refit(spec, data, best.params, stop.is_set, self.process)
        except Stopped:
            if stop.reason != StopReason.SHUTDOWN:
                return RunOutcome.CANCELLED
            with self.sessions() as session:
                jobs.release_job(session, lease)
            return RunOutcome.HANDED_BACK
        except TrialCrashed as exc:
            return self._finish(
                lease,
                JobStatus.FAILED,
                error=f"refitting the best candidate: {exc}",
                stopped_reason=stopped_reason if timed_out else None,
                **counts,
            )
        metadata = save_model(
            model,
            self.storage,
            lease.job_id,
            features=list(data.X_train.columns),
            target=spec.target,
        )
        summary = summarise(spec, data, trials, best, test_scores, metadata)
        outcome = self._finish(
            lease,
            JobStatus.SUCCEEDED,
            result=dataclasses.asdict(summary),
            model_key=model_key(lease.job_id),
            stopped_reason=stopped_reason,
            **counts,
        )
        if outcome is RunOutcome.LOST:
            delete_model(self.storage, lease.job_id)
        return outcome
