"""``deliver_webhook(job_id)``: POST the finished job to its ``webhook_url``, with retries.

Runs on the webhook workers (``tuneforge webhook-worker``, queue
:data:`~tasks.app.WEBHOOK_QUEUE`), never in the API process nor beside a search. Each
attempt is recorded on the job (its document's ``webhook``). A failed attempt (a network
error, no complete answer within ``TUNEFORGE_WEBHOOK_TIMEOUT_SECONDS``, or a non-2xx
answer) raises :class:`~models.plumbing.webhook_http.DeliveryFailed`, which Celery retries by itself
(``autoretry_for``): up to :data:`MAX_RETRIES` times, the n-th retry after a random wait
of at most ``min(60, 2**n)`` seconds (exponential backoff with full jitter, so receivers
that failed together are not retried together). When each retry is due is recorded on
the job from Celery's ``task_retry`` signal. A refused target (a private address) is
final: it is not retried.

A delivery whose message is lost (with the broker, or with a webhook worker killed
mid-attempt) is re-sent by the search workers' recovery sweep (``tasks/recovery.py``);
the attempts of one delivery never overlap (``models/store/deliveries.py``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from celery.signals import task_retry

from models.plumbing import webhook_http
from models.store.records import utcnow
from models.webhook_delivery import WebhookOutcome
from tasks.app import DELIVER_WEBHOOK
from tasks.context import worker_service

MAX_RETRIES = 8
BACKOFF_MAX_SECONDS = 60


@shared_task(
    name=DELIVER_WEBHOOK,
    bind=True,
    ignore_result=True,
    autoretry_for=(webhook_http.DeliveryFailed,),
    retry_backoff=True,
    retry_backoff_max=BACKOFF_MAX_SECONDS,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def deliver_webhook(self: Any, job_id: str) -> str:
    """Send job ``job_id`` to its webhook; raise ``DeliveryFailed`` to be retried."""
    last_try = self.request.retries >= self.max_retries
    # Counted on the job too: a message the recovery sweep re-sends starts Celery's count at 0.
    max_attempts = 1 + self.max_retries
    attempt = worker_service(self.app).webhooks.deliver(job_id, last_try, max_attempts)
    if attempt.outcome is WebhookOutcome.FAILED:
        raise webhook_http.DeliveryFailed(job_id, attempt.number)
    return attempt.outcome


@task_retry.connect
def _record_next_retry(sender: Any = None, reason: Any = None, **_: Any) -> None:
    """Record when Celery will try a failed delivery again (``reason.when``: a countdown
    in seconds, or the time itself)."""
    failure = getattr(reason, "exc", None)
    if not isinstance(failure, webhook_http.DeliveryFailed):
        return
    when = reason.when
    at = when if isinstance(when, datetime) else utcnow() + timedelta(seconds=when or 0)
    worker_service(sender.app).webhooks.schedule_retry(failure.job_id, failure.attempt, at)
