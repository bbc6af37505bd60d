"""Sweeps: what each periodic sweep costs as the history grows to 100,000 finished jobs.

The workers' recovery sweep (``tasks/recovery.py``, every 10 s) re-sends the jobs and
trials whose message may be lost, purges expired Idempotency-Keys and re-sends overdue
webhook deliveries. Each reads through an index (``tests/unit/test_sweep_plans.py``
checks the plans), so its cost should stay flat however many jobs have finished.

The database, on SQLite (a file, as ``make run`` has it) and on PostgreSQL (a fresh
database, analysed as autovacuum would), holds 1,000, then 10,000, then 100,000 finished
jobs, inserted in bulk: 60 % without a webhook, 36 % delivered, 3 % failed and 1 %
refused; beside them, whatever the size, 20 queued and 20 running jobs (each with a trial
in flight), 10 finished jobs whose delivery is pending or retrying (not due yet), and one
Idempotency-Key per job, a day's worth (a few expired). Each sweep runs once to take what
is due, then is timed over ``--repeat`` calls (median). The metrics scrape's job counts,
not a sweep, are timed beside them: they count every job.

Run: ``.venv/bin/python bench/sweeps.py [--postgres URL | --no-postgres] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from harness import Report, fresh_postgres, temporary_dir
from sqlalchemy import insert, text

from models.service import Service
from models.settings import Settings
from models.store import deliveries, idempotency, jobs, trial_runs
from models.store.idempotency import IdempotencyRecord
from models.store.migrate import upgrade
from models.store.records import DeliveryState, Job, JobStatus, TrialRun, utcnow

SIZES = (1_000, 10_000, 100_000)
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CHUNK = 5_000
# Out of every 100 finished jobs: no webhook, delivered, failed, refused.
MIX = [None] * 60 + [DeliveryState.DELIVERED] * 36 + [DeliveryState.FAILED] * 3
MIX += [DeliveryState.REFUSED]
SPEC = {
    "dataset_id": "ds_bench",
    "target": "y",
    "estimator": "decision_tree",
    "strategy": "random",
    "n_trials": 4,
    "metric": "accuracy",
    "cv": {"folds": 3},
    "max_parallel": 1,
}
RESULT = {"best_params": {"max_depth": 4}, "best_score": 0.93, "test_score": 0.91}


def job_row(job_id: str, status: str, delivery: str | None, now: Any) -> dict[str, Any]:
    finished = JobStatus(status).finished
    spec = {**SPEC, "webhook_url": "https://example.com/hook"} if delivery else SPEC
    webhook = None
    if delivery is not None and delivery != DeliveryState.PENDING:
        webhook = {"attempts": 1, "last_status": 200, "next_retry_at": None}
        if delivery == DeliveryState.RETRYING:
            webhook["next_retry_at"] = (now + timedelta(hours=1)).isoformat()
    return {
        "id": job_id,
        "owner": "default",
        "dataset_id": "ds_bench",
        "spec": spec,
        "status": status,
        "trials_total": 4,
        "trials_completed": 4 if finished else 0,
        "best_score": 0.93 if finished else None,
        "result": RESULT if status == JobStatus.SUCCEEDED else None,
        "created_at": now - timedelta(hours=2),
        "enqueued_at": now,
        "started_at": now - timedelta(hours=2) if status != JobStatus.QUEUED else None,
        "finished_at": now - timedelta(hours=1) if finished else now,
        "advanced_at": now,
        "lease_expires_at": now + timedelta(hours=1) if status == JobStatus.RUNNING else None,
        "attempts": 1,
        "webhook_state": delivery,
        "webhook": webhook,
    }


def in_flight(engine: Any) -> None:
    """The jobs and deliveries a sweep has to look at, whatever the history."""
    now = utcnow()
    rows = [job_row(f"job_q{i:02d}", JobStatus.QUEUED, None, now) for i in range(20)]
    rows += [job_row(f"job_r{i:02d}", JobStatus.RUNNING, None, now) for i in range(20)]
    rows += [job_row(f"job_p{i}", "succeeded", DeliveryState.PENDING, now) for i in range(5)]
    rows += [job_row(f"job_t{i}", "failed", DeliveryState.RETRYING, now) for i in range(5)]
    for row in rows[-10:]:
        row["finished_at"] = now + timedelta(hours=1)  # not due during the run
    runs = [
        {
            "job_id": f"job_r{i:02d}",
            "number": 0,
            "params": {},
            "state": "queued",
            "enqueued_at": now,
        }
        for i in range(20)
    ]
    with engine.begin() as connection:
        connection.execute(insert(Job), rows)
        connection.execute(insert(TrialRun), runs)


def grow(engine: Any, start: int, stop: int) -> None:
    """Add finished jobs ``start`` to ``stop`` and one Idempotency-Key each."""
    now = utcnow()
    for first in range(start, stop, CHUNK):
        numbers = range(first, min(stop, first + CHUNK))
        rows = [
            job_row(f"job_{n:07d}", "succeeded" if n % 10 else "failed", MIX[n % 100], now)
            for n in numbers
        ]
        keys = [
            {
                "owner": "default",
                "scope": "jobs",
                "key": f"key-{n}",
                "fingerprint": secrets.token_hex(32),
                "status": 202,
                "headers": {"Location": f"/v1/jobs/job_{n:07d}"},
                "body": "{}",
                "created_at": now - timedelta(seconds=n % 86_000),
                "expires_at": now + timedelta(seconds=86_400 - n % 86_000),
            }
            for n in numbers
        ]
        with engine.begin() as connection:
            connection.execute(insert(Job), rows)
            connection.execute(insert(IdempotencyRecord), keys)


def sweeps(service: Service) -> dict[str, Callable[[], Any]]:
    """Each sweep the workers run (and the metrics scrape's counts), as one call."""
    late = timedelta(seconds=30)

    def stored(function: Callable[..., Any], *args: Any) -> Callable[[], Any]:
        def call() -> Any:
            with service.sessions() as session:
                return function(session, *args)

        return call

    now = utcnow()
    return {
        "jobs.jobs_to_recover": stored(jobs.jobs_to_recover, now - timedelta(minutes=5), now),
        "trial_runs.to_recover": stored(trial_runs.to_recover, now - timedelta(minutes=5)),
        "idempotency.purge_expired": stored(idempotency.purge_expired),
        "deliveries.overdue": stored(deliveries.overdue, now - late, now - late, now - late),
        "Service.recover (the 3 above)": lambda: service.recover(now - timedelta(minutes=5), now),
        "webhooks.recover (overdue + re-send)": lambda: service.webhooks.recover(
            now - late, now - late, now - late
        ),
        "job_counts (metrics scrape)": service.job_counts,
    }


def median_ms(call: Callable[[], Any], repeat: int) -> float:
    call()  # takes what is due, warms the caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


@contextmanager
def database(kind: str, folder: Path, admin_url: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'sweeps.db'}"
        return
    with fresh_postgres(admin_url, "tuneforge_sweeps") as url:
        yield url


def measure(kind: str, admin_url: str, repeat: int) -> dict[str, list[float]]:
    """Each sweep's median ms at each of :data:`SIZES`."""
    figures: dict[str, list[float]] = {}
    with temporary_dir("tuneforge-sweeps-") as folder, database(kind, folder, admin_url) as url:
        upgrade(url)
        settings = Settings(data_dir=folder / "var", database_url=url, worker_concurrency=1)
        service = Service.from_settings(settings)
        try:
            in_flight(service.engine)
            done = 0
            for size in SIZES:
                started = time.perf_counter()
                grow(service.engine, done, size)
                done = size
                if kind == "postgresql":
                    with service.engine.begin() as connection:
                        connection.execute(text("ANALYZE"))
                print(f"  {kind}: {size:,} finished jobs in {time.perf_counter() - started:.1f} s")
                for name, call in sweeps(service).items():
                    figures.setdefault(name, []).append(median_ms(call, repeat))
        finally:
            service.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default=POSTGRES, help="an admin URL to create a database")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--repeat", type=int, default=25, help="timed calls per sweep and size")
    args = parser.parse_args()
    kinds = ["sqlite"] + ([] if args.no_postgres else ["postgresql"])
    report = Report("sweeps.py")
    results = {kind: measure(kind, args.postgres, args.repeat) for kind in kinds}
    report.line(
        "Each sweep's time per call (median of "
        f"{args.repeat}, ms) as the finished jobs grow; 40 jobs in flight throughout."
    )
    header = f"{'database':<11}{'sweep':<38}" + "".join(f"{s:>10,}" for s in SIZES)
    report.line(header + f"{'100k/1k':>9}")
    worst = 0.0
    for kind, figures in results.items():
        for name, times in figures.items():
            ratio = times[-1] / times[0]
            if not name.startswith("job_counts"):
                worst = max(worst, ratio)
            cells = "".join(f"{t:>10.2f}" for t in times)
            report.line(f"{kind:<11}{name:<38}{cells}{ratio:>8.2f}x")
    report.line(
        f"Worst sweep ratio, 100,000 finished jobs over 1,000: {worst:.2f}x "
        "(flat: about 1x; job_counts, which counts every job, is not a sweep)."
    )
    report.save()


if __name__ == "__main__":
    main()
