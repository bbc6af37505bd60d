"""A cancelled job's refit of its best candidate, under the job's lease.

Cancelling a job with at least one scored trial marks it ``refitting``
(:func:`models.store.jobs.cancel_job`): it is ``cancelled`` at once (no trial is claimed
or recorded after it), and one worker claims it here to refit its best candidate and store
the result and model as a finished job's, leaving its status alone. A second cancel marks
the refit ``stopped`` and clears the lease, so the refitting worker's next renewal fails
and it stops without writing. A worker killed mid-refit leaves a lease that lapses; the
recovery sweep (:func:`to_recover`) sends the job again, through the ``ix_jobs_refitting``
partial index. Like :mod:`models.store.jobs`' worker side, these write in the caller's
transaction and never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from models.store import leases
from models.store.leases import Lease
from models.store.records import Job, JobStatus, RefitState, listed, utcnow

_REFITTING = (Job.status == JobStatus.CANCELLED, Job.refit_state == RefitState.REFITTING)
_CLAIM = leases.claiming(Job, *_REFITTING, attempts=Job.attempts + 1)
_RENEW = leases.renewing(Job, *_REFITTING)


def claim(session: Session, job_id: str, worker: str, ttl_s: int) -> Lease | None:
    """Take a cancelled job to refit its best candidate, if its refit waits (or the worker
    that was doing it died)."""
    return leases.claim(session, _CLAIM, job_id, None, worker, ttl_s)


def renew(session: Session, lease: Lease, ttl_s: int) -> bool:
    """Extend the lease; ``False`` once a second cancel stopped the refit."""
    return leases.renew(session, _RENEW, lease, ttl_s)


def finish(session: Session, lease: Lease, state: RefitState, **values: Any) -> bool:
    """End the refit in ``state`` (with the result and model, or the error); the job stays
    cancelled. ``False`` if the lease was lost (a second cancel)."""
    ending = leases.ending(Job, *_REFITTING, refit_state=state, **values)
    return leases.end(session, ending, lease)


def release(session: Session, lease: Lease) -> bool:
    """Hand the refit back (the worker is shutting down): the sweep sends it again."""
    ending = leases.ending(Job, *_REFITTING, lease_owner=None, enqueued_at=None)
    return leases.end(session, ending, lease)


def stop(session: Session, job_id: str) -> bool:
    """A second cancel: stop the refit if it runs (the job keeps no model); ``False`` when
    there is none to stop."""
    stopped = session.execute(
        update(Job)
        .where(Job.id == job_id, *_REFITTING)
        .values(refit_state=RefitState.STOPPED, lease_token=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    return stopped.rowcount == 1


def to_recover(session: Session, queued_before: datetime) -> list[str]:
    """Cancelled jobs whose refit may be lost: never taken since ``queued_before``, or
    taken by a worker whose lease lapsed (it died). Each one's ``enqueued_at`` is reset so
    that it is sent once a sweep, not at every one; the caller commits."""
    now = utcnow()
    ids = list(
        session.scalars(
            select(Job.id).where(
                listed(Job.refit_state, [RefitState.REFITTING.value]),
                Job.status == JobStatus.CANCELLED,
                or_(
                    and_(
                        Job.lease_token.is_not(None),
                        Job.lease_expires_at < now,
                        or_(Job.enqueued_at.is_(None), Job.enqueued_at < Job.lease_expires_at),
                    ),
                    and_(
                        Job.lease_token.is_(None),
                        or_(Job.enqueued_at.is_(None), Job.enqueued_at < queued_before),
                    ),
                ),
            )
        )
    )
    if ids:
        session.execute(
            update(Job)
            .where(Job.id.in_(ids))
            .values(enqueued_at=now)
            .execution_options(synchronize_session=False)
        )
    return ids
