"""``deliver_webhook``'s retry policy, run in-process with Celery's ``task.apply()``.

``apply()`` honours ``autoretry_for`` and runs each retry at once instead of after its
countdown; the countdowns Celery chose are read from the ``task_retry`` signal.
"""

from __future__ import annotations

import dataclasses

import pytest
from celery import signals

from models import webhooks
from models.store.records import Job, JobStatus
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
    with worker.sessions() as session:
        return session.get(Job, job_id).webhook


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
    assert state["attempts"] == 3 and state["last_status"] == 200 and state["delivered_at"]


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
    assert outcome.failed() and isinstance(outcome.result, webhooks.DeliveryFailed)
    assert len(target.requests) == attempts
    assert webhook_state(worker, job_id) == {
        "attempts": attempts,
        "last_status": 500,
        "last_error": "HTTP 500",
        "delivered_at": None,
    }
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
    assert state["attempts"] == 1 and state["last_error"].startswith("refused")


def test_an_unfinished_job_is_not_sent(worker, receiver, countdowns):
    target = receiver([200])
    job_id = finished_job(worker, target.url, status=JobStatus.RUNNING)
    outcome = webhook_task.deliver_webhook.apply(args=[job_id])
    assert outcome.result == "not due" and target.requests == [] and countdowns == []
