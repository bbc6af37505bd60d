"""Worker slots across hosts are counted from the search workers' own heartbeats in the
database (a job's default ``max_parallel``), the setting only overriding the count; on
SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta
from types import SimpleNamespace

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from models.service import Service
from models.store import worker_beats
from models.store.records import utcnow
from models.store.worker_beats import FORGET_AFTER, WorkerBeat
from models.worker_slots import CACHE_SECONDS, LIVE_WITHIN, WorkerSlots
from tasks import monitoring
from tests.backends import on_every_database

pytestmark = on_every_database

TABLE = pd.DataFrame({"x": range(40), "y": [i % 2 for i in range(40)]})
SPEC = {"target": "y", "estimator": "knn", "n_trials": 2, "cv": {"folds": 2}}


class Clock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_without_live_workers_the_count_is_this_machines_concurrency(sessions):
    assert WorkerSlots(sessions, override=0, fallback=3).count() == 3


def test_the_count_is_the_sum_of_the_slots_every_worker_reports(sessions):
    # given search workers on two hosts, each reporting its own slots
    WorkerSlots(sessions, 0, 1).report("tuneforge@host-a:10", 4)
    WorkerSlots(sessions, 0, 1).report("tuneforge@host-b:11", 2)
    WorkerSlots(sessions, 0, 1).report("tuneforge@host-b:11", 2)  # its next beat
    # then an API host that configured nothing counts them all
    assert WorkerSlots(sessions, override=0, fallback=1).count() == 6


def test_the_setting_overrides_the_count(sessions):
    WorkerSlots(sessions, 0, 1).report("tuneforge@host-a:10", 4)
    assert WorkerSlots(sessions, override=7, fallback=1).count() == 7


def test_a_worker_silent_past_the_liveness_window_no_longer_counts(sessions):
    # given a worker that last beat just past the window, and one that beats now
    with sessions.begin() as session:
        worker_beats.beat(session, "dead:1", 8, utcnow() - LIVE_WITHIN - timedelta(seconds=1))
    WorkerSlots(sessions, 0, 1).report("alive:2", 2)
    # then only the live one's slots count
    assert WorkerSlots(sessions, 0, 1).count() == 2


def test_a_stopped_worker_stops_counting_at_once(sessions):
    workers = WorkerSlots(sessions, 0, 1)
    workers.report("a:1", 3)
    workers.report("b:2", 2)
    workers.forget("a:1")
    assert WorkerSlots(sessions, 0, 1).count() == 2


def test_rows_of_long_dead_workers_are_deleted_by_the_next_beat(sessions):
    # given a thousand workers that died long ago without removing their rows
    long_ago = utcnow() - FORGET_AFTER - timedelta(seconds=1)
    with sessions.begin() as session:
        for n in range(1000):
            worker_beats.beat(session, f"gone:{n}", 2, long_ago)
    # when a live worker beats
    WorkerSlots(sessions, 0, 1).report("alive:1", 2)
    # then the table holds only it: its size follows the live workers, not the history
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(WorkerBeat)) == 1


def test_the_count_is_read_at_most_every_cache_seconds(sessions):
    clock = Clock()
    api = WorkerSlots(sessions, 0, 1, clock=clock)
    WorkerSlots(sessions, 0, 1).report("a:1", 2)
    assert api.count() == 2
    # a worker that comes up is seen once the count is CACHE_SECONDS old, not before
    WorkerSlots(sessions, 0, 1).report("b:2", 3)
    clock.now += CACHE_SECONDS - 0.1
    assert api.count() == 2
    clock.now += 0.1
    assert api.count() == 5


def test_a_jobs_default_max_parallel_is_the_live_slots_at_most_max_parallel(service):
    # given an API configured with neither slots nor concurrency, at most 4 trials a job
    settings = dataclasses.replace(service.settings, max_parallel=4)
    api = Service(settings, service.engine, service.sessions, service.storage, service.dispatch)
    dataset = api.upload_dataset("default", [TABLE.to_csv(index=False).encode()], "t.csv")
    # when one worker host reports 3 slots, a job takes all 3 by default
    api.worker_slots.report("tuneforge@a:1", 3)
    assert api.submit_job("default", {"dataset_id": dataset.id, **SPEC}).spec["max_parallel"] == 3
    # and a spec's own max_parallel still wins
    own = api.submit_job("default", {"dataset_id": dataset.id, **SPEC, "max_parallel": 1})
    assert own.spec["max_parallel"] == 1
    # when a second host with 3 slots comes up, a new API process counts 6, capped at 4
    api.worker_slots.report("tuneforge@b:1", 3)
    later = Service(settings, service.engine, service.sessions, service.storage, service.dispatch)
    assert later.submit_job("default", {"dataset_id": dataset.id, **SPEC}).spec["max_parallel"] == 4


def consumer(concurrency: object) -> SimpleNamespace:
    """What Celery's ``worker_ready`` hands the heartbeat: its consumer."""
    return SimpleNamespace(
        app=object(), hostname="tuneforge@h", controller=SimpleNamespace(concurrency=concurrency)
    )


def test_a_search_workers_beat_reports_its_pool_size_until_it_stops(service, monkeypatch):
    monkeypatch.setattr(monitoring, "worker_service", lambda app: service)
    report = monitoring.SlotReport(consumer(3), service.settings)
    # each beat reports the worker's pool size
    report.beat()
    assert WorkerSlots(service.sessions, 0, 1).count() == 3
    # once it stops, its row is gone, and a beat that comes late does not bring it back
    report.stop()
    report.beat()
    with service.sessions() as session:
        assert session.scalar(select(func.count()).select_from(WorkerBeat)) == 0


def test_a_worker_without_a_pool_size_reports_its_configured_concurrency(service, monkeypatch):
    monkeypatch.setattr(monitoring, "worker_service", lambda app: service)
    settings = dataclasses.replace(service.settings, worker_concurrency=5)
    monitoring.SlotReport(consumer(None), settings).beat()
    assert WorkerSlots(service.sessions, 0, 1).count() == 5


def test_a_beat_the_database_refuses_is_logged_and_the_next_one_tries_again(
    service, monkeypatch, caplog
):
    down = True

    def worker_service(app: object) -> Service:
        if down:
            raise OperationalError("UPDATE worker_beats", {}, Exception("connection refused"))
        return service

    monkeypatch.setattr(monitoring, "worker_service", worker_service)
    report = monitoring.SlotReport(consumer(2), service.settings)
    with caplog.at_level(logging.WARNING, logger="tasks.monitoring"):
        report.beat()  # does not raise: the heartbeat thread goes on
    assert "could not report this worker's slots" in caplog.text
    down = False
    report.beat()
    assert WorkerSlots(service.sessions, 0, 1).count() == 2
