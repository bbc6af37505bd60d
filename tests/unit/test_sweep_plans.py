"""The periodic sweeps read a long history through indexes, never a whole table.

The workers' recovery sweep runs every few seconds (``tasks/recovery.py``): jobs and trials
to re-send, expired Idempotency-Keys to purge, webhook deliveries overdue. Each statement
it runs is captured and explained (SQLite's ``EXPLAIN QUERY PLAN``, PostgreSQL's
``EXPLAIN`` on analysed tables), over a history of finished jobs and expired keys. A table
that grows with history is never scanned whole; ``trial_runs``, which holds the trials in
flight only, may be. Their cost at 100,000 jobs is in ``bench/sweeps.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, event, insert, text

from models.store.idempotency import IdempotencyRecord
from models.store.records import DeliveryState, Job, JobStatus, TrialRun, utcnow
from tests.backends import on_every_database

pytestmark = on_every_database

FINISHED = 3000
HISTORY = {"jobs", "trials", "datasets", "idempotency_keys", "api_keys"}
URL = "https://example.com/hook"


def history(engine: Engine) -> None:
    """Finished jobs (most delivered or without webhook, a few unsettled), a few queued and
    running with trials in flight, and as many Idempotency-Keys of the last day (one of
    them expired, as the purge that runs every few seconds finds them); analysed."""
    now = utcnow()
    settled = [DeliveryState.DELIVERED, None, None, DeliveryState.FAILED]
    jobs = [
        _job(f"job_{i:06d}", JobStatus.SUCCEEDED, now, settled[i % len(settled)])
        for i in range(FINISHED)
    ]
    jobs += [_job(f"job_p{i}", JobStatus.SUCCEEDED, now, DeliveryState.PENDING) for i in range(3)]
    jobs += [_job(f"job_q{i}", JobStatus.QUEUED, now, None) for i in range(5)]
    jobs += [_job(f"job_r{i}", JobStatus.RUNNING, now, None) for i in range(5)]
    runs = [
        {"job_id": f"job_r{i}", "number": 0, "params": {}, "state": "queued", "enqueued_at": now}
        for i in range(5)
    ]
    keys = [
        {
            "owner": "default",
            "scope": "jobs",
            "key": f"key-{i}",
            "created_at": now - timedelta(minutes=i % 1440),
            "expires_at": now - timedelta(minutes=i % 1440) + timedelta(days=1 if i else 0),
        }
        for i in range(FINISHED)
    ]
    with engine.begin() as connection:
        connection.execute(insert(Job), jobs)
        connection.execute(insert(TrialRun), runs)
        connection.execute(insert(IdempotencyRecord), keys)
        connection.execute(text("ANALYZE"))


def _job(job_id: str, status: str, now: Any, delivery: str | None) -> dict[str, Any]:
    finished = JobStatus(status).finished
    return {
        "id": job_id,
        "owner": "default",
        "dataset_id": "ds_1",
        "spec": {"webhook_url": URL} if delivery else {},
        "status": status,
        "trials_total": 4,
        "trials_completed": 4 if finished else 0,
        "created_at": now - timedelta(hours=1),
        "enqueued_at": now - timedelta(hours=1),
        "finished_at": now - timedelta(minutes=30) if finished else None,
        "attempts": 1,
        "webhook_state": delivery,
        "webhook": {"attempts": 1} if delivery == DeliveryState.DELIVERED else None,
    }


@contextmanager
def statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every statement run on ``engine`` inside, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def plan(engine: Engine, statement: str, parameters: Any) -> str:
    """The database's plan for ``statement``, one line per step (nothing is run)."""
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(explain + statement, parameters).all()
    return "\n".join(str(row[-1]) for row in rows)


def scanned(engine: Engine, explained: str) -> set[str]:
    """The tables read whole in a plan."""
    pattern = r"\bSCAN (\w+)" if engine.dialect.name == "sqlite" else r"Seq Scan on (\w+)"
    return set(re.findall(pattern, explained))


def plans_of(engine: Engine, sweep: Callable[[], Any]) -> list[tuple[str, str]]:
    """What ``sweep`` ran, each statement with its plan."""
    with statements(engine) as ran:
        sweep()
    queries = [
        (s, p) for s, p in ran if s.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE"))
    ]
    assert queries
    return [(statement, plan(engine, statement, parameters)) for statement, parameters in queries]


def test_the_job_and_trial_sweep_reads_no_history_table_whole(service):
    # given a history of finished jobs and expired keys, and a few jobs in flight
    engine = service.engine
    history(engine)
    # when the sweep re-sends what is lost and purges the expired keys
    now = utcnow()
    explained = plans_of(engine, lambda: service.recover(now, now))
    # then every statement reads the history through an index
    for statement, steps in explained:
        assert not scanned(engine, steps) & HISTORY, f"{statement}\n--\n{steps}"


def test_the_webhook_sweep_reads_the_unsettled_deliveries_through_their_index(service):
    # given a history of finished jobs, most delivered or without webhook, three pending
    engine = service.engine
    history(engine)
    # when the sweep looks for overdue deliveries
    late = utcnow() - timedelta(seconds=30)
    explained = plans_of(engine, lambda: service.webhooks.recover(late, late, late))
    # then it finds them through the partial index, and reads no history table whole
    (finding,) = [
        steps for statement, steps in explained if statement.lstrip().startswith("SELECT")
    ]
    assert "ix_jobs_webhook_unsettled" in finding, finding
    for statement, steps in explained:
        assert not scanned(engine, steps) & HISTORY, f"{statement}\n--\n{steps}"
