"""What operators measure, in Prometheus' text format (prometheus-client).

The metrics, all named ``tuneforge_…``:

- ``jobs{status}`` and ``trials_in_flight{state}``: jobs in each status, and trials sent
  to the workers but not recorded yet, ``queued`` (the queue depth) or ``running``. Read
  from the database at each scrape (:class:`DatabaseCollector`), so every API process
  reports the same numbers: aggregate them with ``max``, not ``sum``.
- ``trials_total{state}`` (its rate is trials per second) and
  ``trial_duration_seconds{state}``: counted where a trial is recorded
  (:func:`trial_finished`).
- ``http_request_duration_seconds{method,route,status}``: each API request, by route
  template (``/v1/jobs/<job_id>``), never by id (:func:`request_finished`).
- ``celery_tasks_total{task,outcome}``: each finished task, by what it returned (a job's
  run outcome) or how it ended (``failure``, ``retry``) (:func:`task_finished`).
- ``purged_total{kind}``: jobs and datasets the retention sweep deleted
  (``TUNEFORGE_RETENTION_DAYS``, :func:`purged`).

Many processes count: gunicorn's workers, Celery's pool processes. prometheus-client's
multiprocess mode has each process write its values to memory-mapped files in the folder
``PROMETHEUS_MULTIPROC_DIR`` names (prometheus-client picks its mode when it is imported,
so the variable is set before the process starts). ``tuneforge api``, ``worker`` and
``serve`` give each role they start a folder of its own, a *source*, under
``<data dir>/metrics`` (:func:`claim_source`), holding an exclusive lock on it that every
process of the role inherits. An exposition (:func:`exposition`) merges each source's
files and labels its samples ``source="<role>-<host>-<pid>"``: the API's ``/metrics``
therefore shows every process that shares its data dir, the workers beside it included.
A role that starts removes the sources whose lock is free (every process that wrote them
has exited): their series end, rather than the totals of the survivors dropping, which
Prometheus would read as a counter reset. A worker host without an API can serve its
sources on a port of its own (:func:`serve_sources`, ``TUNEFORGE_METRICS_PORT``).
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import socket
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric

log = logging.getLogger(__name__)

# prometheus-client's own switch to its multiprocess mode.
MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
LOCK_FILE = ".lock"
# From a few milliseconds (tiny tables) to the hours a large fit can take.
TRIAL_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

TRIALS = Counter("tuneforge_trials", "Trials recorded, by state.", ["state"])
TRIAL_SECONDS = Histogram(
    "tuneforge_trial_duration_seconds",
    "Time to evaluate one trial (fits and scoring on every fold), by state.",
    ["state"],
    buckets=TRIAL_BUCKETS,
)
HTTP_SECONDS = Histogram(
    "tuneforge_http_request_duration_seconds",
    "Time from a request's arrival to its response's start, by method, route and status.",
    ["method", "route", "status"],
)
TASKS = Counter(
    "tuneforge_celery_tasks", "Celery tasks finished, by task and outcome.", ["task", "outcome"]
)

PURGED = Counter(
    "tuneforge_purged",
    "Jobs and datasets deleted by the retention sweep (TUNEFORGE_RETENTION_DAYS), by kind.",
    ["kind"],
)


def trial_finished(state: str, seconds: float) -> None:
    """Count one recorded trial and how long it took."""
    TRIALS.labels(state=state).inc()
    TRIAL_SECONDS.labels(state=state).observe(seconds)


def request_finished(method: str, route: str, status: int, seconds: float) -> None:
    """Time one HTTP request; ``route`` is its template (unknown methods are ``OTHER``)."""
    method = method if method in HTTP_METHODS else "OTHER"
    HTTP_SECONDS.labels(method=method, route=route, status=str(status)).observe(seconds)


def task_finished(task: str, outcome: str) -> None:
    """Count one finished Celery task."""
    TASKS.labels(task=task, outcome=outcome).inc()


def purged(kind: str, count: int) -> None:
    """Count ``count`` records of ``kind`` (``job``, ``dataset``) the retention sweep deleted."""
    if count:
        PURGED.labels(kind=kind).inc(count)


def process_exited(pid: int) -> None:
    """Forget the live gauges of an exited process (prometheus-client's bookkeeping)."""
    if multiprocess_mode():
        multiprocess.mark_process_dead(pid)


def multiprocess_mode() -> bool:
    """True when this process writes its values to a source folder."""
    return MULTIPROCESS_VARIABLE in os.environ


# Sources: one folder per running role ----------------------------------------------------


def metrics_dir(data_dir: Path) -> Path:
    """Where the sources of the processes sharing ``data_dir`` live."""
    return data_dir / "metrics"


def claim_source(root: Path, role: str) -> Path:
    """A new, empty source folder for ``role`` under ``root``, locked until this process
    and every process it starts (or becomes, by exec) have exited.

    Sources whose processes have all exited are removed first. The folder is prepared
    under a hidden name and renamed once locked, so that no other process starting at the
    same moment can take it for a dead one.
    """
    root.mkdir(parents=True, exist_ok=True)
    remove_dead_sources(root)
    staging = Path(tempfile.mkdtemp(prefix=".claim-", dir=root))
    lock = os.open(staging / LOCK_FILE, os.O_CREAT | os.O_RDWR, 0o644)
    fcntl.flock(lock, fcntl.LOCK_EX)
    # Kept open on purpose, across exec (into gunicorn or Celery) and fork (their workers):
    # the lock lasts as long as any of them lives.
    os.set_inheritable(lock, True)
    source = root / f"{role}-{socket.gethostname()}-{os.getpid()}"
    shutil.rmtree(source, ignore_errors=True)  # a dead namesake (a restarted container)
    staging.rename(source)
    return source


def remove_dead_sources(root: Path) -> list[str]:
    """Remove every source under ``root`` that no live process holds; return their names."""
    removed = []
    for source in sources(root):
        if not _locked(source / LOCK_FILE):
            shutil.rmtree(source, ignore_errors=True)
            removed.append(source.name)
    return removed


def sources(root: Path) -> list[Path]:
    """The source folders under ``root`` (none if it does not exist)."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def _locked(lock_file: Path) -> bool:
    try:
        fd = os.open(lock_file, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also releases the probe's lock
    return False


class SourcesCollector:
    """Every source under a folder: each merged across its processes, labelled ``source``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def collect(self) -> Iterable[Metric]:
        families: dict[str, Metric] = {}
        for source in sources(self.root):
            try:
                merged = multiprocess.MultiProcessCollector.merge(
                    [str(p) for p in source.glob("*.db")], accumulate=True
                )
            except FileNotFoundError:  # removed while being read: its processes are gone
                continue
            for metric in merged:
                family = families.setdefault(
                    metric.name, Metric(metric.name, metric.documentation, metric.type)
                )
                family.samples += [
                    s._replace(labels={**s.labels, "source": source.name}) for s in metric.samples
                ]
        return families.values()


# What the database says, at scrape time ----------------------------------------------------


class JobCounts(Protocol):
    """What :class:`DatabaseCollector` reads (:class:`models.service.Service` provides it)."""

    def job_counts(self) -> dict[str, int]: ...

    def trials_in_flight(self) -> dict[str, int]: ...


class DatabaseCollector:
    """``tuneforge_jobs{status}`` and ``tuneforge_trials_in_flight{state}``, read when
    scraped. If the database cannot be read, they are left out of that scrape (and logged)
    rather than failing the other metrics."""

    def __init__(self, database: JobCounts) -> None:
        self.database = database

    def collect(self) -> Iterator[Metric]:
        try:
            jobs = self.database.job_counts()
            trials = self.database.trials_in_flight()
        except Exception:
            log.warning("metrics: could not read job counts from the database", exc_info=True)
            return
        by_status = GaugeMetricFamily(
            "tuneforge_jobs", "Jobs in each status, every tenant.", labels=["status"]
        )
        for status, n in jobs.items():
            by_status.add_metric([status], n)
        yield by_status
        in_flight = GaugeMetricFamily(
            "tuneforge_trials_in_flight",
            "Trials sent to the workers and not recorded yet: queued (the queue depth) or running.",
            labels=["state"],
        )
        for state, n in trials.items():
            in_flight.add_metric([state], n)
        yield in_flight


def exposition(root: Path, database: JobCounts | None = None) -> tuple[bytes, str]:
    """The text a scrape gets, and its content type: every source under ``root`` (or, in a
    single process without a source, this process's metrics), and the database's counts
    when ``database`` is given."""
    registry = CollectorRegistry(auto_describe=False)
    if database is not None:
        registry.register(DatabaseCollector(database))
    registry.register(SourcesCollector(root) if multiprocess_mode() else REGISTRY)
    return generate_latest(registry), CONTENT_TYPE_LATEST


def serve_sources(root: Path, port: int, addr: str = "0.0.0.0") -> Any:
    """Serve the sources under ``root`` on ``port`` from a daemon thread (a worker host
    without an API: ``TUNEFORGE_METRICS_PORT``); returns the server (``shutdown()``)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SourcesCollector(root))
    server, _thread = start_http_server(port, addr=addr, registry=registry)
    return server
