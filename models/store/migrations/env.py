"""Alembic's environment: run the revisions on the connection the caller hands in.

:func:`models.store.migrate.upgrade` opens the connection, takes the migration lock and
puts the connection in ``config.attributes["connection"]``; there is no ``alembic.ini``.
"""

from __future__ import annotations

from alembic import context

from models.store import (  # noqa: F401  (each registers its table on Base.metadata)
    idempotency,
    rate_buckets,
    worker_beats,
)
from models.store.records import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through models.store.migrate, which passes a connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things: later revisions copy-and-move tables instead.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
