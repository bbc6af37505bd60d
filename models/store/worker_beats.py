"""The search workers' heartbeats in the database: who is alive, and how many trials each
can run at once.

Every search worker's main process writes its row (``worker``: Celery's node name and the
process id) about every ten seconds while it holds a broker connection
(``tasks/monitoring.py``), and removes it when it stops. The sum of the slots of the rows
beaten lately is how many trials the workers on every host can run together: a job's
default ``max_parallel`` (:class:`models.worker_slots.WorkerSlots`). The database is the
one place every API host and worker shares, whatever the broker and the storage.

A row whose worker died without removing it stops counting once it is older than the
caller's ``since``, and is deleted by the next beat of any worker once it is
:data:`FORGET_AFTER` old, so the table holds about one row per live worker.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Integer, String, delete, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.store.records import Base, UTCDateTime

# A dead worker's row is deleted this long after its last beat: far past any liveness
# window, so that a worker whose beats were delayed (a database failover) is not lost.
FORGET_AFTER = timedelta(minutes=10)


class WorkerBeat(Base):
    """A search worker's last heartbeat and its slots (worker processes)."""

    __tablename__ = "worker_beats"

    worker: Mapped[str] = mapped_column(String(255), primary_key=True)
    slots: Mapped[int] = mapped_column(Integer)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime)


def beat(session: Session, worker: str, slots: int, now: datetime) -> None:
    """Record that ``worker`` is alive at ``now`` with ``slots``; forget the workers
    silent for :data:`FORGET_AFTER`. Only ``worker`` writes its own row, so an update
    that finds none can insert without a race."""
    found = session.execute(
        update(WorkerBeat).where(WorkerBeat.worker == worker).values(slots=slots, beat_at=now)
    )
    if found.rowcount == 0:
        session.add(WorkerBeat(worker=worker, slots=slots, beat_at=now))
    session.execute(delete(WorkerBeat).where(WorkerBeat.beat_at < now - FORGET_AFTER))


def forget(session: Session, worker: str) -> None:
    """Remove ``worker``'s row: it stopped, its slots no longer count."""
    session.execute(delete(WorkerBeat).where(WorkerBeat.worker == worker))


def live_slots(session: Session, since: datetime) -> int | None:
    """The slots of every worker that beat at ``since`` or later; ``None`` when none did."""
    total, beats = session.execute(
        select(func.sum(WorkerBeat.slots), func.count()).where(WorkerBeat.beat_at >= since)
    ).one()
    return int(total) if beats else None
