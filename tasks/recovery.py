"""Re-send jobs whose message was lost, from the worker's main process.

No transport keeps a message that a killed worker had taken, and Redis may restart
empty, so the database decides what still needs running: jobs queued but not started for
a while, jobs whose message the broker did not take, and running jobs whose lease
lapsed. A sweep runs when the worker starts and then every ``SWEEP_SECONDS``.

The same sweep re-sends overdue webhook deliveries (the webhook workers run no sweep):
``pending`` ``WEBHOOK_LATE_AFTER`` after the job finished, ``retrying`` that long after
the retry was due, or ``delivering`` that long beyond ``TUNEFORGE_WEBHOOK_TIMEOUT_SECONDS``
(the attempt's worker was killed). Each is taken in the database first, so it is re-sent
once per ``WEBHOOK_LATE_AFTER``, and its attempts never overlap.

When the worker gets its broker connection back after losing it, every queued job and
trial is re-sent at once (:class:`SweepOnReconnect`): the broker may have come back
empty, and waiting ``REQUEUE_AFTER`` would leave those jobs idle for minutes. A
duplicate message is a no-op (choosing trials is locked per job, a trial is claimed
once).

With ``TUNEFORGE_RETENTION_DAYS`` set, the sweep also deletes the jobs finished and the
datasets unused for longer than that (:meth:`~models.service.Service.purge_expired`), at
most once every ``PURGE_SECONDS`` (it reads the finished jobs, a table that grows with
history, where the rest of the sweep reads only what is in flight).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from datetime import timedelta
from typing import Any

from celery import bootsteps
from celery.signals import worker_ready, worker_shutting_down

from models.store.records import utcnow
from tasks.context import worker_service
from tasks.search import HANDBACK_SIGNAL
from tasks.shutdown import children

log = logging.getLogger(__name__)

SWEEP_SECONDS = 10
# A queued job not started after this long has its message re-sent (duplicates are no-ops).
REQUEUE_AFTER = timedelta(minutes=5)
# A running job with no trial in flight and no one concluding it for this long lost its
# next step (a worker died between recording a trial and choosing the next): advance it.
IDLE_AFTER = timedelta(seconds=30)
# How late a webhook delivery may be before its message is re-sent: a queue of deliveries
# waiting for a free webhook thread is not a lost message (a duplicate is a no-op, but a
# retry re-sent early would cut its backoff short).
WEBHOOK_LATE_AFTER = timedelta(seconds=30)
# How often the retention purge runs (with TUNEFORGE_RETENTION_DAYS), per worker host.
PURGE_SECONDS = 600

_stopping = threading.Event()
_reconnected = threading.Event()
_wake = threading.Event()


def sweep(app: Any, queued_before: Any) -> list[str]:
    """Re-send every job, trial and webhook delivery that needs it; return the jobs' ids."""
    service = worker_service(app)
    ids = service.recover(queued_before, utcnow() - IDLE_AFTER)
    if ids:
        log.info("re-sent %d job(s): %s", len(ids), ", ".join(ids))
    late = utcnow() - WEBHOOK_LATE_AFTER
    timeout = timedelta(seconds=service.settings.webhook_timeout_seconds)
    webhooks = service.webhooks.recover(late, late, late - timeout)
    if webhooks:
        log.info("re-sent %d webhook delivery(ies): %s", len(webhooks), ", ".join(webhooks))
    _purge_when_due(service)
    return ids


_purged_at: float | None = None


def _purge_when_due(service: Any) -> None:
    """The retention purge, when it is on and ``PURGE_SECONDS`` have passed since the last."""
    global _purged_at
    if not service.settings.retention_days:
        return
    if _purged_at is not None and time.monotonic() - _purged_at < PURGE_SECONDS:
        return
    _purged_at = time.monotonic()
    purged = service.purge_expired(utcnow())
    if purged.jobs or purged.datasets:
        log.info(
            "retention: deleted %d job(s) and %d dataset(s) older than %d days",
            len(purged.jobs),
            len(purged.datasets),
            service.settings.retention_days,
        )


def _sweep_forever(app: Any) -> None:
    queued_before = utcnow()  # at start-up every queued job is re-sent once
    while not _stopping.is_set():
        try:
            sweep(app, queued_before)
        except Exception:
            log.warning("recovery sweep failed; retrying", exc_info=True)
        _wake.wait(SWEEP_SECONDS)
        _wake.clear()
        if _reconnected.is_set():
            _reconnected.clear()
            queued_before = utcnow()  # everything queued, whatever its age
        else:
            queued_before = utcnow() - REQUEUE_AFTER


class SweepOnReconnect(bootsteps.StartStopStep):
    """A consumer bootstep asking for a sweep of everything queued after a reconnection.

    Celery restarts the consumer's bootsteps each time it re-establishes a lost broker
    connection; this one starts after the task consumer, so the sweep's messages find the
    worker listening. Its first start is the worker's own (``worker_ready`` sweeps then).
    """

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.connections = 0

    def start(self, parent: Any) -> None:
        self.connections += 1
        if self.connections > 1:
            log.info("broker connection re-established: re-sending every queued job")
            _reconnected.set()
            _wake.set()


@worker_ready.connect
def _start_sweeps(sender: Any = None, **_: Any) -> None:
    app = sender.app
    threading.Thread(
        target=_sweep_forever, args=(app,), daemon=True, name="tuneforge-recovery"
    ).start()


@worker_shutting_down.connect
def _tell_pool_processes(**_: Any) -> None:
    """Ask each pool process to hand its job back, so shutdown does not wait for a search.

    Sent from the stopping thread of :mod:`tasks.shutdown`, never from a signal handler:
    ``Event.set`` takes a lock, which a handler re-entered by the next signal would wait
    for forever. The pool processes are the main process's children, read from ``/proc``
    rather than from billiard's bookkeeping, which the main thread updates meanwhile.
    """
    _stopping.set()
    _wake.set()
    for pid in children(os.getpid()):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, HANDBACK_SIGNAL)
