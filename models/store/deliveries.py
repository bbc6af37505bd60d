"""Where a job's webhook delivery stands, kept on the job: its state in
``Job.webhook_state``, the rest in ``Job.webhook`` (JSON).

``pending`` until the first attempt; ``delivering`` while an attempt runs; then
``delivered``, ``refused`` (the target is not allowed: final), ``retrying`` (another
attempt at ``next_retry_at``) or ``failed`` (the last allowed attempt failed: final).
``attempts`` counts the attempts begun; ``last_status`` and ``last_error`` are those of
the last attempt that ended. A job whose spec has no ``webhook_url`` has no delivery
(its ``webhook_state`` is null).

Every change is a compare-and-set on the delivery's state and attempts (one ``UPDATE``
whose ``WHERE`` checks them, atomic on SQLite and PostgreSQL alike), so two messages for
one delivery (a re-send and a late original) never run attempts at once: the second to
begin finds the delivery changed and gives up. The workers' recovery sweep re-sends what
is :func:`overdue` (its message lost with the broker, or its worker killed mid-attempt),
found through a partial index on the unsettled states: the sweep reads those deliveries
only, however many jobs have finished.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from models.store.records import UNSETTLED, DeliveryState, Job, JobStatus, listed, utcnow

__all__ = ["DeliveryState"]  # re-exported: the documents validate against it


@dataclass(frozen=True)
class WebhookDelivery:
    """A job's webhook delivery, as the job document shows it."""

    state: DeliveryState
    attempts: int = 0
    last_status: int | None = None
    last_error: str | None = None
    delivered_at: datetime | None = None
    next_retry_at: datetime | None = None
    # Kept for the recovery sweep, not shown: when attempt ``attempts`` began, and when
    # the sweep last re-sent the delivery's message.
    began_at: datetime | None = None
    resent_at: datetime | None = None


FINISHED = [status for status in JobStatus if status.finished]
INTERRUPTED = "interrupted: no outcome within the timeout (its worker stopped?)"


def delivery_of(job: Job) -> WebhookDelivery | None:
    """The job's delivery; ``None`` when its spec has no ``webhook_url``."""
    if job.webhook_state is None:
        return None
    stored = job.webhook or {}
    return WebhookDelivery(
        state=DeliveryState(job.webhook_state),
        attempts=stored.get("attempts", 0),
        last_status=stored.get("last_status"),
        last_error=stored.get("last_error"),
        delivered_at=_time(stored.get("delivered_at")),
        next_retry_at=_time(stored.get("next_retry_at")),
        began_at=_time(stored.get("began_at")),
        resent_at=_time(stored.get("resent_at")),
    )


def begin_attempt(session: Session, job_id: str, seen: WebhookDelivery) -> int | None:
    """Start the attempt after ``seen`` (the delivery as last read, ``pending`` or
    ``retrying``); return its number (1 for the first), or ``None`` if the delivery changed
    since it was read (another message began an attempt: this one must not)."""
    attempt = seen.attempts + 1
    begun = replace(
        seen,
        state=DeliveryState.DELIVERING,
        attempts=attempt,
        next_retry_at=None,
        began_at=utcnow(),
        resent_at=None,
    )
    return attempt if _swap(session, job_id, seen, begun) else None


def end_attempt(
    session: Session,
    job_id: str,
    attempt: int,
    state: DeliveryState,
    status: int | None,
    error: str | None,
) -> bool:
    """Record how attempt ``attempt`` ended: ``state`` is the delivery's state after it.
    ``False`` if the sweep took the attempt back meanwhile (it outlived the timeout)."""
    job = session.get(Job, job_id)
    current = delivery_of(job) if job is not None else None
    if current is None or current.state != DeliveryState.DELIVERING or current.attempts != attempt:
        session.rollback()
        return False
    delivered_at = utcnow() if state == DeliveryState.DELIVERED else None
    ended = WebhookDelivery(
        state, attempt, status, error, delivered_at, next_retry_at=None, began_at=current.began_at
    )
    return _swap(session, job_id, current, ended)


def schedule_retry(session: Session, job_id: str, attempt: int, at: datetime) -> bool:
    """Record when the attempt after ``attempt`` is due, unless that one has begun already
    (a retry may start before its scheduler records it); ``True`` if recorded."""
    job = session.get(Job, job_id)
    current = delivery_of(job) if job is not None else None
    if current is None or current.state != DeliveryState.RETRYING or current.attempts != attempt:
        session.rollback()
        return False
    return _swap(session, job_id, current, replace(current, next_retry_at=at))


def overdue(
    session: Session, pending_before: datetime, retry_before: datetime, attempt_before: datetime
) -> list[tuple[str, WebhookDelivery]]:
    """The deliveries whose message may be lost, each with its id: ``pending`` since before
    ``pending_before``, ``retrying`` with its retry due before ``retry_before``, or
    ``delivering`` in an attempt begun before ``attempt_before`` (its worker must have
    stopped: an attempt ends within the webhook timeout). A re-send (:func:`resend`)
    counts as a new start, so a delivery is not re-sent on every sweep."""
    found = []
    for job in session.scalars(unsettled_finished()):
        delivery = delivery_of(job)
        if delivery is not None and _late(
            delivery, job.finished_at, pending_before, retry_before, attempt_before
        ):
            found.append((job.id, delivery))
    return found


def unsettled_finished() -> Select[tuple[Job]]:
    """The finished jobs whose delivery is unsettled, read through the partial index
    ``ix_jobs_webhook_unsettled``."""
    return select(Job).where(listed(Job.webhook_state, UNSETTLED), Job.status.in_(FINISHED))


def resend(session: Session, job_id: str, seen: WebhookDelivery) -> bool:
    """Take an overdue delivery, as last read (``seen``), for the sweep to send again;
    ``False`` if it moved on meanwhile. An attempt still ``delivering`` is recorded as
    interrupted, so that the re-sent message may begin the next one."""
    taken = replace(seen, resent_at=utcnow())
    if seen.state == DeliveryState.DELIVERING:
        taken = replace(
            taken, state=DeliveryState.RETRYING, last_status=None, last_error=INTERRUPTED
        )
    return _swap(session, job_id, seen, taken)


def _late(
    delivery: WebhookDelivery,
    finished_at: datetime | None,
    pending_before: datetime,
    retry_before: datetime,
    attempt_before: datetime,
) -> bool:
    if delivery.state == DeliveryState.PENDING:
        since, deadline = finished_at, pending_before
    elif delivery.state == DeliveryState.RETRYING and delivery.next_retry_at is not None:
        since, deadline = delivery.next_retry_at, retry_before
    elif delivery.state in (DeliveryState.RETRYING, DeliveryState.DELIVERING):
        # No retry recorded: the worker stopped before Celery scheduled it, or mid-attempt.
        since, deadline = delivery.began_at, attempt_before
    else:
        return False
    latest = max((t for t in (since, delivery.resent_at) if t is not None), default=None)
    return latest is None or latest < deadline


def _swap(session: Session, job_id: str, seen: WebhookDelivery, new: WebhookDelivery) -> bool:
    """Store ``new`` if the job's delivery still has ``seen``'s state and attempts."""
    changed = session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            Job.webhook_state == seen.state,
            func.coalesce(Job.webhook["attempts"].as_integer(), 0) == seen.attempts,
        )
        .values(webhook_state=new.state, webhook=_document(new))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return changed.rowcount == 1


def _document(delivery: WebhookDelivery) -> dict[str, Any]:
    """What ``Job.webhook`` keeps of ``delivery``: all but its state (``Job.webhook_state``)."""
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in asdict(delivery).items()
        if key != "state"
    }


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
