"""Per-process resources of a worker: settings, database sessions, storage.

Built lazily in each process (after the prefork pool forks), never at import.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.db import make_engine, make_sessionmaker
from models.settings import Settings
from models.storage import Storage, make_storage


@dataclass
class WorkerContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    storage: Storage
    pid: int


_context: WorkerContext | None = None


def worker_context() -> WorkerContext:
    """This process's context, built on first use (and again in a forked child)."""
    global _context
    if _context is None or _context.pid != os.getpid():
        if _context is not None:
            # Connections inherited across fork must not be used by the child.
            _context.engine.dispose(close=False)
        settings = Settings.from_env()
        engine = make_engine(settings.database_url)
        _context = WorkerContext(
            settings,
            engine,
            make_sessionmaker(engine),
            make_storage(settings.storage_url),
            os.getpid(),
        )
    return _context
