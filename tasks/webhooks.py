"""``deliver_webhook(job_id)``: POST the finished job to its ``webhook_url``, with retries.

Runs on a worker, never in the API process. Each attempt is recorded on the job
(``webhook``). A failed delivery (a network error or a non-2xx answer) raises
:class:`~models.webhooks.DeliveryFailed`, which Celery retries by itself
(``autoretry_for``): up to :data:`MAX_RETRIES` times, the n-th retry after a random wait
of at most ``min(60, 2**n)`` seconds (exponential backoff with full jitter, so receivers
that failed together are not retried together). A refused target (a private address) is
final: it is not retried.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from models import webhooks
from models.service import WebhookOutcome
from tasks.app import DELIVER_WEBHOOK
from tasks.context import worker_service

MAX_RETRIES = 8
BACKOFF_MAX_SECONDS = 60


@shared_task(
    name=DELIVER_WEBHOOK,
    bind=True,
    ignore_result=True,
    autoretry_for=(webhooks.DeliveryFailed,),
    retry_backoff=True,
    retry_backoff_max=BACKOFF_MAX_SECONDS,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def deliver_webhook(self: Any, job_id: str) -> str:
    """Send job ``job_id`` to its webhook; raise ``DeliveryFailed`` to be retried."""
    outcome = worker_service(self.app).deliver_webhook(job_id, self.request.retries + 1)
    if outcome is WebhookOutcome.FAILED:
        raise webhooks.DeliveryFailed(f"job {job_id}: the webhook was not accepted")
    return outcome
