"""The lease protocol, for the two things a worker holds: a trial it runs, a job it concludes.

A worker *claims* a row with a lease (a random token and an expiry) when the row is
free: no lease, or one that lapsed because its worker died. It renews the lease while it
works, and every write it makes is conditional on still holding it, so a run that was
cancelled or taken over is never written by a stale worker. Ending a lease (release,
finish, record) clears it.

These functions write in the caller's transaction and never commit: the caller says
where the unit of work ends (``with sessions.begin():``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, update
from sqlalchemy.orm import Session

from models.store.records import Job, TrialRun, utcnow


@dataclass(frozen=True)
class Lease:
    """Proof that ``owner`` holds trial ``number`` of ``job_id`` (or, when ``number`` is
    ``None``, the job itself, to conclude it) since ``taken_at``."""

    job_id: str
    number: int | None
    token: str
    owner: str
    taken_at: datetime


def _table(number: int | None) -> Any:
    return Job if number is None else TrialRun


def _row(job_id: str, number: int | None) -> Any:
    if number is None:
        return Job.id == job_id
    return and_(TrialRun.job_id == job_id, TrialRun.number == number)


def free(table: Any, now: datetime) -> Any:
    """The condition that a row of ``table`` (``Job`` or ``TrialRun``) is not held: no
    lease, or one that lapsed."""
    return or_(table.lease_token.is_(None), table.lease_expires_at < now)


def claim(
    session: Session,
    job_id: str,
    number: int | None,
    owner: str,
    ttl_s: int,
    *where: Any,
    **values: Any,
) -> Lease | None:
    """Take the row if it is free and ``where`` holds, setting ``values`` besides the
    lease; ``None`` when it is held or ``where`` does not hold."""
    now = utcnow()
    table = _table(number)
    token = secrets.token_hex(16)
    owner_column = "lease_owner" if table is Job else "worker"
    taken = session.execute(
        update(table)
        .where(_row(job_id, number), free(table, now), *where)
        .values(
            lease_token=token,
            lease_expires_at=now + timedelta(seconds=ttl_s),
            **{owner_column: owner},
            **values,
        )
        .execution_options(synchronize_session=False)
    )
    return Lease(job_id, number, token, owner, now) if taken.rowcount == 1 else None


def held(lease: Lease) -> Any:
    """The condition that ``lease`` still holds its row."""
    table = _table(lease.number)
    return and_(_row(lease.job_id, lease.number), table.lease_token == lease.token)


def renew(session: Session, lease: Lease, ttl_s: int, *where: Any) -> bool:
    """Extend ``lease`` if it still holds (and ``where`` does); ``False`` once it is lost."""
    table = _table(lease.number)
    renewed = session.execute(
        update(table)
        .where(held(lease), *where)
        .values(lease_expires_at=utcnow() + timedelta(seconds=ttl_s))
        .execution_options(synchronize_session=False)
    )
    return renewed.rowcount == 1


def end(session: Session, lease: Lease, *where: Any, **values: Any) -> bool:
    """Clear ``lease`` and set ``values``, if it still holds (and ``where`` does)."""
    table = _table(lease.number)
    ended = session.execute(
        update(table)
        .where(held(lease), *where)
        .values(lease_token=None, lease_expires_at=None, **values)
        .execution_options(synchronize_session=False)
    )
    return ended.rowcount == 1
