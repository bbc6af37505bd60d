"""The database out of reach: every ``/v1`` request is a 503 problem with ``Retry-After``
(it was a 500), and the same app answers normally once the database is back, without a
restart. PostgreSQL is made unreachable for real (a fresh database of its own that stops
accepting connections, its sessions terminated; the machine's server keeps running for
everyone else), SQLite by another process holding its write lock; the driver errors that
mean "out of reach" are listed in a table test."""

from __future__ import annotations

import errno
import socket
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy import exc as sa

from api import create_app
from models.exceptions import Unavailable
from models.settings import Settings
from models.store import db
from models.store.migrate import upgrade
from models.store.outages import as_unavailable
from tests.backends import POSTGRES_ADMIN_URL

PROBLEM = "application/problem+json"
ROWS = b"x,s,y\n" + b"".join(
    b"%d,%s,%d\n" % (i, b"ab"[i % 2 : i % 2 + 1], i % 2) for i in range(40)
)


def upload(client):
    return client.post("/v1/datasets?name=t", data=ROWS, content_type="text/csv")


def submit(client, dataset_id: str):
    spec = {"dataset_id": dataset_id, "target": "y", "estimator": "decision_tree", "n_trials": 1}
    return client.post("/v1/jobs", json=spec)


def assert_unavailable(response) -> None:
    """A 503 problem that says to come back in a few seconds."""
    assert response.status_code == 503, response.data[:300]
    assert response.content_type == PROBLEM
    assert 1 <= int(response.headers["Retry-After"]) <= 30
    body = response.json
    assert body["status"] == 503 and body["title"] == "Service Unavailable"
    assert "database" in body["detail"] and "try again" in body["detail"]


# PostgreSQL --------------------------------------------------------------------------------


@contextmanager
def connections_refused(url: str) -> Iterator[None]:
    """The database of ``url`` accepts no connection and its sessions are cut, until the
    block ends (only this database: the server goes on serving the others)."""
    name = url.rsplit("/", 1)[-1]
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
        yield
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()


def test_postgresql_out_of_reach_is_a_503_and_then_served_again(postgres_url, tmp_path):
    # given an API on a PostgreSQL database, holding a dataset
    settings = Settings(data_dir=tmp_path / "var", database_url=postgres_url)
    upgrade(postgres_url)
    client = create_app(settings).test_client()
    dataset_id = upload(client).json["id"]
    assert client.get("/v1/datasets").status_code == 200  # the pool holds a connection
    # when the database stops taking connections and its sessions are cut
    with connections_refused(postgres_url):
        # then every kind of request is a 503 with Retry-After, reads and writes alike
        assert_unavailable(client.get("/v1/datasets"))
        assert_unavailable(client.get(f"/v1/datasets/{dataset_id}"))
        assert_unavailable(client.get("/v1/jobs"))
        assert_unavailable(upload(client))
        assert_unavailable(submit(client, dataset_id))
        assert client.get("/readyz").status_code == 503
    # and once it is back, the same app answers normally
    listed = client.get("/v1/datasets")
    assert listed.status_code == 200 and [d["id"] for d in listed.json["items"]] == [dataset_id]
    assert submit(client, dataset_id).status_code == 202


@pytest.fixture
def closing_listener() -> Iterator[int]:
    """A port where something accepts each connection and closes it at once (a database
    host whose server is gone behind a proxy)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                return
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    server.close()
    thread.join(timeout=5)


def test_a_database_host_that_closes_every_connection_is_a_503(closing_listener, tmp_path):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closing_listener}/tuneforge"
    client = create_app(Settings(data_dir=tmp_path / "var", database_url=url)).test_client()
    assert_unavailable(client.get("/v1/datasets"))
    assert_unavailable(upload(client))


# SQLite ------------------------------------------------------------------------------------


def test_sqlite_locked_by_another_writer_is_a_503_and_then_served_again(tmp_path, monkeypatch):
    # given an API on SQLite (waiting 0.2 s for a lock instead of 30, to keep the test short)
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_SECONDS", 0.2)
    settings = Settings(data_dir=tmp_path / "var")
    upgrade(settings.database_url)
    client = create_app(settings).test_client()
    dataset_id = upload(client).json["id"]
    # when another process holds the database's write lock (a backup, a stuck writer)
    path = Path(settings.database_url.split(":///", 1)[1])
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        # then writes are a 503 with Retry-After once the lock wait is over
        assert_unavailable(upload(client))
        assert_unavailable(submit(client, dataset_id))
        # while reads go on (WAL: readers do not wait for the writer)
        assert client.get(f"/v1/datasets/{dataset_id}").status_code == 200
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    # and once the lock is released, the same app writes again
    assert upload(client).status_code == 201
    assert submit(client, dataset_id).status_code == 202


# What counts as out of reach ---------------------------------------------------------------


def wrapped(cls: type[sa.DBAPIError], orig: Exception) -> sa.DBAPIError:
    return cls("SELECT 1", {}, orig)


@pytest.mark.parametrize(
    ("error", "what"),
    [
        (wrapped(sa.OperationalError, psycopg.OperationalError("connection refused")), "database"),
        (
            wrapped(sa.InterfaceError, psycopg.InterfaceError("the connection is closed")),
            "database",
        ),
        (sa.DisconnectionError("gone"), "database"),
        (sa.TimeoutError("QueuePool limit of size 5 overflow 10 reached"), "database"),
        (psycopg.OperationalError("server closed the connection unexpectedly"), "database"),
        (wrapped(sa.OperationalError, sqlite3.OperationalError("database is locked")), "database"),
        (wrapped(sa.OperationalError, sqlite3.OperationalError("disk I/O error")), "database"),
        (
            wrapped(sa.OperationalError, sqlite3.OperationalError("unable to open database file")),
            "database",
        ),
        (
            wrapped(sa.OperationalError, sqlite3.OperationalError("database or disk is full")),
            "database",
        ),
        (OSError(errno.ENOSPC, "No space left on device"), "storage"),
        (OSError(errno.EIO, "Input/output error"), "storage"),
        (OSError(errno.EROFS, "Read-only file system"), "storage"),
        # not out of reach: bugs, missing records, a database never migrated
        (wrapped(sa.OperationalError, sqlite3.OperationalError("no such table: jobs")), None),
        (wrapped(sa.OperationalError, sqlite3.OperationalError('near "x": syntax error')), None),
        (wrapped(sa.IntegrityError, psycopg.IntegrityError("duplicate key")), None),
        (wrapped(sa.ProgrammingError, psycopg.ProgrammingError("syntax error")), None),
        (FileNotFoundError(errno.ENOENT, "No such file"), None),
        (ValueError("x"), None),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else str(v),
)
def test_which_errors_mean_out_of_reach(error, what):
    outage = as_unavailable(error)
    if what is None:
        assert outage is None
    else:
        assert isinstance(outage, Unavailable) and what in outage.detail
        assert outage.retry_after > 0


def test_storage_out_of_reach_is_a_503(client, monkeypatch):
    # given a storage whose disk is full
    storage = client.application.extensions["tuneforge"].storage

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(type(storage), "put_stream", full)
    response = upload(client)
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "storage" in response.json["detail"]
