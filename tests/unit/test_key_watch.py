"""The keys of long-lived responses, re-checked: one watch per API process asks the key
ring about every held key in one read, and revokes the grants whose key changed; the key
ring answers for listed, stored, revoked and unknown keys, and for no key at all."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from api.key_watch import KeyWatch, WhileGranted
from models.plumbing.keyring import KeyRing
from models.store import api_keys
from tests.backends import on_every_database

INTERVAL = 0.02


class Ring:
    """What the watch asks: who each key belongs to now; and how often it was asked."""

    def __init__(self) -> None:
        self.tenants: dict[str | None, str | None] = {"k1": "acme", "k2": "acme", None: "default"}
        self.reads: list[set[str | None]] = []
        self.away = False

    def read_tenants(self, presented):
        if self.away:
            raise ConnectionError("the database is away")
        self.reads.append(set(presented))
        return {key: self.tenants.get(key) for key in presented}


@pytest.fixture
def ring():
    return Ring()


@pytest.fixture
def watch(ring):
    return KeyWatch(ring.read_tenants, INTERVAL)


def revoked_within(grant, seconds=5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not grant.revoked and time.monotonic() < deadline:
        time.sleep(INTERVAL)
    return grant.revoked


def test_a_revoked_key_revokes_its_grants_and_wakes_them_and_no_other(watch, ring):
    woken = threading.Event()
    with (
        watch.hold("k1", "acme", woken.set) as one,
        watch.hold("k1", "acme") as same_key,
        watch.hold("k2", "acme") as other,
    ):
        time.sleep(5 * INTERVAL)
        assert not (one.revoked or same_key.revoked or other.revoked or woken.is_set())
        del ring.tenants["k1"]  # revoked: the ring no longer knows it
        assert revoked_within(one) and revoked_within(same_key)
        assert woken.is_set()
        time.sleep(5 * INTERVAL)
        assert not other.revoked


def test_a_key_given_to_another_tenant_revokes_what_it_was_granted(watch, ring):
    with watch.hold("k1", "acme") as grant:
        ring.tenants["k1"] = "globex"
        assert revoked_within(grant)


def test_a_keyless_grant_is_revoked_once_keys_are_required(watch, ring):
    with watch.hold(None, "default") as grant:
        time.sleep(5 * INTERVAL)
        assert not grant.revoked
        ring.tenants[None] = None
        assert revoked_within(grant)


def test_every_held_key_is_checked_in_one_read(watch, ring):
    with watch.hold("k1", "acme"), watch.hold("k1", "acme"), watch.hold("k2", "acme"):
        time.sleep(5 * INTERVAL)
    assert ring.reads and all(read == {"k1", "k2"} for read in ring.reads)


def test_while_the_ring_cannot_be_read_grants_stand_and_the_poller_goes_on(watch, ring, caplog):
    with watch.hold("k1", "acme") as grant:
        ring.away = True
        with caplog.at_level(logging.ERROR, logger="api.key_watch"):
            time.sleep(5 * INTERVAL)
        assert "could not re-check the keys of 1 open responses" in caplog.text
        assert not grant.revoked
        ring.away = False
        del ring.tenants["k1"]
        assert revoked_within(grant)


def test_the_poller_runs_only_while_a_grant_is_held(watch):
    def pollers() -> set[threading.Thread]:
        return {t for t in threading.enumerate() if t.name == "key-watch"}

    before = pollers()  # other tests' watches', which stop in their own time
    with watch.hold("k1", "acme"), watch.hold("k2", "acme"):
        mine = pollers() - before
        assert len(mine) == 1  # one for every grant
    # it stops within an interval of its last grant's end
    (poller,) = mine
    poller.join(1)
    assert not poller.is_alive()


def test_the_poller_stops_once_every_held_grant_is_revoked(watch, ring):
    def pollers() -> set[threading.Thread]:
        return {t for t in threading.enumerate() if t.name == "key-watch"}

    before = pollers()
    with watch.hold("k1", "acme") as grant:
        (poller,) = pollers() - before
        # given the grant's key revoked, when it is revoked, then nothing is left to check
        del ring.tenants["k1"]
        assert revoked_within(grant)
        poller.join(1)
        assert not poller.is_alive()
        reads = len(ring.reads)
        time.sleep(5 * INTERVAL)
        assert len(ring.reads) == reads
        # and a new grant starts a poller again
        with watch.hold("k2", "acme") as other:
            ring.tenants["k2"] = "globex"
            assert revoked_within(other)


class Body:
    """A download's body: chunks, and whether it was closed."""

    def __init__(self, chunks: int) -> None:
        self.chunks = [b"x"] * chunks
        self.closed = False

    def __iter__(self):
        return iter(self.chunks)

    def close(self):
        self.closed = True


def test_a_body_stops_short_once_its_grant_is_revoked_and_is_closed(watch, ring):
    body = Body(1000)
    sent = WhileGranted(body, watch.hold("k1", "acme"))
    chunks = iter(sent)
    first = next(chunks)
    del ring.tenants["k1"]
    rest = []
    for chunk in chunks:
        rest.append(chunk)
        time.sleep(INTERVAL / 4)  # slower than the watch: it stops long before the end
    sent.close()
    assert first == b"x" and len(rest) < 999
    assert body.closed


def test_a_body_never_sent_is_closed_and_holds_no_grant(watch):
    body = Body(3)
    WhileGranted(body, watch.hold("k1", "acme")).close()  # a HEAD, a 304
    assert body.closed
    assert watch._grants == set()


@on_every_database
def test_the_key_ring_says_who_each_key_belongs_to_now(sessions, monkeypatch):
    monkeypatch.setattr(api_keys, "BATCH", 2)  # several batches of digests
    ring = KeyRing(sessions, ("listed:lk", "bare"))
    made = {tenant: ring.create(tenant) for tenant in ("acme", "globex", "initech", "gone")}
    ring.revoke(made["gone"][0].id)
    stored = {key: tenant for tenant, (_, key) in made.items()}
    presented = [*stored, "lk", "bare", "tf_unknown", "nope", None]
    assert ring.tenants_of(presented) == {
        stored_key: (None if tenant == "gone" else tenant) for stored_key, tenant in stored.items()
    } | {"lk": "listed", "bare": "default", "tf_unknown": None, "nope": None, None: None}


@on_every_database
def test_without_any_key_no_key_is_the_default_tenant(sessions):
    assert KeyRing(sessions, ()).tenants_of([None]) == {None: "default"}
