"""The Celery adapters of a job's steps: ``advance(job_id)`` queues and sends its next
trials or concludes it (:meth:`models.service.Service.advance`), ``run_trial(job_id,
number)`` runs one (:meth:`models.service.Service.run_trial`).

Both are safe to deliver twice or to run again after a crash: choosing is locked per job,
a trial runs under a lease and is recorded once. What is Celery's own lives here: a pool
process asked to shut down hands its trial back to the queue instead of finishing it.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery import shared_task

from models.dispatch import HeldTrials
from models.job_run import RunOutcome, StopFlag, StopReason
from models.plumbing import logs
from models.service import Service
from tasks.app import ADVANCE, RUN_TRIAL
from tasks.context import worker_service

log = logging.getLogger(__name__)

# Sent by the worker's main process to its pool on shutdown. SIGURG because its default
# action is to do nothing (a pool process that never ran a trial ignores it), billiard does
# not claim it, and no terminal sends it (unlike SIGWINCH).
HANDBACK_SIGNAL = signal.SIGURG
# How long a pool process goes on running queued trials after the one it was sent.
GO_ON_SECONDS = 60


class _Shutdown:
    """This pool process's shutdown, as its signal handler leaves it: plain attributes.

    A handler runs between two bytecodes of the main thread, wherever it was (in an
    earlier handler too), so it must not take a lock: ``threading.Event.set`` does, and a
    second signal arriving inside the first handler's ``set`` waited forever for the lock
    that handler held (issue 16). The run polls :attr:`requested` and its
    :class:`~models.job_run.StopFlag` (a plain attribute too) every 0.1 s instead.
    """

    requested = False  # once set, this process starts no further step
    current: StopFlag | None = None  # the trial in progress, to stop


def _request_shutdown(_signum: int, _frame: Any) -> None:
    _Shutdown.requested = True
    current = _Shutdown.current
    if current is not None:
        current.set(StopReason.SHUTDOWN)


@contextmanager
def _stop_on_shutdown(stop: StopFlag) -> Iterator[None]:
    """While a trial runs, HANDBACK_SIGNAL or SIGTERM asks it to hand the trial back and
    return.

    Installed from the task rather than at process start because billiard resets a pool
    process's signal handlers after Celery's initialiser. HANDBACK_SIGNAL (sent by the
    worker's main process when it shuts down) keeps this handler; SIGTERM (sent to every
    process by systemd or ``kill -TERM -PGID``) gets its old handler back after the run.
    Repeated, either asks the same again: how long a stop may take is the main process's
    to bound (``tasks.shutdown.WORKER_STOP_GRACE_S``), and a pool process whose main
    process died exits by itself (``tasks.shutdown``).
    """
    signal.signal(HANDBACK_SIGNAL, _request_shutdown)
    previous = signal.signal(signal.SIGTERM, _request_shutdown)
    _Shutdown.current = stop
    if _Shutdown.requested:  # asked between the caller's check and here
        stop.set(StopReason.SHUTDOWN)
    try:
        yield
    finally:
        _Shutdown.current = None
        signal.signal(signal.SIGTERM, previous)


@shared_task(name=ADVANCE, bind=True, ignore_result=True, acks_late=True)
def advance(self: Any, job_id: str) -> str:
    """Queue job ``job_id``'s next trials and send them to the workers; when none are left,
    conclude it (refit the best candidate on every training row, save the model). Only
    concluding waits for a fit, once a job; choosing never waits for a trial."""
    if _Shutdown.requested:
        # Left alone, the job keeps its state and the next worker's sweep sends it again.
        return RunOutcome.SKIPPED
    return worker_service(self.app).advance(job_id)


@shared_task(name=RUN_TRIAL, bind=True, ignore_result=True, acks_late=True)
def run_trial(self: Any, job_id: str, number: int) -> str:
    """Run trial ``number`` of job ``job_id`` if it still needs running; record it.

    Then, for up to :data:`GO_ON_SECONDS`, run whichever trial has waited longest (of any
    job) here, without a round trip through the broker. The database says what waits, in
    the order the broker would deliver it, and a job waiting to start ends the streak (its
    message goes first). The trials a step queues are sent to the broker once this
    process has chosen its next one, except that one: no message is sent for a trial
    this process takes itself, so the queue holds no stale messages for later.
    """
    service = worker_service(self.app)
    worker = f"{self.request.hostname or 'worker'}:{os.getpid()}"
    started = time.monotonic()
    held = HeldTrials()
    try:
        outcome = _run_one(service, job_id, number, worker, held)
        while (
            outcome is not RunOutcome.HANDED_BACK
            and not _Shutdown.requested
            and time.monotonic() - started < GO_ON_SECONDS
            and (following := service.next_trial()) is not None
        ):
            held.take(following)  # run here: no message for it
            held.send_to(service.dispatch)
            with logs.context(job_id=following[0], trial=following[1]):
                outcome = _run_one(service, *following, worker, held)
    finally:
        held.send_to(service.dispatch)
    return outcome


def _run_one(
    service: Service, job_id: str, number: int, worker: str, held: HeldTrials
) -> RunOutcome:
    if _Shutdown.requested:
        log.info("trial %s/%d not started: this worker is shutting down", job_id, number)
        return RunOutcome.SKIPPED
    stop = StopFlag()
    with _stop_on_shutdown(stop):
        outcome = service.run_trial(job_id, number, worker, stop, held)
    level = logging.WARNING if outcome in (RunOutcome.FAILED, RunOutcome.LOST) else logging.INFO
    log.log(level, "job %s trial %d: %s", job_id, number, outcome, extra={"outcome": outcome})
    return outcome
