"""The lease protocol, for the two things a worker holds: a trial it runs, a job it concludes.

A worker *claims* a row with a lease (a random token and an expiry) when the row is
free: no lease, or one that lapsed because its worker died. It renews the lease while it
works, and every write it makes is conditional on still holding it, so a run that was
cancelled or taken over is never written by a stale worker. Ending a lease (release,
finish, record) clears it.

Each caller builds its statements once, at import (:func:`claiming`, :func:`renewing`,
:func:`ending`, :func:`held`), with bound parameters filled in at each call: a trial's
claim, record and renewal run thousands of times a job, and building and compiling an
UPDATE each time cost more than SQLite took to run it (0.9 ms against 0.2 ms a claim,
``bench/search_overhead.py``). They run on the session's connection, in the caller's
transaction, and never commit: the caller says where the unit of work ends
(``with sessions.begin():``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Delete, Integer, String, Update, and_, bindparam, or_, update
from sqlalchemy.orm import Session

from models.store.records import Job, TrialRun, UTCDateTime, utcnow

# The bound parameters every lease statement may use (:func:`params`); a caller's own
# clauses may use them too (e.g. ``started_at=NOW``). No parameter may be named like a
# column of the table: SQLAlchemy would add it to an UPDATE's SET clause (``owner``!).
JOB_ID = bindparam("held_job_id", type_=String())
NUMBER = bindparam("held_number", type_=Integer())
TOKEN = bindparam("held_token", type_=String())
OWNER = bindparam("held_owner", type_=String())
NOW = bindparam("held_now", type_=UTCDateTime())
EXPIRES = bindparam("held_expires", type_=UTCDateTime())


@dataclass(frozen=True)
class Lease:
    """Proof that ``owner`` holds trial ``number`` of ``job_id`` (or, when ``number`` is
    ``None``, the job itself, to conclude it) since ``taken_at``."""

    job_id: str
    number: int | None
    token: str
    owner: str
    taken_at: datetime
    # What the claim read of the row it took (its ``returning`` columns), in that order.
    read: tuple[Any, ...] = ()


def _row(table: Any) -> Any:
    if table is Job:
        return Job.id == JOB_ID
    return and_(TrialRun.job_id == JOB_ID, TrialRun.number == NUMBER)


def free(table: Any, now: Any = NOW) -> Any:
    """The condition that a row of ``table`` (``Job`` or ``TrialRun``) is not held: no
    lease, or one that lapsed (by ``now``, a value or the :data:`NOW` parameter)."""
    return or_(table.lease_token.is_(None), table.lease_expires_at < now)


def held(table: Any) -> Any:
    """The condition that the lease in the parameters (:func:`params`) still holds its row."""
    return and_(_row(table), table.lease_token == TOKEN)


def claiming(table: Any, *where: Any, returning: tuple[Any, ...] = (), **values: Any) -> Update:
    """The statement that takes a row of ``table`` if it is free and ``where`` holds,
    setting ``values`` besides the lease and reading ``returning``: for :func:`claim`."""
    owner_column = "lease_owner" if table is Job else "worker"
    return (
        update(table)
        .where(_row(table), free(table), *where)
        .values(lease_token=TOKEN, lease_expires_at=EXPIRES, **{owner_column: OWNER}, **values)
        .returning(table.id, *returning)
    )


def renewing(table: Any, *where: Any) -> Update:
    """The statement that extends a lease if it still holds (and ``where`` does): for
    :func:`renew`."""
    return update(table).where(held(table), *where).values(lease_expires_at=EXPIRES)


def ending(table: Any, *where: Any, **values: Any) -> Update:
    """The statement that clears a lease and sets ``values``, if it still holds (and
    ``where`` does): for :func:`end`."""
    return (
        update(table)
        .where(held(table), *where)
        .values(lease_token=None, lease_expires_at=None, **values)
    )


def params(lease: Lease, ttl_s: int = 0) -> dict[str, Any]:
    """The bound parameters of a statement about ``lease`` (the expiry ``ttl_s`` from now)."""
    now = utcnow()
    return {
        JOB_ID.key: lease.job_id,
        NUMBER.key: lease.number,
        TOKEN.key: lease.token,
        OWNER.key: lease.owner,
        NOW.key: now,
        EXPIRES.key: now + timedelta(seconds=ttl_s),
    }


def claim(
    session: Session,
    statement: Update,
    job_id: str,
    number: int | None,
    owner: str,
    ttl_s: int,
    **values: Any,
) -> Lease | None:
    """Run a :func:`claiming` ``statement`` (with ``values`` for its own parameters); the
    lease, or ``None`` when the row is held or the statement's conditions do not hold."""
    lease = Lease(job_id, number, secrets.token_hex(16), owner, utcnow())
    taken = execute(session, statement, {**params(lease, ttl_s), **values}).first()
    if taken is None:
        return None
    return Lease(job_id, number, lease.token, owner, lease.taken_at, tuple(taken[1:]))


def renew(session: Session, statement: Update, lease: Lease, ttl_s: int) -> bool:
    """Run a :func:`renewing` ``statement``: ``False`` once the lease is lost."""
    return execute(session, statement, params(lease, ttl_s)).rowcount == 1


def end(session: Session, statement: Update | Delete, lease: Lease, **values: Any) -> bool:
    """Run an :func:`ending` ``statement`` (or a delete of the rows :func:`held` names),
    with ``values`` for its own parameters: ``False`` if the lease was lost."""
    return execute(session, statement, {**params(lease), **values}).rowcount == 1


def execute(session: Session, statement: Any, values: dict[str, Any]) -> Any:
    """``statement`` with ``values``, on the session's connection (in its transaction)."""
    return session.connection().execute(statement, values)
