"""Re-sending lost webhook deliveries: which are overdue, and how a delivery is taken so
that its attempts never overlap. On SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses
import threading
from datetime import timedelta

import pytest

from models.store import deliveries
from models.store.deliveries import DeliveryState, WebhookDelivery, delivery_of
from models.store.records import Job, JobStatus, utcnow
from models.webhook_delivery import WebhookAttempt, WebhookOutcome
from tests.backends import on_every_database
from tests.receiver import Receiver

pytestmark = on_every_database

URL = "https://example.com/hook"
TIMEOUT = timedelta(seconds=10)
LATE = timedelta(seconds=30)


def add_job(sessions, job_id="job_1", status=JobStatus.SUCCEEDED, ago=60, url=URL, webhook=None):
    """A job finished ``ago`` seconds ago, with a webhook_url (unless ``url`` is None) and
    its delivery where ``webhook`` says (pending when ``None``)."""
    kept = {} if webhook is None else stored(webhook)
    with sessions() as session:
        session.add(
            Job(
                id=job_id,
                owner="default",
                dataset_id="ds_1",
                spec={"webhook_url": url} if url else {},
                status=status,
                finished_at=utcnow() - timedelta(seconds=ago),
                **kept,
            )
        )
        session.commit()
    return job_id


def stored(delivery):
    """The columns that keep ``delivery`` on its job."""
    return {"webhook_state": delivery.state, "webhook": deliveries._document(delivery)}


def read(sessions, job_id="job_1"):
    with sessions() as session:
        return delivery_of(session.get(Job, job_id))


def overdue(sessions, now=None):
    """What a sweep at ``now`` finds overdue: (job id, delivery) pairs."""
    late = (now or utcnow()) - LATE
    with sessions() as session:
        return deliveries.overdue(session, late, late, late - TIMEOUT)


def overdue_ids(sessions, now=None):
    return sorted(job_id for job_id, _ in overdue(sessions, now))


def begin(sessions, job_id="job_1"):
    with sessions() as session:
        return deliveries.begin_attempt(session, job_id, read(sessions, job_id))


def test_a_delivery_is_begun_once_from_one_reading(sessions):
    # given two messages for one pending delivery that both read it as pending
    add_job(sessions)
    seen = read(sessions)
    # when both try to begin the first attempt
    with sessions() as session:
        first = deliveries.begin_attempt(session, "job_1", seen)
        second = deliveries.begin_attempt(session, "job_1", seen)
    # then only the first does
    assert (first, second) == (1, None)
    assert read(sessions).state == DeliveryState.DELIVERING and read(sessions).attempts == 1


def test_of_many_messages_racing_for_one_delivery_exactly_one_begins(sessions):
    add_job(sessions)
    racers = 6
    start = threading.Barrier(racers)
    seen = [read(sessions) for _ in range(racers)]
    results = []

    def race(delivery):
        with sessions() as session:
            start.wait()
            results.append(deliveries.begin_attempt(session, "job_1", delivery))

    threads = [threading.Thread(target=race, args=(d,)) for d in seen]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == [1] + [None] * (racers - 1)


@pytest.mark.parametrize(
    ("ago", "webhook", "overdue"),
    # each delivery is made from the time the test runs (not when it is collected, which
    # may be minutes earlier in a full run)
    [
        (60, None, True),  # pending since the job finished a minute ago
        (5, None, False),  # pending, just finished: its message is on its way
        (
            600,
            lambda now: WebhookDelivery(state="retrying", attempts=2, next_retry_at=now - 2 * LATE),
            True,
        ),
        (
            600,
            lambda now: WebhookDelivery(state="retrying", attempts=2, next_retry_at=now - LATE / 2),
            False,
        ),
        (
            600,
            lambda now: WebhookDelivery(state="retrying", attempts=2, next_retry_at=now + LATE),
            False,
        ),
        (
            600,
            lambda now: WebhookDelivery(
                state="retrying", attempts=1, began_at=now - TIMEOUT - 2 * LATE
            ),
            True,
        ),
        (
            600,
            lambda now: WebhookDelivery(state="retrying", attempts=1, began_at=now - TIMEOUT),
            False,
        ),
        (
            600,
            lambda now: WebhookDelivery(
                state="delivering", attempts=1, began_at=now - TIMEOUT - 2 * LATE
            ),
            True,
        ),
        (
            600,
            lambda now: WebhookDelivery(state="delivering", attempts=1, began_at=now - TIMEOUT),
            False,
        ),
        (
            600,
            lambda now: WebhookDelivery(state="delivered", attempts=1, began_at=now - 600 * LATE),
            False,
        ),
        (
            600,
            lambda now: WebhookDelivery(state="failed", attempts=9, began_at=now - 600 * LATE),
            False,
        ),
        (
            600,
            lambda now: WebhookDelivery(state="refused", attempts=1, began_at=now - 600 * LATE),
            False,
        ),
    ],
)
def test_which_deliveries_are_overdue(sessions, ago, webhook, overdue):
    add_job(sessions, ago=ago, webhook=webhook and webhook(utcnow()))
    assert overdue_ids(sessions) == (["job_1"] if overdue else [])


@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.RUNNING])
def test_an_unfinished_job_has_nothing_overdue(sessions, status):
    add_job(sessions, status=status, ago=600)
    assert overdue_ids(sessions) == []


def test_a_job_without_webhook_url_has_nothing_overdue(sessions):
    add_job(sessions, url=None, ago=600)
    assert overdue_ids(sessions) == []


def test_a_resent_delivery_is_not_overdue_again_until_it_is_late_again(sessions):
    # given a pending delivery, overdue, that the sweep takes
    add_job(sessions)
    ((job_id, seen),) = overdue(sessions)
    with sessions() as session:
        assert deliveries.resend(session, job_id, seen)
    # then it is still pending (and shows so), and not overdue at the next sweep
    assert read(sessions).state == DeliveryState.PENDING and read(sessions).attempts == 0
    assert overdue_ids(sessions) == []
    # but it is once another LATE has passed without an attempt
    assert overdue_ids(sessions, now=utcnow() + 2 * LATE) == ["job_1"]
    # and the re-sent message may begin the first attempt
    assert begin(sessions) == 1


def test_an_attempt_whose_worker_died_is_taken_back_and_the_next_may_begin(sessions):
    # given attempt 3 began long ago and never ended (its worker was killed)
    long_ago = utcnow() - TIMEOUT - 2 * LATE
    add_job(sessions, webhook=WebhookDelivery(state="delivering", attempts=3, began_at=long_ago))
    # when the sweep takes it back
    ((job_id, seen),) = overdue(sessions)
    with sessions() as session:
        assert deliveries.resend(session, job_id, seen)
    # then it reads as interrupted, and the re-sent message begins attempt 4
    taken = read(sessions)
    assert taken.state == DeliveryState.RETRYING and taken.attempts == 3
    assert taken.last_error == deliveries.INTERRUPTED
    assert begin(sessions) == 4
    # and should attempt 3 end after all, it cannot overwrite attempt 4
    with sessions() as session:
        ended = deliveries.end_attempt(
            session, job_id, 3, DeliveryState.DELIVERED, status=200, error=None
        )
    assert not ended
    assert read(sessions).state == DeliveryState.DELIVERING and read(sessions).attempts == 4


def test_the_sweep_does_not_take_a_delivery_that_moved_on_since_it_was_read(sessions):
    add_job(sessions)
    ((job_id, seen),) = overdue(sessions)
    assert begin(sessions) == 1  # a late original message began the attempt meanwhile
    with sessions() as session:
        assert not deliveries.resend(session, job_id, seen)
    assert read(sessions).state == DeliveryState.DELIVERING and read(sessions).resent_at is None


class RecordingDispatch:
    def __init__(self):
        self.webhooks = []

    def deliver_webhook(self, job_id):
        self.webhooks.append(job_id)


def test_the_service_resends_each_overdue_delivery_once_and_it_is_then_delivered(service):
    # given a pending delivery whose message was lost, and a receiver that answers 200
    receiver = Receiver([200])
    try:
        settings = dataclasses.replace(service.settings, webhook_allow_private=True)
        worker = dataclasses.replace(service, settings=settings, dispatch=RecordingDispatch())
        add_job(worker.sessions, url=receiver.url)
        add_job(worker.sessions, "job_2", url=receiver.url, ago=1)  # its message is on its way
        late = utcnow() - LATE
        # when the sweep runs twice in a row
        first = worker.webhooks.recover(late, late, late - TIMEOUT)
        second = worker.webhooks.recover(late, late, late - TIMEOUT)
        # then the overdue delivery was re-sent once
        assert first == ["job_1"] and second == [] and worker.dispatch.webhooks == ["job_1"]
        # and the re-sent message delivers it
        assert worker.webhooks.deliver("job_1") == WebhookAttempt(WebhookOutcome.DELIVERED, 1)
        assert len(receiver.requests) == 1
    finally:
        receiver.close()


def test_an_attempt_already_under_way_is_not_doubled_by_another_message(service):
    add_job(service.sessions)
    assert begin(service.sessions) == 1
    assert service.webhooks.deliver("job_1") == WebhookAttempt(WebhookOutcome.NOT_DUE)


def test_the_attempts_counted_on_the_job_bound_a_resent_chain(service):
    # given attempt 9 of at most 9 was interrupted and its delivery re-sent
    receiver = Receiver([500])
    try:
        settings = dataclasses.replace(service.settings, webhook_allow_private=True)
        worker = dataclasses.replace(service, settings=settings)
        webhook = WebhookDelivery(state="retrying", attempts=9, last_error=deliveries.INTERRUPTED)
        add_job(worker.sessions, url=receiver.url, webhook=webhook)
        # when the re-sent message (Celery's first try: not its last) fails again
        attempt = worker.webhooks.deliver("job_1", last_try=False, max_attempts=10)
    finally:
        receiver.close()
    # then the tenth attempt, the last allowed, leaves the delivery failed
    assert attempt == WebhookAttempt(WebhookOutcome.FAILED, 10)
    assert read(worker.sessions).state == DeliveryState.FAILED
