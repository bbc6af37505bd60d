"""Where a job's webhook delivery stands, kept on the job (``Job.webhook``, JSON).

``pending`` until the first attempt; ``delivering`` while an attempt runs; then
``delivered``, ``refused`` (the target is not allowed: final), ``retrying`` (another
attempt at ``next_retry_at``) or ``failed`` (the last allowed attempt failed: final).
``attempts`` counts the attempts begun; ``last_status`` and ``last_error`` are those of
the last attempt that ended. A job whose spec has no ``webhook_url`` has no delivery.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.store.records import Job, utcnow


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    DELIVERING = "delivering"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    FAILED = "failed"
    REFUSED = "refused"

    @property
    def final(self) -> bool:
        """No further attempt will be made."""
        return self in (DeliveryState.DELIVERED, DeliveryState.FAILED, DeliveryState.REFUSED)


@dataclass(frozen=True)
class WebhookDelivery:
    """A job's webhook delivery, as the job document shows it."""

    state: DeliveryState
    attempts: int = 0
    last_status: int | None = None
    last_error: str | None = None
    delivered_at: datetime | None = None
    next_retry_at: datetime | None = None


def delivery_of(job: Job) -> WebhookDelivery | None:
    """The job's delivery; ``None`` when its spec has no ``webhook_url``."""
    if not job.spec.get("webhook_url"):
        return None
    stored = job.webhook or {}
    if not stored:
        return WebhookDelivery(DeliveryState.PENDING)
    return WebhookDelivery(
        state=DeliveryState(stored.get("state") or _state_before_states(stored)),
        attempts=stored.get("attempts", 0),
        last_status=stored.get("last_status"),
        last_error=stored.get("last_error"),
        delivered_at=_time(stored.get("delivered_at")),
        next_retry_at=_time(stored.get("next_retry_at")),
    )


def begin_attempt(session: Session, job: Job) -> int:
    """Record that an attempt at ``job``'s webhook (a row of ``session``) starts; return
    its number (1 for the first)."""
    current = delivery_of(job) or WebhookDelivery(DeliveryState.PENDING)
    attempt = current.attempts + 1
    begun = replace(current, state=DeliveryState.DELIVERING, attempts=attempt, next_retry_at=None)
    _store(session, job, begun)
    return attempt


def end_attempt(
    session: Session,
    job_id: str,
    attempt: int,
    state: DeliveryState,
    status: int | None,
    error: str | None,
) -> None:
    """Record how attempt ``attempt`` ended: ``state`` is the delivery's state after it."""
    job = session.get(Job, job_id)
    if job is None:
        return
    delivered_at = utcnow() if state == DeliveryState.DELIVERED else None
    ended = WebhookDelivery(state, attempt, status, error, delivered_at, next_retry_at=None)
    _store(session, job, ended)


def schedule_retry(session: Session, job_id: str, attempt: int, at: datetime) -> bool:
    """Record when the attempt after ``attempt`` is due, unless that one has begun already
    (a retry may start before its scheduler records it); ``True`` if recorded."""
    job = session.get(Job, job_id, with_for_update=True)
    current = delivery_of(job) if job is not None else None
    if current is None or current.state != DeliveryState.RETRYING or current.attempts != attempt:
        session.rollback()
        return False
    _store(session, job, replace(current, next_retry_at=at))
    return True


def _store(session: Session, job: Job, delivery: WebhookDelivery) -> None:
    job.webhook = {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in asdict(delivery).items()
    }
    session.commit()


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _state_before_states(stored: dict[str, Any]) -> DeliveryState:
    # Rows written before the state was kept held attempts, last_status, last_error and
    # delivered_at only; whatever retry they had planned is long over.
    if stored.get("delivered_at"):
        return DeliveryState.DELIVERED
    if (stored.get("last_error") or "").startswith("refused"):
        return DeliveryState.REFUSED
    return DeliveryState.FAILED
