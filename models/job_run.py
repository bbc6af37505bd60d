"""A job's steps on any worker: advance it, run one of its trials, conclude it.

The engine decides what runs (:func:`models.engine.search.plan_next`); this module says
what its effects mean here. Three steps, each small enough that no worker slot ever
waits on another, each under the same name from the task to the store:

- :meth:`JobRunner.advance`: in one transaction holding the job's lock, bring the job's
  strategy up to date with the trials recorded and in flight, queue the next ones (up to
  ``max_parallel`` in flight) and send each to the workers; when nothing is left to run,
  conclude.
- :meth:`JobRunner.run_trial`: claim one queued trial under a lease, evaluate it in a
  killable child process, then record it once and advance the job, in one transaction
  (the record locks the job as an advance does).
- :meth:`JobRunner.conclude`: one worker, holding the job's lease, refits the best
  candidate, saves the model and finishes the job.
- :meth:`JobRunner.refit`: the same for a cancelled job's best candidate (an ``advance``
  of a cancelled job whose refit waits), under the lease of :mod:`models.store.refits`;
  the job stays cancelled.

Each returns a :class:`Step`: its outcome, and the job when the step ended it, for the
caller (:class:`~models.service.Service`) to report. The trials a step queues go to the
:class:`~models.dispatch.Dispatch` the runner was built with.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.dispatch import Dispatch, send_trial
from models.engine.evaluate import TrialOutcome
from models.engine.isolation import Stopped, TrialCrashed
from models.engine.onnx_export import check_rows
from models.engine.search import best_trial, plan_next
from models.engine.spec import SearchSpec
from models.engine.strategies import Candidate, Strategy
from models.engine.training import (
    TrainingData,
    evaluate_candidate,
    fit_fallback,
    refit,
    summarise,
)
from models.plumbing import metrics
from models.search_states import SearchState
from models.store import jobs, refits, trial_runs
from models.store.artifacts import delete_model, model_key, save_model
from models.store.leases import Lease
from models.store.records import Job, JobStatus, RefitState, StoppedReason, Trial
from models.worker_cache import WorkerCache

log = logging.getLogger(__name__)

# A cancelled job's refit holds the job's lease under this prefix and the worker's name,
# so that the steps it shares with a conclude write to the refit's columns.
REFIT_OWNER = "refit:"


class RunOutcome(enum.StrEnum):
    """How one step of a job ended, as the worker reports it."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"  # a trial was stopped at the job's deadline
    ADVANCED = "advanced"  # the next trials are queued (or are running); the job goes on
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


@dataclass(frozen=True)
class Chosen:
    """What an advance chose, in the transaction holding the job's lock."""

    job_id: str
    state: SearchState
    start: list[tuple[int, Candidate]]  # the trials queued, to send
    in_flight: int  # trials queued or running before these
    timed_out: bool
    exhausted: bool  # the strategy has nothing left to propose
    plan: tuple[Any, ...] = ()  # the job's extra_trials and deadline_at, as locked


@dataclass(frozen=True)
class Step:
    """What a step did: its outcome, and the job if this step ended it."""

    outcome: RunOutcome
    ended: Job | None = None


def this_worker() -> str:
    """This process's name as a lease owner: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


class JobRunner:
    """A job's steps in this worker process, sending the trials they queue to ``dispatch``.

    Cheap to build: what lasts between steps is in ``cache``.
    """

    def __init__(self, cache: WorkerCache, dispatch: Dispatch) -> None:
        self.cache = cache
        self.dispatch = dispatch
        self.sessions = cache.sessions
        self.settings = cache.settings

    # advance ---------------------------------------------------------------------------

    def advance(self, job_id: str) -> Step:
        """Queue and send the job's next trials; conclude it when none are left.

        ``SKIPPED`` when the job has ended (nothing to do).
        """
        if not self.cache.knows(job_id):  # else the lock below says whether it has ended
            with self.sessions() as session:
                job = session.get(Job, job_id)
            if job is None or JobStatus(job.status).finished:
                return self._refit_if_cancelled(job)
        try:
            spec, data = self.cache.training_data(job_id)
        except Exception as exc:
            log.exception("job %s cannot run", job_id)
            return self._fail(job_id, f"{type(exc).__name__}: {exc}")
        try:
            with self.sessions.begin() as session:
                locked = trial_runs.begin_advance(session, job_id)
                chosen = self._choose(session, locked, spec, data) if locked else None
        except IntegrityError:  # another worker chose these numbers meanwhile
            return Step(RunOutcome.ADVANCED)
        if chosen is None:  # the job has ended: a cancelled one may wait for its refit
            return self.refit(job_id)
        return self._start(chosen)

    def _choose(
        self,
        session: Session,
        locked: trial_runs.Locked,
        spec: SearchSpec,
        data: TrainingData,
        just_recorded: tuple[Trial, ...] = (),
    ) -> Chosen:
        """In the transaction holding the job's lock: queue its next trials."""
        job_id = locked.job_id
        state = self.cache.searches.check_out(
            session,
            job_id,
            spec,
            data,
            completed=locked.trials_completed,
            just_recorded=just_recorded,
            extra_trials=locked.extra_trials,
        )
        if not locked.trials_completed and locked.trials_total != state.strategy.total:
            # Halving planned its rungs on the rows actually trained on.
            trial_runs.set_total(session, job_id, state.strategy.total)
        ends = jobs.deadline_of(locked.started_at, locked.deadline_at, spec.timeout_s)
        timed_out = time.time() >= ends.timestamp()
        in_flight = len(state.in_flight)
        start: list[tuple[int, Candidate]] = []
        exhausted = False
        if not timed_out:
            plan = plan_next(
                state.strategy,
                taken=state.taken,
                in_flight=in_flight,
                max_parallel=spec.max_parallel,
            )
            trial_runs.add(session, job_id, plan.start)
            start, exhausted = plan.start, plan.exhausted
        plan = (locked.extra_trials, locked.deadline_at)
        return Chosen(job_id, state, start, in_flight, timed_out, exhausted, plan)

    def _start(self, chosen: Chosen) -> Step:
        """After the transaction that chose them: send the trials chosen, or conclude the
        job when nothing is left to run."""
        chosen.state.in_flight.update(number for number, _ in chosen.start)
        self.cache.searches.check_in(chosen.job_id, chosen.state)
        for number, _ in chosen.start:
            send_trial(self.dispatch, chosen.job_id, number)
        if not chosen.in_flight and not chosen.start and (chosen.timed_out or chosen.exhausted):
            return self.conclude(chosen.job_id, timed_out=chosen.timed_out, plan=chosen.plan)
        return Step(RunOutcome.ADVANCED)

    def _fail(self, job_id: str, error: str) -> Step:
        with self.sessions.begin() as session:
            failed = jobs.fail_job(session, job_id, error)
        return Step(RunOutcome.FAILED, failed) if failed else Step(RunOutcome.SKIPPED)

    # run_trial -------------------------------------------------------------------------

    def run_trial(
        self, job_id: str, number: int, worker: str, stop: StopFlag | None = None
    ) -> Step:
        """Run trial ``number`` of ``job_id`` here if it is still to run; record it; advance."""
        stop = stop or StopFlag()
        ttl = self.settings.lease_seconds
        with self.sessions.begin() as session:
            claimed = trial_runs.claim(session, job_id, number, worker, ttl)
        if claimed is None:
            return Step(RunOutcome.SKIPPED)
        lease, candidate = claimed.lease, claimed.candidate
        try:
            spec, data = self.cache.training_data(job_id)
        except Exception as exc:
            log.exception("job %s cannot run", job_id)
            return self._fail(job_id, f"{type(exc).__name__}: {exc}")
        ends = jobs.deadline_of(
            claimed.job_started_at, claimed.job_deadline_at, spec.timeout_s
        ).timestamp()
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
                    lambda: stop.is_set() or time.time() >= ends,
                    self.cache.process,
                )
        except Stopped:
            return self._stopped(lease, stop)
        # Recording the trial and choosing the next ones is one transaction.
        try:
            with self.sessions.begin() as session:
                recorded = trial_runs.record(session, lease, outcome, candidate)
                if recorded is None:
                    return Step(RunOutcome.LOST)
                chosen = self._choose(session, recorded.job, spec, data, (recorded.trial,))
        except IntegrityError:  # another worker chose those numbers: record alone, then advance
            with self.sessions.begin() as session:
                if trial_runs.record(session, lease, outcome, candidate) is None:
                    return Step(RunOutcome.LOST)
            self._counted(outcome)
            return Step(RunOutcome.RECORDED, self.advance(job_id).ended)
        self._counted(outcome)
        return Step(RunOutcome.RECORDED, self._start(chosen).ended)

    @staticmethod
    def _counted(outcome: TrialOutcome) -> None:
        metrics.trial_finished(outcome.state, outcome.fit_time_s + outcome.score_time_s)

    def _pruning_strategy(
        self, spec: SearchSpec, data: TrainingData, job_id: str, number: int, candidate: Candidate
    ) -> Strategy | None:
        """With pruning, the trial asks the job's strategy after each fold."""
        if not spec.pruning:
            return None
        with self.sessions() as session:
            state = self.cache.searches.check_out(session, job_id, spec, data)
        state.started(number, candidate)
        self.cache.searches.check_in(job_id, state)
        return state.strategy

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
                    with self.sessions.begin() as session:
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

    def _stopped(self, lease: Lease, stop: StopFlag) -> Step:
        # A pruning strategy heard this run's first folds: start the next one afresh.
        self.cache.searches.forget(lease.job_id)
        with self.sessions.begin() as session:
            if stop.reason == StopReason.SHUTDOWN:
                trial_runs.release(session, lease)
            else:
                trial_runs.drop(session, lease)
        if stop.reason == StopReason.SHUTDOWN:
            send_trial(self.dispatch, lease.job_id, lease.number)  # for the next worker up
            return Step(RunOutcome.HANDED_BACK)
        if stop.reason == StopReason.CANCELLED:
            return Step(RunOutcome.CANCELLED)
        advanced = self.advance(lease.job_id)  # the deadline: conclude once nothing runs
        return Step(RunOutcome.TIMEOUT, advanced.ended)

    # conclude --------------------------------------------------------------------------

    def conclude(
        self,
        job_id: str,
        *,
        timed_out: bool,
        stop: StopFlag | None = None,
        plan: tuple[Any, ...] | None = None,
    ) -> Step:
        """Refit the best trial on every training row, save the model, finish the job.

        One worker does it: the one that takes the job's lease. A job extended since its
        search looked done (its ``plan`` changed) is not concluded but advanced again.
        """
        stop = stop or StopFlag()
        ttl = self.settings.lease_seconds
        with self.sessions.begin() as session:
            lease = jobs.claim_job(session, job_id, this_worker(), ttl)
            recorded = jobs.finished_trials(session, job_id) if lease is not None else []
            kept = session.get(Job, job_id).result if lease is not None else None
        if lease is None:
            return Step(RunOutcome.SKIPPED)
        if plan is not None and lease.read != plan:  # extended meanwhile: go on instead
            with self.sessions.begin() as session:
                jobs.release_job(session, lease)
            return self.advance(job_id)
        try:
            spec, data = self.cache.training_data(job_id)
            renew = partial(jobs.renew_lease, lease=lease, ttl_s=ttl)
            with self._heartbeat(renew, stop):
                outcome = self._conclude(lease, spec, data, recorded, timed_out, stop, kept)
        except Exception as exc:
            log.exception("job %s failed", job_id)
            outcome = self._finish(lease, JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        if outcome not in (RunOutcome.SUCCEEDED, RunOutcome.FAILED):
            return Step(outcome)
        with self.sessions() as session:
            return Step(outcome, session.get(Job, job_id))

    def _finish(self, lease: Lease, status: JobStatus, **values: object) -> RunOutcome:
        with self.sessions.begin() as session:
            if lease.owner.startswith(REFIT_OWNER):  # a cancelled job's: it stays cancelled
                values.pop("stopped_reason", None)
                values.pop("trials_total", None)  # it did not run its total: keep the plan
                state = RefitState.DONE if status == JobStatus.SUCCEEDED else RefitState.FAILED
                held = refits.finish(session, lease, state, **values)
                status = JobStatus.CANCELLED
            else:
                held = jobs.finish_job(session, lease, status, **values)
        return OUTCOME_OF[status] if held else RunOutcome.LOST

    # refit (a cancelled job's best) ----------------------------------------------------

    def _refit_if_cancelled(self, job: Job | None) -> Step:
        if job is None or job.refit_state != RefitState.REFITTING:
            return Step(RunOutcome.SKIPPED)
        return self.refit(job.id)

    def refit(self, job_id: str, stop: StopFlag | None = None) -> Step:
        """A cancelled job's best candidate: refit it on every training row and store the
        result and model as :meth:`conclude` does; the job stays cancelled. One worker
        does it, the one that takes the job's refit lease (:mod:`models.store.refits`);
        ``SKIPPED`` when no refit waits. A second cancel stops it (``CANCELLED``)."""
        stop = stop or StopFlag()
        ttl = self.settings.lease_seconds
        with self.sessions.begin() as session:
            lease = refits.claim(session, job_id, f"{REFIT_OWNER}{this_worker()}", ttl)
            recorded = jobs.finished_trials(session, job_id) if lease is not None else []
            kept = session.get(Job, job_id).result if lease is not None else None
        if lease is None:
            return Step(RunOutcome.SKIPPED)
        try:
            spec, data = self.cache.training_data(job_id)
            renew = partial(refits.renew, lease=lease, ttl_s=ttl)
            with self._heartbeat(renew, stop):
                outcome = self._conclude(lease, spec, data, recorded, False, stop, kept)
        except Exception as exc:
            log.exception("refitting the best of cancelled job %s failed", job_id)
            outcome = self._finish(lease, JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        log.info("job %s (cancelled): refit %s", job_id, outcome, extra={"job_id": job_id})
        return Step(outcome)

    def _conclude(
        self,
        lease: Lease,
        spec: SearchSpec,
        data: TrainingData,
        trials: list[Trial],
        timed_out: bool,
        stop: StopFlag,
        kept: dict[str, Any] | None = None,
    ) -> RunOutcome:
        """Refit the best trial and finish; ``kept``, the job's result before an extension,
        stands (its model is not refit) while its best trial is still the best."""
        best = best_trial(trials)
        stopped_reason = StoppedReason.TIMEOUT if timed_out else StoppedReason.COMPLETED
        # A search that ran out of time did not run its total: report what it did run.
        counts = {} if timed_out else {"trials_total": len(trials)}
        reason = None
        if best is None:
            reasons = sorted({t.error for t in trials if t.error})
            detail = "; ".join(reasons[:5]) if reasons else "no trial ran before the deadline"
            if not timed_out:
                return self._finish(
                    lease, JobStatus.FAILED, error=f"every trial failed: {detail}", **counts
                )
            # A budget too short for the table still ends with a model: the cheap one.
            reason = "no trial finished before the deadline"
            if reasons:
                reason += f"; the failed trials said: {detail}"
        if best is not None and kept is not None and kept.get("best_trial") == best.number:
            summary = summarise(spec, data, trials, best, _test_scores(kept), kept["model"])
            return self._finish(
                lease,
                JobStatus.SUCCEEDED,
                result=dataclasses.asdict(summary),
                model_key=model_key(lease.job_id),
                stopped_reason=stopped_reason,
                **counts,
            )
        fallback = None
        try:
            if best is None:
                model, test_scores, fallback = fit_fallback(
                    spec, data, reason, stop.is_set, self.cache.process
                )
            else:
                model, test_scores = refit(spec, data, best.params, stop.is_set, self.cache.process)
        except Stopped:
            if stop.reason != StopReason.SHUTDOWN:
                return RunOutcome.CANCELLED
            with self.sessions.begin() as session:
                if lease.owner.startswith(REFIT_OWNER):
                    refits.release(session, lease)
                else:
                    jobs.release_job(session, lease)
            return RunOutcome.HANDED_BACK
        except TrialCrashed as exc:
            what = f"{reason}; fitting the fallback" if best is None else "refitting the best"
            return self._finish(
                lease,
                JobStatus.FAILED,
                error=f"{what} candidate: {exc}",
                stopped_reason=stopped_reason if timed_out else None,
                **counts,
            )
        metadata = save_model(
            model,
            self.cache.storage,
            lease.job_id,
            features=list(data.X_train.columns),
            target=spec.target,
            onnx_rows=check_rows(data.X_test, data.X_train),
        )
        summary = summarise(spec, data, trials, best, test_scores, metadata, fallback)
        outcome = self._finish(
            lease,
            JobStatus.SUCCEEDED,
            result=dataclasses.asdict(summary),
            model_key=model_key(lease.job_id),
            stopped_reason=stopped_reason,
            **counts,
        )
        if outcome is RunOutcome.LOST:
            delete_model(self.cache.storage, lease.job_id)
        return outcome


def _test_scores(result: dict[str, Any]) -> dict[str, float]:
    """The held-out scores a stored result reports, by scorer name."""
    return {name: score["test"] for name, score in (result.get("scores") or {}).items()}
