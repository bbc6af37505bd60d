"""Requests a second per API key, counted in the database, so that every API process on
every host draws from one bucket per key.

The bucket is kept as the generic cell rate algorithm keeps it: one number per key,
``due_at``, the time at which the bucket will be full again (a request adds ``interval``
= 1 / rate to it, time takes it away). A request is allowed when, with it, ``due_at`` is
at most ``window`` = burst * interval ahead of now: a full bucket allows ``burst``
requests at once, then one per ``interval``. That is a token bucket of ``burst`` tokens
refilled at ``rate`` a second, in a single column that one statement can test and move.

:func:`take` is one ``INSERT … ON CONFLICT DO UPDATE … WHERE … RETURNING``: on PostgreSQL
the row's lock makes concurrent requests for one key wait for each other, on SQLite the
statement takes the database's write lock; either way no two requests see the same
bucket, and the limit holds whatever the number of API processes and hosts. A bucket
never holds more than its window ahead of now, even when a host's clock lags the one
that wrote it, so a skewed clock costs at most one interval, never a long refusal.

Keys are stored as a digest, never as themselves; each key that ever passed
authentication has one row (a few dozen bytes).
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Float, Insert, String, bindparam, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.store.records import Base


class RateBucket(Base):
    """One API key's bucket: when it will be full again, in seconds since the epoch."""

    __tablename__ = "rate_buckets"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    due_at: Mapped[float] = mapped_column(Float)


KEY = bindparam("bucket_key", type_=String())
NOW = bindparam("now_s", type_=Float())
INTERVAL = bindparam("interval_s", type_=Float())
WINDOW = bindparam("window_s", type_=Float())
# The window with a microsecond's slack: due_at sums many intervals in floating point, and
# a burst's last request must not be refused for a rounding error.
LIMIT = bindparam("limit_s", type_=Float())
SLACK_S = 1e-6

# One statement per dialect, built once (a request's cost is mostly this statement).
_TAKES: dict[str, Insert] = {}


def bucket_of(key: str) -> str:
    """The row's key for an API key: a digest, so the table holds no usable key."""
    raw = key.encode("utf-8", "surrogatepass")  # a header may hold anything
    return hashlib.blake2b(raw, digest_size=32, person=b"tuneforge.rate").hexdigest()


def _take_statement(dialect: str) -> Insert:
    """``INSERT … ON CONFLICT (key) DO UPDATE … WHERE <allowed> RETURNING due_at``."""
    if dialect == "postgresql":
        insert: Any = postgresql.insert
        greatest, least = func.greatest, func.least
    else:  # SQLite: max() and min() with two arguments are its scalar functions
        insert, greatest, least = sqlite.insert, func.max, func.min
    # The bucket as it stands now: not before now (it refilled), nor more than a window
    # ahead (a clock behind the one that wrote it).
    current = least(greatest(RateBucket.due_at, NOW), NOW + WINDOW)
    return (
        insert(RateBucket)
        .values(key=KEY, due_at=NOW + INTERVAL)
        .on_conflict_do_update(
            index_elements=[RateBucket.key],
            set_={"due_at": current + INTERVAL},
            where=current + INTERVAL <= NOW + LIMIT,
        )
        .returning(RateBucket.due_at)
    )


def commit_without_waiting(session: Session) -> None:
    """On PostgreSQL, let the current transaction commit without waiting for its WAL to
    reach the disk (``synchronous_commit`` off for this transaction alone: nothing leaks to
    the pooled connection, or through PgBouncer). A bucket needs no durability, a crash
    forgets at most the last instant of counting, and the wait was most of a request's
    cost: 7 to 10 ms against 1 to 3.5 ms, on a busy 2-core machine."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit = off"))


def take(session: Session, key: str, now: float, rate: float, burst: float) -> float:
    """Take one request from ``key``'s bucket at ``now`` (seconds since the epoch): 0 if
    it may go ahead, else the seconds until it may. Writes; the caller commits."""
    dialect = session.get_bind().dialect.name
    statement = _TAKES.get(dialect)
    if statement is None:
        statement = _TAKES.setdefault(dialect, _take_statement(dialect))
    interval = 1 / rate
    params = {"bucket_key": bucket_of(key), "now_s": now, "interval_s": interval}
    params["window_s"] = burst * interval
    params["limit_s"] = params["window_s"] + SLACK_S
    if session.execute(statement, params).first() is not None:
        return 0.0
    # Refused: the row is this transaction's (locked, or SQLite's write lock held).
    due_at = session.scalar(select(RateBucket.due_at).where(RateBucket.key == params["bucket_key"]))
    current = min(max(due_at if due_at is not None else now, now), now + params["window_s"])
    return max(current + interval - params["window_s"] - now, 1e-3)
