"""Engine and sessions from a URL.

SQLite (the embedded default) is shared by the API and worker processes, so it runs in
WAL mode with a generous busy timeout; PostgreSQL (``postgresql+psycopg://``) needs only
a connect timeout. The tables come from the migrations
(:func:`models.store.migrate.upgrade`), not from the engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from models.store.idempotency import IdempotencyRecord  # noqa: F401  (registers its table)
from models.store.records import Base  # noqa: F401  (Base.metadata: every table, for callers)

# How long a SQLite statement waits for another process's lock before it fails ("database
# is locked", answered 503 with Retry-After): longer than any write the service makes.
SQLITE_BUSY_TIMEOUT_SECONDS: float = 30


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; creates the SQLite file's folder (not the tables)."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
        event.listen(engine, "connect", _sqlite_pragmas)
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
