"""Webhook delivery: one attempt at a finished job's webhook, its retry, and the sweep.

:class:`WebhookDeliveries` runs the delivery's state machine (``models/store/deliveries.py``
keeps it on the job) around one HTTP attempt (``models/plumbing/webhook_http.py``). The
webhook task calls :meth:`WebhookDeliveries.deliver` and, when Celery schedules a retry,
:meth:`WebhookDeliveries.schedule_retry`; the search workers' recovery sweep calls
:meth:`WebhookDeliveries.recover`. Callers reach it as ``Service.webhooks``.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from models.documents import JobSchema
from models.plumbing import webhook_http
from models.settings import Settings
from models.store import deliveries
from models.store.deliveries import DeliveryState
from models.store.records import Job, JobStatus

log = logging.getLogger(__name__)


class WebhookOutcome(enum.StrEnum):
    """What became of one webhook attempt."""

    DELIVERED = "delivered"
    FAILED = "failed"  # worth another attempt
    REFUSED = "refused"  # the target is not allowed: final
    NOT_DUE = "not due"  # the job has not ended, or was delivered already
    NOTHING_TO_SEND = "nothing to send"  # no such job, or no webhook_url


@dataclass(frozen=True)
class WebhookAttempt:
    """What :meth:`WebhookDeliveries.deliver` did: its outcome, and the attempt's number (0
    when it made none)."""

    outcome: WebhookOutcome
    number: int = 0


class SendsWebhooks(Protocol):
    """What sends "deliver job ``job_id``'s webhook" to the webhook workers."""

    def deliver_webhook(self, job_id: str) -> None: ...


@dataclass(frozen=True)
class WebhookDeliveries:
    """The webhook deliveries of the jobs in one database."""

    sessions: sessionmaker[Session]
    settings: Settings
    dispatch: SendsWebhooks

    def send(self, job_id: str) -> None:
        """Ask the webhook workers to deliver job ``job_id``'s webhook. The delivery is kept
        on the job: if the broker does not take the message, the recovery sweep re-sends it."""
        try:
            self.dispatch.deliver_webhook(job_id)
        except Exception:
            log.warning("could not send the webhook of job %s", job_id, exc_info=True)

    def deliver(
        self, job_id: str, last_try: bool = False, max_attempts: int | None = None
    ) -> WebhookAttempt:
        """POST a finished job's document to its ``webhook_url`` (the same document the API
        serves), recording on the job that the attempt began and how it ended. After a
        failure the delivery is ``retrying``, or ``failed`` if this was the ``last_try`` or
        attempt ``max_attempts`` (counted on the job: a re-sent message starts Celery's
        count again). Not attempted while another attempt runs."""
        with self.sessions() as session:
            job = session.get(Job, job_id)
            delivery = deliveries.delivery_of(job) if job is not None else None
            if delivery is None:
                return WebhookAttempt(WebhookOutcome.NOTHING_TO_SEND)
            if not JobStatus(job.status).finished or delivery.state.final:
                return WebhookAttempt(WebhookOutcome.NOT_DUE)
            if delivery.state == DeliveryState.DELIVERING:
                return WebhookAttempt(WebhookOutcome.NOT_DUE)
            attempt = deliveries.begin_attempt(session, job_id, delivery)
            if attempt is None:  # another message began it first
                return WebhookAttempt(WebhookOutcome.NOT_DUE)
            session.refresh(job)  # the document shows the attempt under way
            document = JobSchema().dump(job)
            url = job.spec["webhook_url"]
        settings = self.settings
        secret = webhook_http.secret_for(settings.data_dir, settings.webhook_secret)
        result = webhook_http.deliver(
            url,
            document,
            secret,
            allow_private=settings.webhook_allow_private,
            timeout_s=settings.webhook_timeout_seconds,
        )
        if result.ok:
            outcome, state = WebhookOutcome.DELIVERED, DeliveryState.DELIVERED
        elif result.refused:
            outcome, state = WebhookOutcome.REFUSED, DeliveryState.REFUSED
        else:
            last = last_try or (max_attempts is not None and attempt >= max_attempts)
            state = DeliveryState.FAILED if last else DeliveryState.RETRYING
            outcome = WebhookOutcome.FAILED
        with self.sessions() as session:
            if not deliveries.end_attempt(
                session, job_id, attempt, state, result.status, result.error
            ):
                log.warning("webhook of job %s, attempt %d: taken back meanwhile", job_id, attempt)
        if not result.ok:
            log.warning("webhook of job %s, attempt %d: %s", job_id, attempt, result.error)
        return WebhookAttempt(outcome, attempt)

    def schedule_retry(self, job_id: str, attempt: int, at: datetime) -> bool:
        """Record on the job when the attempt after ``attempt`` is due (what the job
        document shows as ``next_retry_at``); ``False`` if that attempt began already."""
        with self.sessions() as session:
            return deliveries.schedule_retry(session, job_id, attempt, at)

    def recover(
        self, pending_before: datetime, retry_before: datetime, attempt_before: datetime
    ) -> list[str]:
        """Re-send the deliveries whose message may be lost (see
        :func:`~models.store.deliveries.overdue`), each taken first so that it is re-sent
        once; returns the jobs' ids."""
        with self.sessions() as session:
            late = deliveries.overdue(session, pending_before, retry_before, attempt_before)
            taken = [job_id for job_id, seen in late if deliveries.resend(session, job_id, seen)]
        for job_id in taken:
            self.send(job_id)
        return taken
