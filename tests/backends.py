"""The shared backends tests run against: a fresh PostgreSQL database, and an S3 bucket on
moto's standalone server started on loopback.

PostgreSQL must be running on 127.0.0.1:5432 with trust auth (``.ci/run`` starts it when
it is down); moto runs as a child process, never in the test process, so that memory
measured in the tests is the code's, not the fake server's.
"""

from __future__ import annotations

import functools
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# moto accepts any credentials; boto3 reads these from the environment like real ones.
S3_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


# A module or test marked with this runs on SQLite and again on PostgreSQL when it uses the
# ``settings`` fixture (as ``sessions``, ``service``, ``app`` and ``client`` do).
on_every_database = pytest.mark.every_database
DATABASES = ("sqlite", "postgresql")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def fresh_postgres_database(template: str = "template1") -> Iterator[str]:
    """A PostgreSQL database of its own (its URL), a copy of ``template``; dropped
    afterwards, by :data:`DROPS` (see there)."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"tuneforge_test_{secrets.token_hex(6)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    except OperationalError as exc:
        admin.dispose()
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}; see .ci/run ({exc})")
    admin.dispose()
    try:
        yield postgres_url_of(name)
    finally:
        DROPS.drop(name)


def postgres_url_of(name: str) -> str:
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


class _Drops:
    """Drops the tests' databases one after another in a thread of its own, while the next
    test runs: a DROP DATABASE waits about a second for the server's checkpoint, which
    made a third of each PostgreSQL test's time. :meth:`wait` (at the session's end) lets
    none outlive the session."""

    BACKLOG = 3

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._pending: list[Future[None]] = []

    def drop(self, name: str) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="drop-database")
        self._pending = [f for f in self._pending if not f.done()]
        if len(self._pending) >= self.BACKLOG:  # a test's processes never wait long behind
            self._pending.pop(0).result()
        self._pending.append(self._pool.submit(self._drop, name))

    @staticmethod
    def _drop(name: str) -> None:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()

    def wait(self) -> None:
        """Every drop asked for done (the first error raised)."""
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()


DROPS = _Drops()


@contextmanager
def migrated_postgres_template() -> Iterator[str]:
    """A PostgreSQL database at the newest schema (its name), for
    :func:`fresh_postgres_database` to copy: migrating a fresh database took as long again
    as creating it, for each test."""
    from models.store.migrate import upgrade

    with fresh_postgres_database() as url:
        upgrade(url)
        yield url.rsplit("/", 1)[1]


class MotoServer:
    """moto's S3 (and every other service) as a child process on a loopback port."""

    def __init__(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while not self._answers():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                pytest.fail(f"moto's server did not start on {self.url}")
            time.sleep(0.1)

    def _answers(self) -> bool:
        try:
            return requests.get(f"{self.url}/moto-api/", timeout=1).ok
        except requests.RequestException:
            return False

    @functools.cached_property
    def client(self) -> Any:
        """An S3 client for the tests' own calls (creating buckets, listing what is left)."""
        return boto3.session.Session().client(
            "s3", endpoint_url=self.url, region_name="us-east-1", **_credentials()
        )

    def new_bucket(self) -> str:
        """A bucket of its own for one test."""
        name = f"tuneforge-test-{secrets.token_hex(6)}"
        self.client.create_bucket(Bucket=name)
        return name

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _credentials() -> dict[str, str]:
    return {
        "aws_access_key_id": S3_ENV["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": S3_ENV["AWS_SECRET_ACCESS_KEY"],
    }
