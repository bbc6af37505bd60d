"""Which failures mean that the database or the storage is out of reach, as opposed to a
bug: those are answered 503 with ``Retry-After`` (``api/errors.py``), as ``/readyz`` is,
and the same process serves again as soon as they are back (the pool replaces dead
connections: ``pool_pre_ping``; SQLite's are files reopened).

Out of reach: a PostgreSQL server refusing, closing or timing out connections (psycopg's
``OperationalError`` and ``InterfaceError``, whether or not SQLAlchemy wraps them, and
SQLAlchemy's ``DisconnectionError`` and pool ``TimeoutError``); SQLite locked by another
process for longer than its busy timeout, or its file unreadable, unwritable or on a full
disk; the storage's disk full, failing or read-only, or S3's endpoint unreachable. Not
out of reach, and still a 500: SQL errors, constraint violations, a database never
migrated ("no such table"), a missing file.
"""

from __future__ import annotations

import errno
import sqlite3
import sys

import psycopg
from sqlalchemy import exc as sa

from models.exceptions import Unavailable

# A PostgreSQL restart or failover takes seconds; a client that waits this long and tries
# again usually gets through (and many clients wait at least a second anyway).
RETRY_AFTER_SECONDS = 5
# SQLite's OperationalError messages that mean the file cannot be used just now.
SQLITE_OUT_OF_REACH = (
    "database is locked",
    "database table is locked",
    "unable to open database file",
    "disk i/o error",
    "database or disk is full",
    "attempt to write a readonly database",
)
STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS, errno.ESTALE, errno.ENOTCONN}


def as_unavailable(error: BaseException) -> Unavailable | None:
    """The :class:`Unavailable` that ``error`` amounts to, or ``None`` if it is no outage."""
    what = _out_of_reach(error)
    if what is None:
        return None
    return Unavailable(
        f"the {what} is out of reach just now; try again in {RETRY_AFTER_SECONDS} s",
        retry_after=RETRY_AFTER_SECONDS,
    )


def _out_of_reach(error: BaseException) -> str | None:
    """``"database"``, ``"storage"`` or ``None``."""
    if isinstance(error, sa.DisconnectionError | sa.TimeoutError):
        return "database"
    if isinstance(error, sa.DBAPIError):
        if error.connection_invalidated:
            return "database"
        if not isinstance(error, sa.OperationalError | sa.InterfaceError):
            return None
        error = error.orig
    if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
        return "database"
    if isinstance(error, sqlite3.OperationalError):
        message = str(error).lower()
        return "database" if message.startswith(SQLITE_OUT_OF_REACH) else None
    if isinstance(error, OSError) and error.errno in STORAGE_ERRNOS:
        return "storage"
    if _s3_unreachable(error):
        return "storage"
    return None


def _s3_unreachable(error: BaseException) -> bool:
    """botocore's connection errors (endpoint refused, timed out, closed). botocore is
    imported only where S3 storage is used, and then it is already loaded."""
    if "botocore.exceptions" not in sys.modules:
        return False
    from botocore.exceptions import ConnectionError as BotoConnectionError
    from botocore.exceptions import HTTPClientError

    return isinstance(error, BotoConnectionError | HTTPClientError)
