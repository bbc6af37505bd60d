"""Waiting for SQLite's write lock does not stall the API's gevent worker.

Another process holding the write lock (a backup, a stuck writer) makes writes wait up to
the busy timeout and then answer 503. Under gunicorn's gevent worker every request of a
process is a greenlet on one thread: a wait that slept inside SQLite's C busy handler held
that thread, so ``/healthz`` and reads went unanswered for as long as writes waited (30 s,
one after another). This runs the real server (``tuneforge api``'s gunicorn command line,
the gevent worker) on a SQLite file, with the busy wait lowered to keep the test short.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine, text

from api.launcher import api_command
from models.settings import Settings
from models.store import db
from models.store.db import make_engine
from models.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
BUSY_WAIT_S = 6  # the lowered busy wait: longer than the 3 s a stalled probe is given
ROWS = b"x,s,y\n" + b"".join(
    b"%d,%s,%d\n" % (i, b"ab"[i % 2 : i % 2 + 1], i % 2) for i in range(40)
)

# gunicorn as `tuneforge api` runs it, with the busy wait lowered in the master (the
# worker it forks inherits it).
SERVE = """
import sys
from models.store import db
db.SQLITE_BUSY_TIMEOUT_SECONDS = float(sys.argv[1])
from gunicorn.app.wsgiapp import run
sys.argv = sys.argv[2:]
run()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The API under gunicorn's gevent worker (one process) on a fresh SQLite file."""
    port = free_port()
    env = {
        **os.environ,
        "TUNEFORGE_DATA_DIR": str(tmp_path / "var"),
        "TUNEFORGE_PORT": str(port),
        "TUNEFORGE_API_WORKERS": "1",
    }
    settings = Settings.from_env(env)
    upgrade(settings.database_url)
    command = api_command(settings)[3:]  # gunicorn's arguments
    log = (tmp_path / "api.log").open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(BUSY_WAIT_S), "gunicorn", *command],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert proc.poll() is None, (tmp_path / "api.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "the API never answered /healthz"
            time.sleep(0.2)
        yield url, Path(settings.database_url.split(":///", 1)[1])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def upload(url: str) -> requests.Response:
    return requests.post(
        f"{url}/v1/datasets?name=t",
        data=ROWS,
        headers={"Content-Type": "text/csv"},
        timeout=120,
    )


def test_health_and_reads_answer_while_writes_wait_for_another_process_lock(api):
    url, path = api
    assert upload(url).status_code == 201
    # given another process holding the database's write lock
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    answers: list[requests.Response] = []
    try:
        # when several writes come and wait for it
        writes = [threading.Thread(target=lambda: answers.append(upload(url))) for _ in range(3)]
        for w in writes:
            w.start()
        time.sleep(0.5)
        # then /healthz and reads still answer (3 s each: generous, but a write's whole
        # busy wait is longer), while the writes wait
        for _ in range(3):
            assert requests.get(f"{url}/healthz", timeout=3).status_code == 200
            # ready, too: the database answers reads, and writes are served once the
            # lock is released (a 503 here would take every API process out at once)
            assert requests.get(f"{url}/readyz", timeout=3).status_code == 200
            listed = requests.get(f"{url}/v1/datasets", timeout=3)
            assert listed.status_code == 200
            assert len(listed.json()["items"]) == 1
        assert all(w.is_alive() for w in writes), "the writes did not wait for the lock"
        # and each write is a 503 with Retry-After once its wait is over
        for w in writes:
            w.join(timeout=120)
        assert [a.status_code for a in answers] == [503, 503, 503]
        for a in answers:
            assert a.headers["Content-Type"] == "application/problem+json"
            assert 1 <= int(a.headers["Retry-After"]) <= 30
            assert "database" in a.json()["detail"]
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    # and once the lock is released, writes go through again
    assert upload(url).status_code == 201
    assert len(requests.get(f"{url}/v1/datasets", timeout=10).json()["items"]) == 2


@pytest.fixture
def lock_wait_s() -> float:
    """How long the engine of :func:`locked_table` waits for the lock: the service's own
    wait, unless a test parametrizes ``lock_wait_s`` (it is read when the engine is made,
    so patching it in the test's body would come too late)."""
    return db.SQLITE_BUSY_TIMEOUT_SECONDS


@pytest.fixture
def locked_table(
    tmp_path: Path, lock_wait_s: float, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Engine, sqlite3.Connection]]:
    """A table ``t (n INTEGER)`` on a SQLite file, and another connection (to SQLite,
    another process) holding its write lock: the engine, and that connection, which the
    test releases (COMMIT or ROLLBACK) when it means to. Usable from any thread, so a
    timer can release it."""
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_SECONDS", lock_wait_s)
    path = tmp_path / "db.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    locker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    locker.execute("BEGIN IMMEDIATE")
    try:
        yield engine, locker
    finally:
        locker.close()
        engine.dispose()


def test_a_write_waits_for_a_lock_released_within_the_wait_and_goes_through(locked_table):
    # given a table on SQLite, and another process holding the write lock
    engine, locker = locked_table
    locker.execute("INSERT INTO t VALUES (1)")
    # when it commits a moment after a write started waiting
    release = threading.Timer(0.5, locker.execute, ("COMMIT",))
    release.start()
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t SELECT count(*) + 1 FROM t"))
    finally:
        release.join()
    # then the write went through, after (and on top of) the other process's
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM t ORDER BY n")).scalars().all() == [1, 2]


def test_writes_waiting_for_the_lock_go_through_in_the_order_they_came(locked_table):
    # given a table on SQLite, and another process holding the write lock
    engine, locker = locked_table

    def write(n: int) -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})

    # when writers come one after another and wait for it
    writers = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    try:
        for writer in writers:
            writer.start()
            time.sleep(0.04)
    finally:
        locker.execute("COMMIT")
    for writer in writers:
        writer.join(timeout=60)
    # then they write in the order they came: none is overtaken by one that waited less
    # (each backing off on its own, the one that had waited longest slept the longest)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM t ORDER BY rowid")).scalars().all() == list(
            range(8)
        )


@pytest.mark.parametrize("lock_wait_s", [0.3])
def test_every_write_waiting_in_turn_fails_once_its_wait_is_over(locked_table):
    # given a lock wait of 0.3 s, and another process holding the write lock throughout
    engine, locker = locked_table
    errors: list[Exception] = []

    def write(n: int) -> None:
        try:
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
        except Exception as exc:
            errors.append(exc)

    # when five writers wait for it in turn
    writers = [threading.Thread(target=write, args=(n,)) for n in range(5)]
    try:
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join(timeout=30)
        # then each fails "database is locked" once its own wait is over, none hangs
        assert not any(w.is_alive() for w in writers)
        assert len(errors) == 5
        assert all("database is locked" in str(e) for e in errors), errors
    finally:
        locker.execute("ROLLBACK")
    # and the next write, the lock released, goes through (no turn left behind)
    write(5)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM t")).scalars().all() == [5]
