"""Trials in flight: chosen, sent to the workers, claimed under a lease, recorded once.

A job's next trials are chosen under a per-job lock (:func:`begin_advance` updates the
job row first, which takes a row lock on PostgreSQL and the write lock on SQLite), so two
workers that record trials at the same moment never both miss the other's. A worker
claims a queued trial with a lease (owner, token, expiry) renewed by a heartbeat;
recording it deletes its row here and writes the finished trial in one transaction,
conditional on the lease, so a trial whose worker died and which ran again elsewhere is
recorded exactly once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, load_only

from models.engine.evaluate import TrialOutcome
from models.engine.strategies import Candidate
from models.store.records import Job, JobStatus, Trial, TrialRun, utcnow

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
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


@dataclass(frozen=True)
class RunLease:
    """Proof that one worker runs trial ``number`` of ``job_id``."""

    job_id: str
    number: int
    token: str
    worker: str
    started_at: datetime


def begin_advance(session: Session, job_id: str) -> Job | None:
    """Lock ``job_id`` for choosing its next trials (until the session commits); a queued
    job starts running. ``None`` when the job has ended."""
    now = utcnow()
    locked = session.execute(
        update(Job).where(Job.id == job_id, Job.status.in_(ACTIVE)).values(advanced_at=now)
    )
    if locked.rowcount == 0:
        session.rollback()
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
    recorded = session.scalars(
        select(Trial).options(_PAST).where(Trial.job_id == job_id).order_by(Trial.number)
    )
    runs = session.scalars(
        select(TrialRun).where(TrialRun.job_id == job_id).order_by(TrialRun.number)
    )
    return list(recorded), list(runs)


def add(session: Session, job_id: str, trials: Iterable[tuple[int, Candidate]]) -> bool:
    """Queue ``trials`` (in the advancing transaction) and commit; ``False`` if a number was
    taken meanwhile (nothing is queued then)."""
    now = utcnow()
    for number, candidate in trials:
        session.add(
            TrialRun(
                job_id=job_id,
                number=number,
                params=candidate.params,
                rung=candidate.rung,
                resource=candidate.resource,
                state=QUEUED,
                enqueued_at=now,
            )
        )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def claim(session: Session, job_id: str, number: int, worker: str, ttl_s: int) -> RunLease | None:
    """Take trial ``number`` if it is queued, or running under a lease that lapsed, and its
    job is running."""
    now = utcnow()
    token = secrets.token_hex(16)
    job_running = exists().where(Job.id == job_id, Job.status == JobStatus.RUNNING)
    claimed = session.execute(
        update(TrialRun)
        .where(
            TrialRun.job_id == job_id,
            TrialRun.number == number,
            or_(
                TrialRun.state == QUEUED,
                and_(TrialRun.state == RUNNING, TrialRun.lease_expires_at < now),
            ),
            job_running,
        )
        .values(
            state=RUNNING,
            worker=worker,
            started_at=now,
            lease_token=token,
            lease_expires_at=now + timedelta(seconds=ttl_s),
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return RunLease(job_id, number, token, worker, now) if claimed.rowcount == 1 else None


def _held(lease: RunLease) -> Any:
    return and_(
        TrialRun.job_id == lease.job_id,
        TrialRun.number == lease.number,
        TrialRun.lease_token == lease.token,
    )


def renew(session: Session, lease: RunLease, ttl_s: int) -> bool:
    """Extend the lease; ``False`` once the trial or its job is no longer this run's."""
    job_running = exists().where(Job.id == lease.job_id, Job.status == JobStatus.RUNNING)
    renewed = session.execute(
        update(TrialRun)
        .where(_held(lease), job_running)
        .values(lease_expires_at=utcnow() + timedelta(seconds=ttl_s))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return renewed.rowcount == 1


def release(session: Session, lease: RunLease) -> bool:
    """Put the trial back in the queue (its worker is shutting down)."""
    released = session.execute(
        update(TrialRun)
        .where(_held(lease))
        .values(
            state=QUEUED,
            worker=None,
            started_at=None,
            lease_token=None,
            lease_expires_at=None,
            enqueued_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return released.rowcount == 1


def drop(session: Session, lease: RunLease) -> None:
    """Forget a trial that will not be recorded (its job was cancelled or ran out of time)."""
    session.execute(delete(TrialRun).where(_held(lease)))
    session.commit()


def record(
    session: Session,
    lease: RunLease,
    outcome: TrialOutcome,
    candidate: Candidate,
    best_of: Callable[[list[Trial]], Trial | None],
) -> bool:
    """Write the finished trial and the job's progress, once; ``False`` (nothing written)
    when the lease was lost or the job is no longer running."""
    try:
        mine = session.execute(delete(TrialRun).where(_held(lease)))
        if mine.rowcount != 1:
            session.rollback()
            return False
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
            worker=lease.worker,
            started_at=lease.started_at,
            finished_at=utcnow(),
        )
        session.add(trial)
        session.flush()
        recorded = list(
            session.scalars(select(Trial).options(_PAST).where(Trial.job_id == lease.job_id))
        )
        values: dict[str, Any] = {"trials_completed": len(recorded)}
        best = best_of(recorded)
        if best is not None:
            values |= {
                "best_score": best.mean_score,
                "best_params": best.params,
                "best_trial": best.number,
            }
        progressed = session.execute(
            update(Job)
            .where(Job.id == lease.job_id, Job.status == JobStatus.RUNNING)
            .values(**values)
        )
        if progressed.rowcount != 1:
            session.rollback()
            return False
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


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
