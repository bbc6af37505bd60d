"""Bring a database to the newest schema: ``upgrade(url)``, safe from many processes.

Every process that opens the database (``tuneforge serve | api | worker | db upgrade``)
calls :func:`upgrade` first, so several may do it at once on a fresh data dir; one
migrates while the others wait, then find nothing to do. The lock is the database's own
where it has one and an exclusive ``flock`` on ``<database>.migrate.lock`` beside a SQLite
file. On PostgreSQL it is an advisory lock held by the migration's transaction
(``pg_advisory_xact_lock``), the first statement of the one transaction every revision
runs in: released when it commits or rolls back (or its connection dies), and safe
through PgBouncer in transaction mode, which hands each transaction, not each session, a
server connection (a session-level lock taken there could be left on a pooled server
connection and stop every later start).

A database made by ``Base.metadata.create_all``, before migrations existed, has the
tables but no ``alembic_version``: it is stamped at :data:`BASELINE` (whose tables are
exactly those), then upgraded like any other.
"""

from __future__ import annotations

import fcntl
import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from models.store.db import make_engine

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "6426a2eb81bb"
# pg_advisory_xact_lock's key, shared by every tuneforge process on one PostgreSQL database:
# the first 8 bytes of sha256(b"tuneforge.migrate"), as a signed 64-bit integer.
ADVISORY_LOCK_KEY = -3572420902139951029


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@functools.cache
def head() -> str:
    """The newest revision this code knows."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None, "no revisions in models/store/migrations/versions"
    return revision


def upgrade(database_url: str, revision: str = "head") -> str:
    """Migrate the database at ``database_url`` to ``revision``; returns the one reached.

    ``revision`` is the newest (``"head"``) but for tests that build an older database.
    """
    engine = make_engine(database_url)
    try:
        with _file_lock(engine), engine.connect() as connection:
            with connection.begin():
                _advisory_lock(connection)
                before = revision_of(connection)
                config = _config(connection)
                if _predates_migrations(connection):
                    command.stamp(config, BASELINE)
                command.upgrade(config, revision)
            reached = revision_of(connection)
            if reached != before:  # alembic's own lines are quietened (models.plumbing.logs)
                log.info("migrated the database from %s to %s", before or "empty", reached)
            return reached
    finally:
        engine.dispose()


def current(database_url: str) -> str | None:
    """The database's revision; ``None`` for a database never migrated."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return revision_of(connection)
    finally:
        engine.dispose()


def is_current(database_url: str) -> bool:
    """True when the database is at :func:`head` (nothing left to migrate)."""
    return current(database_url) == head()


def revision_of(connection: Connection) -> str | None:
    """The revision of the database ``connection`` is connected to (``None``: none yet)."""
    return MigrationContext.configure(connection).get_current_revision()


def _predates_migrations(connection: Connection) -> bool:
    tables = set(inspect(connection).get_table_names())
    return "jobs" in tables and "alembic_version" not in tables


@contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    """On a SQLite file, hold an exclusive flock beside it; elsewhere, nothing."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed, or the process dies
        yield


def _advisory_lock(connection: Connection) -> None:
    """On PostgreSQL, take the migration lock for the rest of ``connection``'s transaction."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
