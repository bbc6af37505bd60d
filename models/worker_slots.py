"""How many trials the search workers can run at once, on every host together: a job's
default ``max_parallel``.

Counted from the workers' own heartbeats in the database (:mod:`models.store.worker_beats`):
each search worker reports its slots (its worker processes) with every beat, so adding a
host or changing its ``TUNEFORGE_WORKER_CONCURRENCY`` needs no setting changed on the
others. ``TUNEFORGE_WORKER_SLOTS``, when set, overrides the count. While no worker has
beaten lately (the API started first, or every worker is down) the count is this
process's ``TUNEFORGE_WORKER_CONCURRENCY``, as on one machine.

The API asks at every submit, so the count is read at most every :data:`CACHE_SECONDS`
per process: one small aggregate over about one row per live worker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from models.plumbing import liveness
from models.store import worker_beats
from models.store.records import utcnow

# Workers beat every liveness.BEAT_SECONDS (10 s): a count read more often than that
# would mostly read the same rows again.
CACHE_SECONDS = 10.0
# A worker counts while its last beat is this recent: as long as its health check waits
# (six missed beats), so a worker reconnecting to its broker keeps its slots meanwhile.
LIVE_WITHIN = timedelta(seconds=liveness.HEALTHY_WITHIN_SECONDS)


class WorkerSlots:
    """The search workers' slots: ``count()`` for the API, ``report()`` for the workers."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        override: int,
        fallback: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self.override = override
        self.fallback = fallback
        self._clock = clock
        self._count = fallback
        self._read_at: float | None = None

    def count(self) -> int:
        """The override, else the live workers' slots (at most :data:`CACHE_SECONDS`
        old), else the fallback."""
        if self.override:
            return self.override
        now = self._clock()
        if self._read_at is None or now - self._read_at >= CACHE_SECONDS:
            with self.sessions() as session:
                live = worker_beats.live_slots(session, utcnow() - LIVE_WITHIN)
            self._count = self.fallback if live is None else live
            self._read_at = now
        return self._count

    def report(self, worker: str, slots: int) -> None:
        """``worker`` is alive with ``slots``: the beat of a search worker's main process."""
        with self.sessions.begin() as session:
            worker_beats.beat(session, worker, slots, utcnow())

    def forget(self, worker: str) -> None:
        """``worker`` stops: its slots no longer count, without waiting for its beats to age."""
        with self.sessions.begin() as session:
            worker_beats.forget(session, worker)
