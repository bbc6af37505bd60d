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
def fresh_postgres_database() -> Iterator[str]:
    """A PostgreSQL database of its own (its URL), dropped afterwards."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"tuneforge_test_{secrets.token_hex(6)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}; see .ci/run ({exc})")
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


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
