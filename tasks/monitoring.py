"""What a worker shows its operators: logs, metrics and a heartbeat, through Celery signals.

- Logs: Celery's ``setup_logging`` signal hands the set-up to
  :func:`models.plumbing.logs.configure` (``TUNEFORGE_LOG_FORMAT``: one JSON object per line, or
  text), in the main process before the pool forks.
- While a task runs, each of its records carries the ids it was given: every tuneforge
  task takes ``(job_id)`` or ``(job_id, number)`` ("pass the primary key"), logged as
  ``job_id`` and ``trial``.
- Each finished task is counted by outcome (``tuneforge_celery_tasks_total``): what it
  returned (a :class:`~models.job_run.RunOutcome` such as ``recorded`` or ``failed``), or
  else how it ended (``failure``, ``retry``). Celery itself logs every task that returns
  as "succeeded", whatever it returned: a job that fails is also logged at WARNING, with
  its error, by the service (``Service._job_finished``), within the task's context.
- The main process touches its role's heartbeat file (search or webhooks, from the queue
  it consumes) while connected to the broker (``tuneforge worker-health --role``), and
  serves its data dir's metrics on ``TUNEFORGE_METRICS_PORT`` when
  that is set.
- A search worker's main process also beats in the database, with its slots (its pool's
  processes), and removes its row when it stops: every API host counts the slots of all
  the live workers from there (:mod:`models.worker_slots`), a job's default
  ``max_parallel``.
- A pool process that exits drops its live gauges (prometheus-client's bookkeeping).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from celery.signals import (
    setup_logging,
    task_postrun,
    task_prerun,
    worker_process_shutdown,
    worker_ready,
    worker_shutting_down,
)

from models.plumbing import liveness, logs, metrics
from models.settings import Settings
from tasks.app import WEBHOOK_QUEUE
from tasks.context import worker_service

log = logging.getLogger(__name__)

# task id → the log context to put back when the task ends (in the pool process).
_previous: dict[str, dict[str, Any]] = {}


def ids_of(args: Any, kwargs: Any) -> dict[str, Any]:
    """The job and trial a task's arguments name: ``(job_id)`` or ``(job_id, number)``."""
    args = list(args or ())
    kwargs = kwargs or {}
    job_id = kwargs.get("job_id", args[0] if args else None)
    number = kwargs.get("number", args[1] if len(args) > 1 else None)
    return {
        "job_id": job_id if isinstance(job_id, str) else None,
        "trial": number if isinstance(number, int) else None,
    }


def outcome_of(retval: Any, state: str | None) -> str:
    """A task's outcome label: the string it returned, else its final Celery state."""
    return str(retval) if isinstance(retval, str) else (state or "unknown").lower()


def role_of(app: Any) -> str:
    """The worker's role (its heartbeat file's name), from the queues it consumes."""
    consumed = app.amqp.queues.consume_from or {}
    return liveness.WEBHOOKS if WEBHOOK_QUEUE in consumed else liveness.SEARCH


@setup_logging.connect
def _configure_logging(loglevel: Any = None, **_: Any) -> None:
    logs.configure(Settings.from_env().log_format, loglevel or logging.INFO)


@task_prerun.connect
def _enter_task(task_id: str = "", args: Any = None, kwargs: Any = None, **_: Any) -> None:
    _previous[task_id] = logs.bind(**ids_of(args, kwargs))


@task_postrun.connect
def _leave_task(
    task_id: str = "", task: Any = None, retval: Any = None, state: str | None = None, **_: Any
) -> None:
    metrics.task_finished(task.name, outcome_of(retval, state))
    logs.restore(_previous.pop(task_id, {}))


@worker_process_shutdown.connect
def _forget_process(pid: int | None = None, **_: Any) -> None:
    metrics.process_exited(pid or os.getpid())


class SlotReport:
    """A search worker's beats in the database: its name and slots, until it stops."""

    def __init__(self, consumer: Any, settings: Settings) -> None:
        self.app = consumer.app
        # Celery's node name (unique among the workers sharing a broker) and this process.
        self.worker = f"{consumer.hostname}:{os.getpid()}"
        pool = getattr(getattr(consumer, "controller", None), "concurrency", None)
        self.slots = pool if isinstance(pool, int) and pool > 0 else settings.worker_concurrency
        self._lock = threading.Lock()  # a beat never lands after the row was removed
        self._stopped = False

    def beat(self) -> None:
        """Report this worker alive with its slots (a failure is logged; the next beat
        tries again)."""
        with self._lock:
            if self._stopped:
                return
            try:
                worker_service(self.app).worker_slots.report(self.worker, self.slots)
            except Exception:
                log.warning("could not report this worker's slots", exc_info=True)

    def stop(self) -> None:
        """Remove this worker's row: its slots stop counting now, not once they age."""
        with self._lock:
            self._stopped = True
            try:
                worker_service(self.app).worker_slots.forget(self.worker)
            except Exception:
                log.warning("could not remove this worker's slots", exc_info=True)


_reports: list[SlotReport] = []


@worker_ready.connect
def _start_heartbeat_and_metrics(sender: Any = None, **_: Any) -> None:
    settings = Settings.from_env()
    role = role_of(sender.app)
    threading.Thread(
        target=_beat_forever,
        args=(liveness.beat_file(settings.data_dir, role), sender),
        daemon=True,
        name="tuneforge-heartbeat",
    ).start()
    if role == liveness.SEARCH:
        # A thread of its own: a database slow to answer never delays the heartbeat file,
        # which says only that the worker holds its broker connection.
        report = SlotReport(sender, settings)
        _reports.append(report)
        threading.Thread(
            target=_report_forever, args=(report, sender), daemon=True, name="tuneforge-slots"
        ).start()
    if settings.metrics_port:
        metrics.serve_sources(metrics.metrics_dir(settings.data_dir), settings.metrics_port)
        log.info("metrics served on port %d", settings.metrics_port)


@worker_shutting_down.connect
def _stop_reporting(**_: Any) -> None:
    """Remove this worker's slots as it stops, in a thread of its own: the handing back of
    running trials (``tasks.recovery``) must not wait on the database."""
    while _reports:
        threading.Thread(target=_reports.pop().stop, name="tuneforge-slots-stop").start()


def _beat_forever(path: Path, consumer: Any) -> None:
    while True:
        if _connected(consumer):
            try:
                liveness.beat(path)
            except OSError:
                log.warning("could not write the heartbeat file %s", path, exc_info=True)
        time.sleep(liveness.BEAT_SECONDS)


def _report_forever(report: SlotReport, consumer: Any) -> None:
    """The worker's slots count while it can take trials: while it holds the broker."""
    while True:
        if _connected(consumer):
            report.beat()
        time.sleep(liveness.BEAT_SECONDS)


def _connected(consumer: Any) -> bool:
    """Whether the worker's consumer holds a broker connection (Celery swaps it when it
    reconnects, so it is looked up at each beat)."""
    connection = getattr(consumer, "connection", None)
    try:
        return connection is not None and bool(connection.connected)
    except Exception:
        return False
