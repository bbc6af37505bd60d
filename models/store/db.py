"""Engine and sessions from a URL.

SQLite (the embedded default) is shared by the API and worker processes, so it runs in
WAL mode and a statement waits a generous while for another process's write lock;
PostgreSQL (``postgresql+psycopg://``) needs only a connect timeout. The tables come from
the migrations (:func:`models.store.migrate.upgrade`), not from the engine.
"""

from __future__ import annotations

import itertools
import random
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from models.store.estimates import DryRunEstimate  # noqa: F401  (registers its table)
from models.store.idempotency import IdempotencyRecord  # noqa: F401  (registers its table)
from models.store.rate_buckets import RateBucket  # noqa: F401  (registers its table)
from models.store.records import Base  # noqa: F401  (Base.metadata: every table, for callers)
from models.store.worker_beats import WorkerBeat  # noqa: F401  (registers its table)

# How long a SQLite statement waits for another process's lock before it fails ("database
# is locked", answered 503 with Retry-After): longer than any write the service makes.
SQLITE_BUSY_TIMEOUT_SECONDS: float = 30

# The wait is in Python, not in SQLite's busy handler: that one sleeps inside C, and in the
# API's gevent worker (one thread for every request of the process) it held every other
# request, /healthz included, for as long as a write waited. SQLite answers "locked" at
# once (busy timeout 0) and the statement is tried again after a pause, which gevent
# makes a yield; in a Celery worker it is an ordinary wait.
#
# The waiters of a process take turns (:class:`_Turns`): first come, first served, and only
# the one at the head tries the lock again, every few ms (jittered, so the heads of two
# processes do not keep meeting), and at once when a transaction of this process ends.
# With every waiter backing off on its own (SQLite's pauses, up to 100 ms), one that had
# waited long slept the longest and a newcomer took the lock before it, again and again:
# submits from 16 clients waited over a second at p99.
_HEAD_PAUSES_S = (0.0005, 0.001, 0.002, 0.004)
_HEAD_JITTER = 0.5  # each pause is drawn from [(1 - _HEAD_JITTER) * pause, pause]

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


class _Turns:
    """The statements of one process waiting for a database's lock, in the order they came.

    Only the head tries again; the others wait on an event (a greenlet's wait under gevent,
    as ``threading`` is patched there), so a waiting write never holds the event loop. A
    statement always tries once before it queues: one inside a transaction that holds the
    lock never finds it taken, and must not wait behind those waiting for it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()  # held only to change the queue, never across a wait
        self._queue: deque[threading.Event] = deque()

    def wait_for_the_lock(
        self, attempt: Callable[[], T], deadline: float, busy: sqlite3.OperationalError
    ) -> T:
        """``attempt()`` once this statement's turn comes, tried again while ``busy``
        (the error it got) holds, until ``deadline`` (``time.monotonic()``)."""
        me = threading.Event()  # looked up now: gevent's once the API's worker patched it
        with self._lock:
            self._queue.append(me)
            if self._queue[0] is me:
                me.set()
        try:
            if not me.wait(max(0.0, deadline - time.monotonic())):
                raise busy  # still queued when the wait was over
            for tries in itertools.count():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise busy
                pause = _HEAD_PAUSES_S[min(tries, len(_HEAD_PAUSES_S) - 1)]
                me.clear()  # set again by a transaction of this process ending (released)
                me.wait(min(left, pause * (1 - _HEAD_JITTER * random.random())))
                try:
                    return attempt()
                except sqlite3.OperationalError as error:
                    if not _may_try_again(error):
                        raise
                    busy = error
            raise AssertionError("unreachable")  # itertools.count() does not end
        finally:
            with self._lock:
                head = self._queue[0] is me
                self._queue.remove(me)
                if head and self._queue:
                    self._queue[0].set()

    def released(self) -> None:
        """A transaction of this process ended: the head tries now rather than after its
        pause."""
        with self._lock:
            if self._queue:
                self._queue[0].set()


def _waiting_for_the_lock(attempt: Callable[[], T], wait_s: float, turns: _Turns) -> T:
    """``attempt()``, tried again while the database is locked, for up to ``wait_s``.

    Safe because a statement that gets SQLITE_BUSY changed nothing, and with Python's
    sqlite3 (which begins a transaction only before the first INSERT, UPDATE or DELETE)
    it is a read or the write that opens the transaction: nothing is held yet.
    """
    deadline = time.monotonic() + wait_s
    try:
        return attempt()
    except sqlite3.OperationalError as error:
        if not _may_try_again(error) or wait_s <= 0:
            raise
        return turns.wait_for_the_lock(attempt, deadline, error)


def _wait_for_locks(engine: Engine, wait_s: float) -> None:
    """Every statement ``engine`` runs waits for another process's lock in Python."""
    turns = _Turns()

    @event.listens_for(engine, "do_execute")
    def _execute(cursor: Any, statement: str, parameters: Any, _context: Any) -> bool:
        _waiting_for_the_lock(lambda: cursor.execute(statement, parameters), wait_s, turns)
        return True

    @event.listens_for(engine, "do_execute_no_params")
    def _execute_no_params(cursor: Any, statement: str, _context: Any) -> bool:
        _waiting_for_the_lock(lambda: cursor.execute(statement), wait_s, turns)
        return True

    @event.listens_for(engine, "do_executemany")
    def _executemany(cursor: Any, statement: str, parameters: Any, _context: Any) -> bool:
        # only the first row can find the lock taken: after it the transaction holds it
        _waiting_for_the_lock(lambda: cursor.executemany(statement, parameters), wait_s, turns)
        return True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _released(_connection: Any) -> None:
        turns.released()

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            # the first switch to WAL takes the lock
            _waiting_for_the_lock(lambda p=pragma: cursor.execute(f"PRAGMA {p}"), wait_s, turns)
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
