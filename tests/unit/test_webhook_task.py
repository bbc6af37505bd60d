"""``deliver_webhook``'s retry policy, run in-process with Celery's ``task.apply()``.

``apply()`` honours ``autoretry_for`` and runs each retry at once instead of after its
countdown; the countdowns Celery chose are read from the ``task_retry`` signal.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest
from celery import signals
from celery.exceptions import Retry

from models.documents import JobSchema
from models.plumbing import webhook_http
from models.plumbing.webhook_http import DeliveryFailed
from models.store.records import Job, JobStatus, utcnow
from models.webhook_delivery import WebhookAttempt, WebhookOutcome
from tasks import webhooks as webhook_task
from tests.receiver import Receiver


@pytest.fixture
def worker(service, monkeypatch):
    """The task's service: this test's database, with private (local) targets allowed."""
    settings = dataclasses.replace(service.settings, webhook_allow_private=True)
    worker = dataclasses.replace(service, settings=settings)
    monkeypatch.setattr(webhook_task, "worker_service", lambda app: worker)
    return worker


@pytest.fixture
def receiver():
    made = []

    def make(statuses=()):
        made.append(Receiver(list(statuses)))
        return made[-1]

    yield make
    for r in made:
        r.close()


@pytest.fixture
def countdowns():
    """The countdown of every retry Celery schedules during the test, in order."""
    seen = []

    def record(sender=None, reason=None, **_):
        seen.append(reason.when)

    signals.task_retry.connect(record, weak=False)
    yield seen
    signals.task_retry.disconnect(record)


def finished_job(worker, url, status=JobStatus.SUCCEEDED):
    with worker.sessions() as session:
        job = Job(
            id="job_1", owner="default", dataset_id="ds_1", spec={"webhook_url": url}, status=status
        )
        session.add(job)
        session.commit()
    return job.id


def webhook_state(worker, job_id):
    """The delivery as the job keeps it: its state, and the rest as JSON."""
    with worker.sessions() as session:
        job = session.get(Job, job_id)
        return {"state": job.webhook_state, **job.webhook}


def test_a_failing_receiver_is_retried_until_it_answers_and_each_attempt_is_recorded(
    worker, receiver, countdowns
):
    # given a finished job whose receiver fails twice, then answers 200
    target = receiver([500, 503, 200])
    job_id = finished_job(worker, target.url)
    # when the task runs
    outcome = webhook_task.deliver_webhook.apply(args=[job_id])
    # then Celery retried it twice and the third attempt delivered
    assert outcome.successful() and outcome.result == "delivered"
    assert len(target.requests) == 3 and len(countdowns) == 2
    state = webhook_state(worker, job_id)
    assert state["state"] == "delivered" and state["attempts"] == 3
    assert state["last_status"] == 200 and state["delivered_at"] and state["last_error"] is None


def test_a_receiver_that_always_fails_gets_max_retries_with_capped_jittered_backoff(
    worker, receiver, countdowns
):
    # given a finished job whose receiver always answers 500
    target = receiver([500] * 20)
    job_id = finished_job(worker, target.url)
    # when the task runs
    outcome = webhook_task.deliver_webhook.apply(args=[job_id])
    # then it is tried 1 + MAX_RETRIES times and fails with the delivery's error
    attempts = 1 + webhook_task.MAX_RETRIES
    assert outcome.failed() and isinstance(outcome.result, webhook_http.DeliveryFailed)
    assert len(target.requests) == attempts
    state = webhook_state(worker, job_id)
    assert state == {
        "state": "failed",
        "attempts": attempts,
        "last_status": 500,
        "last_error": "HTTP 500",
        "delivered_at": None,
        "next_retry_at": None,
        "began_at": state["began_at"],  # for the recovery sweep; the API does not show it
        "resent_at": None,
    }
    assert datetime.fromisoformat(state["began_at"]) <= utcnow()
    # and the n-th retry waited at most min(60, 2**n) s, a random part of it (jitter)
    bounds = [min(60, 2**n) for n in range(webhook_task.MAX_RETRIES)]
    assert len(countdowns) == len(bounds)
    assert all(0 <= wait <= bound for wait, bound in zip(countdowns, bounds, strict=True))
    assert countdowns != bounds  # all at the bound: odds about 1e-12 with full jitter


def test_a_refused_target_is_recorded_and_not_retried(worker, receiver, countdowns):
    # given private targets are not allowed and the receiver is on 127.0.0.1
    refusing = dataclasses.replace(worker.settings, webhook_allow_private=False)
    worker.settings = refusing
    target = receiver([200])
    job_id = finished_job(worker, target.url)
    # when the task runs
    outcome = webhook_task.deliver_webhook.apply(args=[job_id])
    # then it is refused once, recorded, and never retried
    assert outcome.successful() and outcome.result == "refused"
    assert countdowns == [] and target.requests == []
    state = webhook_state(worker, job_id)
    assert state["state"] == "refused" and state["attempts"] == 1
    assert state["last_error"].startswith("refused")


def test_an_unfinished_job_is_not_sent(worker, receiver, countdowns):
    target = receiver([200])
    job_id = finished_job(worker, target.url, status=JobStatus.RUNNING)
    outcome = webhook_task.deliver_webhook.apply(args=[job_id])
    assert outcome.result == "not due" and target.requests == [] and countdowns == []


def test_a_failed_attempt_is_retrying_and_the_retry_celery_schedules_is_recorded(worker, receiver):
    # given a finished job whose receiver failed its first attempt
    target = receiver([503])
    job_id = finished_job(worker, target.url)
    attempt = worker.webhooks.deliver(job_id)
    assert attempt == WebhookAttempt(WebhookOutcome.FAILED, 1)
    assert webhook_state(worker, job_id)["state"] == "retrying"
    # when Celery schedules the retry 7 s from now (what its task_retry signal says)
    webhook_task._record_next_retry(
        sender=webhook_task.deliver_webhook, reason=Retry(exc=DeliveryFailed(job_id, 1), when=7)
    )
    # then the job says when the next attempt is due
    state = webhook_state(worker, job_id)
    due = datetime.fromisoformat(state["next_retry_at"]) - utcnow()
    assert timedelta(seconds=5) < due <= timedelta(seconds=7)
    assert state["last_status"] == 503 and state["last_error"] == "HTTP 503"


def test_a_retry_scheduled_after_the_next_attempt_began_is_not_recorded(worker, receiver):
    # given a first attempt failed and the second began before its retry was recorded
    target = receiver([503, 503])
    job_id = finished_job(worker, target.url)
    worker.webhooks.deliver(job_id)
    worker.webhooks.deliver(job_id)
    # when the first attempt's retry is recorded late
    recorded = worker.webhooks.schedule_retry(job_id, 1, utcnow())
    # then it is ignored: the second attempt's retry is the one to come
    assert not recorded and webhook_state(worker, job_id)["next_retry_at"] is None
    assert worker.webhooks.schedule_retry(job_id, 2, utcnow())


def test_a_final_failure_is_not_tried_again_by_a_later_message(worker, receiver):
    target = receiver([500, 200])
    job_id = finished_job(worker, target.url)
    assert worker.webhooks.deliver(job_id, last_try=True).outcome == WebhookOutcome.FAILED
    assert webhook_state(worker, job_id)["state"] == "failed"
    assert worker.webhooks.deliver(job_id) == WebhookAttempt(WebhookOutcome.NOT_DUE)
    assert len(target.requests) == 1


def test_the_job_document_shows_the_delivery_or_null_without_a_webhook_url(worker, receiver):
    # given a finished job with a webhook_url, not sent yet, and one without
    job_id = finished_job(worker, receiver([200]).url)
    with worker.sessions() as session:
        session.add(Job(id="job_2", owner="default", dataset_id="ds_1", spec={}, status="failed"))
        session.commit()

    def document(job_id):
        return JobSchema().dump(worker.job_by_id(job_id))["webhook"]

    # then the first is pending, the second has no delivery at all
    assert document(job_id) == {
        "state": "pending",
        "attempts": 0,
        "last_status": None,
        "last_error": None,
        "delivered_at": None,
        "next_retry_at": None,
    }
    assert document("job_2") is None
    # and once delivered, the document says when
    worker.webhooks.deliver(job_id)
    delivered = document(job_id)
    assert delivered["state"] == "delivered" and delivered["attempts"] == 1
    assert delivered["last_status"] == 200 and delivered["delivered_at"].endswith("+00:00")
