"""A lock per tenant, held until the transaction ends: what makes checking a tenant's
records and the write that depends on the check a single step.

Every check-then-act on one tenant's records takes it first: the quota of active jobs and
the submit that adds one, the storage quota and the upload that adds to it, a dataset in
use and its delete (a submit checks that its dataset is still there under the same lock).
Concurrent requests of one tenant (API threads, processes or machines alike) then wait for
each other; other tenants' requests do not (on PostgreSQL).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import false, func, select, update
from sqlalchemy.orm import Session

from models.store.records import Job


def lock_tenant(session: Session, owner: str) -> None:
    """Hold ``owner``'s lock until ``session`` commits or rolls back.

    Take it before reading what it guards: on PostgreSQL (read committed) every statement
    after it sees what the previous holder committed; on SQLite the write lock it takes
    starts the transaction, whose reads then see the latest commit.
    """
    if session.get_bind().dialect.name == "postgresql":
        digest = hashlib.blake2b(owner.encode(), digest_size=8).digest()
        key = int.from_bytes(digest, "big", signed=True)  # advisory keys are bigint
        session.execute(select(func.pg_advisory_xact_lock(key)))
    else:
        # SQLite has one writer at a time: a write, even of no row, takes the database's
        # write lock first, and concurrent callers wait for it (the busy timeout).
        session.execute(update(Job).where(false()).values(owner=owner))
