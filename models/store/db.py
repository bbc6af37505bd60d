"""Engine and sessions from a URL.

SQLite (the embedded default) is shared by the API and worker processes, so it runs in
WAL mode and a statement waits a generous while for another process's write lock;
PostgreSQL (``postgresql+psycopg://``) needs only a connect timeout. The tables come from
the migrations (:func:`models.store.migrate.upgrade`), not from the engine.
"""

from __future__ import annotations

import itertools
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from models.store.idempotency import IdempotencyRecord  # noqa: F401  (registers its table)
from models.store.records import Base  # noqa: F401  (Base.metadata: every table, for callers)

# How long a SQLite statement waits for another process's lock before it fails ("database
# is locked", answered 503 with Retry-After): longer than any write the service makes.
SQLITE_BUSY_TIMEOUT_SECONDS: float = 30

# The wait is in Python, not in SQLite's busy handler: that one sleeps inside C, and in the
# API's gevent worker (one thread for every request of the process) it held every other
# request, /healthz included, for as long as a write waited. SQLite answers "locked" at
# once (busy timeout 0) and the statement is tried again after a ``time.sleep``, which
# gevent makes a yield; in a Celery worker it is an ordinary sleep, as SQLite's was.
# The pauses are SQLite's own busy handler's (sqlite3.c, sqliteDefaultBusyCallback).
_BUSY_PAUSES_S = (0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.025, 0.025, 0.025, 0.05, 0.05, 0.1)

T = TypeVar("T")


def _may_try_again(error: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY: the statement found the lock taken and did nothing; trying it again is
    what SQLite's busy handler does. Not SQLITE_BUSY_SNAPSHOT: a transaction that read
    before another process committed can never write (SQLite does not wait then either)."""
    code = getattr(error, "sqlite_errorcode", None)
    return (
        code is not None
        and code & 0xFF == sqlite3.SQLITE_BUSY
        and code != sqlite3.SQLITE_BUSY_SNAPSHOT
    )


def _waiting_for_the_lock(attempt: Callable[[], T], wait_s: float) -> T:
    """``attempt()``, tried again while the database is locked, for up to ``wait_s``.

    Safe because a statement that gets SQLITE_BUSY changed nothing, and with Python's
    sqlite3 (which begins a transaction only before the first INSERT, UPDATE or DELETE)
    it is a read or the write that opens the transaction: nothing is held yet.
    """
    deadline = time.monotonic() + wait_s
    for tries in itertools.count():
        try:
            return attempt()
        except sqlite3.OperationalError as error:
            left = deadline - time.monotonic()
            if not _may_try_again(error) or left <= 0:
                raise
            pause = _BUSY_PAUSES_S[min(tries, len(_BUSY_PAUSES_S) - 1)]
            time.sleep(min(pause, left))  # module attribute: gevent's when patched
    raise AssertionError("unreachable")  # itertools.count() does not end


def _wait_for_locks(engine: Engine, wait_s: float) -> None:
    """Every statement ``engine`` runs waits for another process's lock in Python."""

    @event.listens_for(engine, "do_execute")
    def _execute(cursor: Any, statement: str, parameters: Any, _context: Any) -> bool:
        _waiting_for_the_lock(lambda: cursor.execute(statement, parameters), wait_s)
        return True

    @event.listens_for(engine, "do_execute_no_params")
    def _execute_no_params(cursor: Any, statement: str, _context: Any) -> bool:
        _waiting_for_the_lock(lambda: cursor.execute(statement), wait_s)
        return True

    @event.listens_for(engine, "do_executemany")
    def _executemany(cursor: Any, statement: str, parameters: Any, _context: Any) -> bool:
        # only the first row can find the lock taken: after it the transaction holds it
        _waiting_for_the_lock(lambda: cursor.executemany(statement, parameters), wait_s)
        return True

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            # the first switch to WAL takes the lock
            _waiting_for_the_lock(lambda p=pragma: cursor.execute(f"PRAGMA {p}"), wait_s)
        cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; creates the SQLite file's folder (not the tables)."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 0})
        _wait_for_locks(engine, SQLITE_BUSY_TIMEOUT_SECONDS)
    elif url.startswith("postgresql"):
        # A database host that drops packets would otherwise hang /readyz and every
        # request for the TCP timeout (minutes); the API answers 503 within seconds.
        engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded attributes after commit (records are read after writes)."""
    return sessionmaker(engine, expire_on_commit=False)
