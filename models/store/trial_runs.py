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
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, or_, select, update
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
)


def begin_advance(session: Session, job_id: str) -> Job | None:
    """Lock ``job_id`` for choosing its next trials (until the transaction ends); a queued
    job starts running. ``None`` when the job has ended."""
    now = utcnow()
    locked = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_(ACTIVE))
        .values(advanced_at=now)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount == 0:
        return None
    job = session.get(Job, job_id, populate_existing=True)
    if job.status == JobStatus.QUEUED:
        job.status = JobStatus.RUNNING
        job.started_at = job.started_at or now
        job.attempts += 1
        session.flush()
    return job


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


def in_flight(session: Session, job_id: str) -> list[TrialRun]:
    """The job's trials queued or running, in number order."""
    return list(
        session.scalars(select(TrialRun).where(TrialRun.job_id == job_id).order_by(TrialRun.number))
    )


def add(session: Session, job_id: str, trials: Iterable[tuple[int, Candidate]]) -> None:
    """Queue ``trials``; raises ``IntegrityError`` if a number was taken meanwhile (the
    caller's transaction then queues nothing)."""
    now = utcnow()
    session.add_all(
        TrialRun(
            job_id=job_id,
            number=number,
            params=candidate.params,
            rung=candidate.rung,
            resource=candidate.resource,
            state=QUEUED,
            enqueued_at=now,
        )
        for number, candidate in trials
    )
    session.flush()


def _job_running(job_id: str) -> Any:
    return exists().where(Job.id == job_id, Job.status == JobStatus.RUNNING)


def claim(session: Session, job_id: str, number: int, worker: str, ttl_s: int) -> Lease | None:
    """Take trial ``number`` if it is queued, or running under a lease that lapsed, and its
    job is running."""
    return leases.claim(
        session,
        job_id,
        number,
        worker,
        ttl_s,
        _job_running(job_id),
        state=RUNNING,
        started_at=utcnow(),
    )


def renew(session: Session, lease: Lease, ttl_s: int) -> bool:
    """Extend the lease; ``False`` once the trial or its job is no longer this run's."""
    return leases.renew(session, lease, ttl_s, _job_running(lease.job_id))


def release(session: Session, lease: Lease) -> bool:
    """Put the trial back in the queue (its worker is shutting down)."""
    return leases.end(
        session, lease, state=QUEUED, worker=None, started_at=None, enqueued_at=utcnow()
    )


def drop(session: Session, lease: Lease) -> None:
    """Forget a trial that will not be recorded (its job was cancelled or ran out of time)."""
    session.execute(delete(TrialRun).where(leases.held(lease)))


def record(
    session: Session, lease: Lease, outcome: TrialOutcome, candidate: Candidate
) -> Trial | None:
    """Write the finished trial and the job's progress, once; the trial, or ``None`` when
    the lease was lost or the job is no longer running (then nothing is written but the
    removal of a trial in flight of a job that ended).

    The job's best is the better of its best so far and this trial (one row read, not
    every trial: :func:`~models.engine.search.best_trial` of the two is that of all).
    """
    mine = session.execute(delete(TrialRun).where(leases.held(lease)))
    if mine.rowcount != 1:
        return None
    progressed = session.execute(
        update(Job)
        .where(Job.id == lease.job_id, Job.status == JobStatus.RUNNING)
        .values(trials_completed=Job.trials_completed + 1)
        .returning(Job.best_trial)
        .execution_options(synchronize_session=False)
    ).first()
    if progressed is None:
        return None
    trial = Trial(
        job_id=lease.job_id,
        number=lease.number,
        params=outcome.params,
        state=outcome.state,
        fold_scores=outcome.fold_scores,
        mean_score=outcome.mean_score,
        std_score=outcome.std_score,
        fit_time_s=outcome.fit_time_s,
        score_time_s=outcome.score_time_s,
        error=outcome.error,
        metrics=outcome.metrics,
        rung=candidate.rung,
        resource=candidate.resource,
        worker=lease.owner,
        started_at=lease.taken_at,
        finished_at=utcnow(),
    )
    session.add(trial)
    session.flush()
    contenders = [trial]
    if progressed.best_trial is not None:
        contenders += recorded(session, lease.job_id, [progressed.best_trial])
    best = best_trial(contenders)
    if best is trial:
        session.execute(
            update(Job)
            .where(Job.id == lease.job_id)
            .values(best_score=trial.mean_score, best_params=trial.params, best_trial=trial.number)
            .execution_options(synchronize_session=False)
        )
    return trial


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


def get(session: Session, job_id: str, number: int) -> tuple[TrialRun, datetime] | None:
    """The trial in flight and when its job started (its deadline counts from then)."""
    row = session.execute(
        select(TrialRun, Job.started_at)
        .join(Job, Job.id == TrialRun.job_id)
        .where(TrialRun.job_id == job_id, TrialRun.number == number)
    ).first()
    return (row[0], row[1]) if row is not None else None


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
