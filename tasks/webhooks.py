"""``deliver_webhook(job_id)``: POST the finished job to its ``webhook_url``, with retries.

Runs on a worker, never in the API process. A failed delivery is retried with
exponential backoff (1, 2, 4 … 60 s, :data:`MAX_RETRIES` times); each attempt is recorded
on the job (``webhook``).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from sqlalchemy import update

from models import jobs, webhooks
from models.records import Job, JobStatus, utcnow
from tasks.app import DELIVER_WEBHOOK
from tasks.context import worker_context

log = logging.getLogger(__name__)

MAX_RETRIES = 8


@shared_task(name=DELIVER_WEBHOOK, bind=True, ignore_result=True, max_retries=MAX_RETRIES)
def deliver_webhook(self: Any, job_id: str) -> str:
    """Send job ``job_id`` to its webhook; retry on failure."""
    ctx = worker_context()
    with ctx.sessions() as session:
        job = session.get(Job, job_id)
        if job is None or not job.spec.get("webhook_url"):
            return "nothing to send"
        if not JobStatus(job.status).finished or (job.webhook or {}).get("delivered_at"):
            return "not due"
        document = jobs.job_document(job)
        url = job.spec["webhook_url"]
    secret = webhooks.secret_for(ctx.settings.data_dir, ctx.settings.webhook_secret)
    result = webhooks.deliver(
        url, document, secret, allow_private=ctx.settings.webhook_allow_private
    )
    state = {
        "attempts": self.request.retries + 1,
        "last_status": result.status,
        "last_error": result.error,
        "delivered_at": utcnow().isoformat() if result.ok else None,
    }
    with ctx.sessions() as session:
        session.execute(update(Job).where(Job.id == job_id).values(webhook=state))
        session.commit()
    if result.ok:
        return "delivered"
    log.warning(
        "webhook for job %s failed (%s); attempt %d", job_id, result.error, state["attempts"]
    )
    if result.error and result.error.startswith("refused"):
        return "refused"
    raise self.retry(countdown=min(60, 2**self.request.retries))
