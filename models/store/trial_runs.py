"""Trials in flight: chosen, sent to the workers, claimed under a lease, recorded once.

A job's next trials are chosen under a per-job lock (:func:`begin_advance` updates the
job row first, which takes a row lock on PostgreSQL and the write lock on SQLite), so two
workers that record trials at the same moment never both miss the other's. A worker
claims a queued trial with a lease (:mod:`models.store.leases`) renewed by a heartbeat;
recording it deletes its row here and writes the finished trial in one transaction,
conditional on the lease, so a trial whose worker died and which ran again elsewhere is
recorded exactly once.

The worker's functions here write in the caller's transaction and never commit: the
caller says where each unit of work ends (``with sessions.begin():``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Integer,
    Row,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, load_only

from models.engine.evaluate import TrialOutcome
from models.engine.search import best_trial
from models.engine.strategies import Candidate
from models.store import leases
from models.store.leases import Lease
from models.store.records import ACTIVE, Job, JobStatus, Trial, TrialRun, utcnow

QUEUED, RUNNING = "queued", "running"
# What replaying and ranking a job's recorded trials read of each (not its metrics).
_PAST = load_only(
    Trial.number,
    Trial.params,
    Trial.state,
    Trial.mean_score,
    Trial.fold_scores,
    Trial.rung,
    Trial.resource,
    Trial.inherited_job_id,  # a warm start's inherited trials (models/engine/warm_start.py)
)


@dataclass(frozen=True)
class Locked:
    """A job locked for choosing its next trials, as the statement that locked it read it."""

    job_id: str
    started_at: datetime
    trials_completed: int
    trials_total: int
    deadline_at: datetime | None = None  # null: started_at plus the spec's timeout_s
    extra_trials: int = 0  # the trials extensions added beyond the spec's n_trials


_LOCKED = (
    Job.started_at,
    Job.trials_completed,
    Job.trials_total,
    Job.deadline_at,
    Job.extra_trials,
)


def begin_advance(session: Session, job_id: str) -> Locked | None:
    """Lock ``job_id`` for choosing its next trials (until the transaction ends); a queued
    job starts running. ``None`` when the job has ended."""
    now = utcnow()
    row = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_(ACTIVE))
        .values(
            advanced_at=now,
            status=JobStatus.RUNNING,
            started_at=func.coalesce(Job.started_at, now),
            attempts=Job.attempts + case((Job.status == JobStatus.QUEUED, 1), else_=0),
        )
        .returning(*_LOCKED)
        .execution_options(synchronize_session=False)
    ).first()
    return Locked(job_id, *row) if row is not None else None


def set_total(session: Session, job_id: str, total: int) -> None:
    """The job's number of trials, once its strategy knows it (halving plans its rungs on
    the rows actually trained on)."""
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(trials_total=total)
        .execution_options(synchronize_session=False)
    )


def known(session: Session, job_id: str) -> tuple[list[Trial], list[TrialRun]]:
    """The job's recorded trials and its trials in flight, in number order."""
    return recorded(session, job_id), in_flight(session, job_id)


def recorded(session: Session, job_id: str, numbers: Collection[int] | None = None) -> list[Trial]:
    """The job's recorded trials (only ``numbers`` when given), in number order."""
    stmt = select(Trial).options(_PAST).where(Trial.job_id == job_id)
    if numbers is not None:
        stmt = stmt.where(Trial.number.in_(sorted(numbers)))
    return list(session.scalars(stmt.order_by(Trial.number)))


def recorded_count(session: Session, job_id: str) -> int:
    """How many trials the job has recorded (0 for a job that is gone)."""
    return session.scalar(select(Job.trials_completed).where(Job.id == job_id)) or 0


def extra_trials(session: Session, job_id: str) -> int:
    """The trials the job's extensions added beyond its spec's ``n_trials``."""
    return session.scalar(select(Job.extra_trials).where(Job.id == job_id)) or 0


_IN_FLIGHT = (
    select(TrialRun.number, TrialRun.params, TrialRun.rung, TrialRun.resource)
    .where(TrialRun.job_id == leases.JOB_ID)
    .order_by(TrialRun.number)
)
_QUEUE = insert(TrialRun)


def in_flight(session: Session, job_id: str) -> list[Row]:
    """The job's trials queued or running (``number``, ``params``, ``rung``,
    ``resource``), in number order."""
    return list(leases.execute(session, _IN_FLIGHT, {leases.JOB_ID.key: job_id}))


def add(session: Session, job_id: str, trials: Iterable[tuple[int, Candidate]]) -> None:
    """Queue ``trials``; raises ``IntegrityError`` if a number was taken meanwhile (the
    caller's transaction then queues nothing)."""
    now = utcnow()
    rows = [
        {
            "job_id": job_id,
            "number": number,
            "params": candidate.params,
            "rung": candidate.rung,
            "resource": candidate.resource,
            "state": QUEUED,
            "enqueued_at": now,
        }
        for number, candidate in trials
    ]
    if rows:
        leases.execute(session, _QUEUE, rows)


# A trial's lease: claimed while its job runs, renewed by its worker, ended by recording it
# (or handing it back, or dropping it).
_JOB_RUNNING = exists().where(Job.id == leases.JOB_ID, Job.status == JobStatus.RUNNING)
_CLAIM = leases.claiming(
    TrialRun,
    _JOB_RUNNING,
    returning=(
        TrialRun.params,
        TrialRun.rung,
        TrialRun.resource,
        select(Job.started_at).where(Job.id == leases.JOB_ID).scalar_subquery(),
        select(Job.deadline_at).where(Job.id == leases.JOB_ID).scalar_subquery(),
    ),
    state=RUNNING,
    started_at=leases.NOW,
)
_RENEW = leases.renewing(TrialRun, _JOB_RUNNING)
_RELEASE = leases.ending(
    TrialRun, state=QUEUED, worker=None, started_at=None, enqueued_at=leases.NOW
)
_END = delete(TrialRun).where(leases.held(TrialRun))


@dataclass(frozen=True)
class Claimed:
    """A trial this worker now runs: its lease, its candidate, when its job started (its
    deadline counts from then)."""

    lease: Lease
    candidate: Candidate
    job_started_at: datetime
    job_deadline_at: datetime | None = None  # null: started_at plus the spec's timeout_s


def claim(session: Session, job_id: str, number: int, worker: str, ttl_s: int) -> Claimed | None:
    """Take trial ``number`` if it is queued, or running under a lease that lapsed, and its
    job is running (one statement, which also reads what the trial needs)."""
    lease = leases.claim(session, _CLAIM, job_id, number, worker, ttl_s)
    if lease is None:
        return None
    params, rung, resource, job_started_at, job_deadline_at = lease.read
    return Claimed(lease, Candidate(params, rung, resource), job_started_at, job_deadline_at)


def renew(session: Session, lease: Lease, ttl_s: int) -> bool:
    """Extend the lease; ``False`` once the trial or its job is no longer this run's."""
    return leases.renew(session, _RENEW, lease, ttl_s)


def release(session: Session, lease: Lease) -> bool:
    """Put the trial back in the queue (its worker is shutting down)."""
    return leases.end(session, _RELEASE, lease)


def drop(session: Session, lease: Lease) -> None:
    """Forget a trial that will not be recorded (its job was cancelled or ran out of time)."""
    leases.end(session, _END, lease)


@dataclass(frozen=True)
class Recorded:
    """A trial just written (not held by the session), and its job, locked for choosing
    its next trials (as :func:`begin_advance` would)."""

    trial: Trial
    job: Locked


_PROGRESS = (
    update(Job)
    .where(Job.id == leases.JOB_ID, Job.status == JobStatus.RUNNING)
    .values(trials_completed=Job.trials_completed + 1, advanced_at=leases.NOW)
    .returning(Job.best_trial, *_LOCKED)
)
_RECORD = insert(Trial)
_BEST_SO_FAR = select(Trial.number, Trial.state, Trial.mean_score, Trial.rung).where(
    Trial.job_id == leases.JOB_ID, Trial.number == bindparam("best_so_far", type_=Integer())
)
_NEW_BEST = (
    update(Job)
    .where(Job.id == leases.JOB_ID)
    .values(
        best_score=bindparam("new_best_score", type_=Job.best_score.type),
        best_params=bindparam("new_best_params", type_=Job.best_params.type),
        best_trial=bindparam("new_best_trial", type_=Job.best_trial.type),
    )
)


def record(
    session: Session, lease: Lease, outcome: TrialOutcome, candidate: Candidate
) -> Recorded | None:
    """Write the finished trial and the job's progress, once, and lock the job for choosing
    its next trials; ``None`` when the lease was lost or the job is no longer running (then
    nothing is written but the removal of a trial in flight of a job that ended).

    The job's best is the better of its best so far and this trial (one row read, not
    every trial: :func:`~models.engine.search.best_trial` of the two is that of all).
    """
    if not leases.end(session, _END, lease):
        return None
    held = leases.params(lease)
    progressed = leases.execute(session, _PROGRESS, held).first()
    if progressed is None:
        return None
    values = {
        "job_id": lease.job_id,
        "number": lease.number,
        "params": outcome.params,
        "state": outcome.state,
        "fold_scores": outcome.fold_scores,
        "mean_score": outcome.mean_score,
        "std_score": outcome.std_score,
        "fit_time_s": outcome.fit_time_s,
        "score_time_s": outcome.score_time_s,
        "error": outcome.error,
        "metrics": outcome.metrics,
        "rung": candidate.rung,
        "resource": candidate.resource,
        "worker": lease.owner,
        "started_at": lease.taken_at,
        "finished_at": held[leases.NOW.key],
    }
    leases.execute(session, _RECORD, values)
    trial = Trial(**values)
    contenders: list[Any] = [trial]
    if progressed.best_trial is not None:
        best_so_far = {**held, "best_so_far": progressed.best_trial}
        contenders += leases.execute(session, _BEST_SO_FAR, best_so_far).all()
    if best_trial(contenders) is trial:
        new_best = {
            "new_best_score": trial.mean_score,
            "new_best_params": trial.params,
            "new_best_trial": trial.number,
        }
        leases.execute(session, _NEW_BEST, {**held, **new_best})
    return Recorded(trial, Locked(lease.job_id, *progressed[1:]))


def to_recover(session: Session, queued_before: datetime) -> list[tuple[str, int]]:
    """Trials whose message may be lost: running under a lapsed lease (the worker died), or
    queued since before ``queued_before``. Each is queued again with a fresh
    ``enqueued_at``, so it is re-sent once, not at every sweep; a duplicate is harmless
    (only one claim succeeds)."""
    now = utcnow()
    job_running = exists().where(Job.id == TrialRun.job_id, Job.status == JobStatus.RUNNING)
    stale = or_(
        and_(TrialRun.state == RUNNING, TrialRun.lease_expires_at < now),
        and_(TrialRun.state == QUEUED, TrialRun.enqueued_at < queued_before),
    )
    rows = list(
        session.execute(
            select(TrialRun.id, TrialRun.job_id, TrialRun.number).where(stale, job_running)
        )
    )
    if rows:
        session.execute(
            update(TrialRun)
            .where(TrialRun.id.in_([r.id for r in rows]))
            .values(state=QUEUED, lease_token=None, lease_expires_at=None, enqueued_at=now)
            .execution_options(synchronize_session=False)
        )
    # Trials of jobs that ended (cancelled meanwhile) will never be recorded.
    session.execute(
        delete(TrialRun)
        .where(~exists().where(Job.id == TrialRun.job_id, Job.status.in_(ACTIVE)))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return [(r.job_id, r.number) for r in rows]


def oldest_queued(session: Session) -> tuple[str, int] | None:
    """The trial that has waited longest for a worker, among running jobs (``job_id``,
    ``number``); ``None`` when none waits, or when a job waits to start (it goes first)."""
    if session.scalar(select(exists().where(Job.status == JobStatus.QUEUED))):
        return None
    row = session.execute(
        select(TrialRun.job_id, TrialRun.number)
        .join(Job, Job.id == TrialRun.job_id)
        .where(TrialRun.state == QUEUED, Job.status == JobStatus.RUNNING)
        .order_by(TrialRun.enqueued_at, TrialRun.id)
        .limit(1)
    ).first()
    return (row.job_id, row.number) if row is not None else None


def queued(session: Session, job_id: str) -> list[int]:
    """Numbers of the job's trials waiting for a worker (or whose worker's lease lapsed)."""
    now = utcnow()
    return list(
        session.scalars(
            select(TrialRun.number)
            .where(
                TrialRun.job_id == job_id,
                or_(
                    TrialRun.state == QUEUED,
                    and_(TrialRun.state == RUNNING, TrialRun.lease_expires_at < now),
                ),
            )
            .order_by(TrialRun.number)
        )
    )
