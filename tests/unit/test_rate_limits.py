"""Requests a second per API key hold across API hosts: every host takes from one bucket per
key in the database they share, atomically, on SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses
import multiprocessing
import time

import pytest
from sqlalchemy import text

from api import create_app
from models.plumbing.ratelimit import RateLimiter
from models.settings import Settings
from models.store import rate_buckets
from models.store.db import make_engine, make_sessionmaker
from models.store.migrate import upgrade
from models.store.rate_buckets import RateBucket
from tests.backends import on_every_database

pytestmark = on_every_database

PROBLEM = "application/problem+json"


class Clock:
    """Wall time that moves only when told."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def host(settings: Settings, data_dir, **changes) -> object:
    """One API host: an app of its own, with its own data dir, on the shared database."""
    return create_app(dataclasses.replace(settings, data_dir=data_dir, **changes)).test_client()


def test_two_api_hosts_on_one_database_share_each_keys_limit(settings, tmp_path):
    # given two API hosts (their own apps and data dirs), one database, 1 request a second
    upgrade(settings.database_url)
    keys = ("a:ka", "b:kb")
    one, two = (
        host(settings, tmp_path / name, api_keys=keys, rate_limit_per_second=1)
        for name in ("one", "two")
    )
    # when key ka's requests alternate between them
    codes = [
        (one if i % 2 == 0 else two).get("/v1/datasets", headers={"X-API-Key": "ka"}).status_code
        for i in range(6)
    ]
    # then the two hosts together allow one burst (twice the rate), not one burst each
    assert codes == [200, 200, 429, 429, 429, 429]
    refused = two.get("/v1/datasets", headers={"X-API-Key": "ka"})
    assert refused.status_code == 429 and refused.content_type == PROBLEM
    assert "at most 1 a second" in refused.json["detail"]
    assert int(refused.headers["Retry-After"]) >= 1
    # and another key has a bucket of its own, on either host
    assert two.get("/v1/datasets", headers={"X-API-Key": "kb"}).status_code == 200


def _take_many(database_url: str, n: int, start: float, out) -> None:
    """One API host of its own (its own engine and connections): ``n`` requests, at once."""
    engine = make_engine(database_url)
    limiter = RateLimiter(make_sessionmaker(engine), rate=1, burst=10)
    while time.time() < start:
        time.sleep(0.001)
    out.put(sum(limiter.take("k") == 0 for _ in range(n)))
    engine.dispose()


def test_concurrent_requests_from_many_hosts_never_exceed_the_bucket(settings):
    # given four hosts, each sending 15 requests with one key at the same moment
    upgrade(settings.database_url)
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    start = time.time() + 1  # once every process has started
    procs = [
        context.Process(target=_take_many, args=(settings.database_url, 15, start, out))
        for _ in range(4)
    ]
    for proc in procs:
        proc.start()
    allowed = sum(out.get(timeout=60) for _ in procs)
    elapsed = time.time() - start
    for proc in procs:
        proc.join(30)
    # then one burst of 10 went ahead, plus at most what refilled meanwhile (1 a second)
    assert 10 <= allowed <= 10 + int(elapsed) + 1, (allowed, elapsed)


def test_the_bucket_refills_at_the_rate_and_says_how_long_to_wait(sessions):
    clock = Clock()
    limiter = RateLimiter(sessions, rate=5, burst=10, clock=clock)
    # a full bucket allows a burst of 10 at once, then says when the next one may go
    assert [limiter.take("k") for _ in range(10)] == [0.0] * 10
    assert limiter.take("k") == pytest.approx(0.2, abs=1e-5)
    clock.now += 0.1
    assert limiter.take("k") == pytest.approx(0.1, abs=1e-5)  # a refused request takes nothing
    clock.now += 0.1
    assert limiter.take("k") == 0.0
    assert limiter.take("k") == pytest.approx(0.2, abs=1e-5)
    # a minute idle fills the bucket again, no further
    clock.now += 60
    assert [limiter.take("k") for _ in range(11)][-2:] == [0.0, pytest.approx(0.2, abs=1e-5)]


def test_a_host_whose_clock_lags_waits_at_most_one_interval(sessions):
    # given a key whose bucket one host emptied
    clock = Clock()
    ahead = RateLimiter(sessions, rate=5, burst=10, clock=clock)
    for _ in range(10):
        ahead.take("k")
    # when a host whose clock is 100 s behind asks
    behind = RateLimiter(sessions, rate=5, burst=10, clock=Clock(clock.now - 100))
    # then it is refused for one interval, not for 100 s
    assert behind.take("k") == pytest.approx(0.2, abs=1e-5)


def test_the_database_holds_a_digest_of_each_key_never_the_key(sessions):
    RateLimiter(sessions, rate=5, burst=10).take("tf_secret-key")
    with sessions() as session:
        stored = [bucket.key for bucket in session.query(RateBucket)]
    assert len(stored) == 1 and "secret" not in stored[0] and len(stored[0]) == 64


def test_a_buckets_commit_skips_the_disk_wait_for_its_own_transaction_only(
    postgres_url, monkeypatch
):
    # given what PostgreSQL says of synchronous_commit while a request takes from a bucket
    upgrade(postgres_url)
    engine = make_engine(postgres_url)
    sessions = make_sessionmaker(engine)
    seen = []
    take = rate_buckets.take

    def take_and_look(session, *args):
        seen.append(session.execute(text("SHOW synchronous_commit")).scalar_one())
        return take(session, *args)

    monkeypatch.setattr(rate_buckets, "take", take_and_look)
    RateLimiter(sessions, rate=5, burst=10).take("k")
    # then that transaction did not wait for the disk, and the next one on the pooled
    # connection (through PgBouncer, on any server connection) is back to the default
    assert seen == ["off"]
    with sessions() as session:
        assert session.execute(text("SHOW synchronous_commit")).scalar_one() == "on"
    engine.dispose()
