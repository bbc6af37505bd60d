"""``run_search(job_id)``: claim the job, keep its lease alive, run it, let go.

Safe to deliver twice or to run again after a crash: only one run can hold a job's
lease, and trials already written are skipped.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery import shared_task

from models import jobs
from models.records import Job, JobStatus
from models.runner import JobRun, StopFlag
from tasks.app import RUN_SEARCH, enqueue_webhook
from tasks.context import worker_context

log = logging.getLogger(__name__)

# Sent by the worker's main process to its pool on shutdown. SIGURG because its default
# action is to do nothing (a pool process that never ran a job ignores it), billiard does
# not claim it, and no terminal sends it (unlike SIGWINCH).
HANDBACK_SIGNAL = signal.SIGURG
# Set once this pool process was asked to shut down: it starts no further job.
_shutting_down = threading.Event()
_current: StopFlag | None = None


def _request_shutdown(_signum: int, _frame: Any) -> None:
    _shutting_down.set()
    if _current is not None:
        _current.set("shutdown")


@contextmanager
def _stop_on_shutdown(stop: StopFlag) -> Iterator[None]:
    """While a job runs, HANDBACK_SIGNAL or SIGTERM asks it to hand the job back and return.

    Installed from the task rather than at process start because billiard resets a pool
    process's signal handlers after Celery's initialiser. HANDBACK_SIGNAL (sent by the
    worker's main process when it shuts down) keeps this handler; SIGTERM gets its old
    handler back after the run, and a second SIGTERM during a run (a cold shutdown) exits
    at once.
    """
    global _current
    sigterms = 0

    def on_sigterm(signum: int, frame: Any) -> None:
        nonlocal sigterms
        sigterms += 1
        if sigterms > 1:
            os._exit(128 + signum)
        _request_shutdown(signum, frame)

    signal.signal(HANDBACK_SIGNAL, _request_shutdown)
    previous = signal.signal(signal.SIGTERM, on_sigterm)
    _current = stop
    try:
        yield
    finally:
        _current = None
        signal.signal(signal.SIGTERM, previous)


def _heartbeat(lease: jobs.Lease, stop: StopFlag, done: threading.Event) -> None:
    ctx = worker_context()
    ttl = ctx.settings.lease_seconds
    # Often enough that a cancel reaches a running trial within about two seconds.
    while not done.wait(max(0.5, min(2.0, ttl / 6))):
        try:
            with ctx.sessions() as session:
                held = jobs.renew_lease(session, lease, ttl)
        except Exception:  # a database hiccup: try again at the next beat
            log.warning("could not renew the lease of job %s", lease.job_id, exc_info=True)
            continue
        if not held:
            stop.set("cancelled")
            return


@shared_task(name=RUN_SEARCH, bind=True, ignore_result=True, acks_late=True)
def run_search(self: Any, job_id: str) -> str:
    """Run job ``job_id`` if it is queued (or its last run died); return its status."""
    if _shutting_down.is_set():
        # Left unclaimed, the job stays queued and the next worker's sweep sends it again.
        log.info("job %s not started: this worker is shutting down", job_id)
        return "skipped"
    ctx = worker_context()
    worker = f"{self.request.hostname or 'worker'}:{os.getpid()}"
    with ctx.sessions() as session:
        lease = jobs.claim_job(session, job_id, worker, ctx.settings.lease_seconds)
    if lease is None:
        log.info("job %s is not claimable (finished, cancelled or running elsewhere)", job_id)
        return "skipped"
    stop = StopFlag()
    done = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(lease, stop, done), daemon=True)
    beat.start()
    try:
        with _stop_on_shutdown(stop):
            run = JobRun(
                ctx.sessions,
                ctx.storage,
                lease,
                stop,
                max_rows=ctx.settings.max_rows,
                max_columns=ctx.settings.max_columns,
            )
            status = run.run()
    finally:
        done.set()
        beat.join(timeout=5)
    log.info("job %s: %s", job_id, status)
    if status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
        with ctx.sessions() as session:
            job = session.get(Job, job_id)
            if job.spec.get("webhook_url"):
                enqueue_webhook(self.app, job_id)
    return status
