"""The Celery adapters of a job's steps: ``run_search(job_id)`` chooses and sends its next
trials (:meth:`models.service.Service.advance`), ``run_trial(job_id, number)`` runs one
(:meth:`models.service.Service.run_trial`).

Both are safe to deliver twice or to run again after a crash: choosing is locked per job,
a trial runs under a lease and is recorded once. What is Celery's own lives here: a pool
process asked to shut down hands its trial back to the queue instead of finishing it.
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

from models.job_run import RunOutcome, StopFlag, StopReason
from tasks.app import RUN_SEARCH, RUN_TRIAL
from tasks.context import worker_service

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
        _current.set(StopReason.SHUTDOWN)


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


@shared_task(name=RUN_SEARCH, bind=True, ignore_result=True, acks_late=True)
def run_search(self: Any, job_id: str) -> str:
    """Start job ``job_id``'s next trials on the workers, or conclude it. Quick: it never
    waits for a trial, so a slot is never held while other work queues behind it."""
    if _shutting_down.is_set():
        # Left alone, the job keeps its state and the next worker's sweep sends it again.
        return RunOutcome.SKIPPED
    advanced = worker_service(self.app).advance(job_id)
    return "advanced" if advanced else RunOutcome.SKIPPED


@shared_task(name=RUN_TRIAL, bind=True, ignore_result=True, acks_late=True)
def run_trial(self: Any, job_id: str, number: int) -> str:
    """Run trial ``number`` of job ``job_id`` if it still needs running; record it."""
    if _shutting_down.is_set():
        log.info("trial %s/%d not started: this worker is shutting down", job_id, number)
        return RunOutcome.SKIPPED
    worker = f"{self.request.hostname or 'worker'}:{os.getpid()}"
    stop = StopFlag()
    with _stop_on_shutdown(stop):
        outcome = worker_service(self.app).run_trial(job_id, number, worker, stop)
    if outcome in (RunOutcome.FAILED, RunOutcome.LOST):
        log.warning("job %s trial %d: %s", job_id, number, outcome)
    return outcome
