"""The Celery app, configured from the same :class:`~models.settings.Settings` as the API."""

from __future__ import annotations

from typing import Any

from celery import Celery
from kombu import Exchange, Queue
from kombu.utils.objects import cached_property

from models.settings import Settings

ADVANCE = "tuneforge.advance"
DELIVER_WEBHOOK = "tuneforge.deliver_webhook"
RUN_TRIAL = "tuneforge.run_trial"
# Search steps and webhook deliveries travel apart, each to its own pool of workers: a slow
# receiver then holds a webhook thread, never a search slot.
QUEUE = "tuneforge"
WEBHOOK_QUEUE = "tuneforge.webhooks"
# The embedded broker's transport, by import path as Celery's ``broker_transport`` takes one.
EMBEDDED_TRANSPORT = "tasks.embedded_broker:Transport"
# Its URL. The filesystem transport ignores the host, but kombu warns "No hostname was
# supplied" at each connection made from a URL without one: every process's first send,
# and each worker's start.
EMBEDDED_URL = "filesystem://localhost/"


def broker_options(settings: Settings) -> dict[str, Any]:
    """Transport options; the embedded broker is kombu's filesystem transport, made safe
    against half-written messages in :mod:`tasks.embedded_broker`."""
    if settings.broker_is_embedded:
        queue = settings.broker_dir / "queue"
        processed = settings.broker_dir / "processed"
        control = settings.broker_dir / "control"
        for folder in (queue, processed, control):
            folder.mkdir(parents=True, exist_ok=True)
        return {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "processed_folder": str(processed),
            "store_processed": False,
            "control_folder": str(control),
            # Unreadable message files, set aside by tasks.embedded_broker.
            "corrupt_folder": str(settings.broker_dir / "corrupt"),
            # Measured: 0.05 s polling starts a task in about 45 ms at negligible CPU.
            "polling_interval": 0.05,
        }
    if is_amqp(settings):
        # RabbitMQ: publisher confirms, so a send returns once the broker holds the message
        # (else the recovery sweep re-sends it: the database is the source of truth).
        return {"confirm_publish": True}
    # A redelivered message is harmless (one run claims a trial, one worker concludes a
    # job, advancing is locked per job), so the visibility timeout only bounds how long a
    # lost message waits before redelivery.
    return {"visibility_timeout": 6 * 3600}


def is_amqp(settings: Settings) -> bool:
    """True when the broker is RabbitMQ (or another AMQP 0.9.1 server)."""
    return settings.broker_url.startswith(("amqp://", "amqps://", "pyamqp://"))


def task_queues(settings: Settings) -> list[Queue] | None:
    """The queues, declared as Celery would by itself; on RabbitMQ, the search queue with
    a consumer timeout.

    With ``task_acks_late`` a message stays unacknowledged while its task runs (and while
    it waits, prefetched, for a free slot). RabbitMQ closes the channel of a consumer that
    holds one longer than ``consumer_timeout`` (30 minutes by default) and redelivers
    every message it held. RabbitMQ 3.12+ takes a longer timeout per consumer from this
    argument; older servers ignore it and need ``consumer_timeout`` in rabbitmq.conf.
    """
    if not is_amqp(settings):
        return None
    timeout_s = 2 * settings.max_job_seconds + 600
    return [
        Queue(
            QUEUE,
            Exchange(QUEUE),
            routing_key=QUEUE,
            consumer_arguments={"x-consumer-timeout": timeout_s * 1000},
        ),
        Queue(WEBHOOK_QUEUE, Exchange(WEBHOOK_QUEUE), routing_key=WEBHOOK_QUEUE),
    ]


class TuneforgeCelery(Celery):
    """Celery, whose ``celery worker`` stops as :mod:`tasks.shutdown` says (its signal
    handlers only write to a pipe; a stop is bounded by ``WORKER_STOP_GRACE_S``)."""

    @cached_property
    def Worker(self) -> Any:  # Celery's name
        # By name: the API, which sends tasks, never loads the worker's code.
        return self.subclass_with_self("tasks.shutdown:Worker")


def make_celery(settings: Settings) -> Celery:
    """A Celery app for ``settings``; tasks register by name, so the API needs no import."""
    app = TuneforgeCelery("tuneforge", set_as_current=False)
    app.conf.update(
        broker_url=EMBEDDED_URL if settings.broker_is_embedded else settings.broker_url,
        # Both sides, the API sending and the workers reading, use it: a message written
        # by kombu's own filesystem transport can be seen half-written.
        broker_transport=EMBEDDED_TRANSPORT if settings.broker_is_embedded else None,
        broker_transport_options=broker_options(settings),
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=5,
        task_default_queue=QUEUE,
        task_queues=task_queues(settings),
        task_routes={DELIVER_WEBHOOK: {"queue": WEBHOOK_QUEUE}},
        worker_consumer="tasks.consumer:Consumer",
        task_ignore_result=True,
        task_acks_late=True,
        task_publish_retry_policy={
            "max_retries": 3,
            "interval_start": 0,
            "interval_step": 0.5,
            "interval_max": 2,
        },
        worker_prefetch_multiplier=1,
        worker_send_task_events=False,
        # The embedded transport has no fanout exchange for remote control.
        worker_enable_remote_control=not settings.broker_is_embedded,
        worker_hijack_root_logger=False,
        accept_content=["json"],
        task_serializer="json",
    )
    return app


class CeleryDispatch:
    """The service's :class:`~models.service.Dispatch` over Celery: tasks sent by name, so
    the sender (the API) needs none of the workers' code."""

    def __init__(self, app: Celery, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def advance(self, job_id: str) -> None:
        """Send "advance job ``job_id``" (queue its next trials, or conclude it)."""
        self.app.send_task(ADVANCE, args=[job_id], queue=QUEUE)

    def run_trial(self, job_id: str, number: int) -> None:
        """Send "run trial ``number`` of job ``job_id``" to whichever worker is free."""
        self.app.send_task(RUN_TRIAL, args=[job_id, number], queue=QUEUE)

    def deliver_webhook(self, job_id: str) -> None:
        """Send "deliver job ``job_id``'s webhook" to the webhook workers."""
        self.app.send_task(DELIVER_WEBHOOK, args=[job_id], queue=WEBHOOK_QUEUE)

    def ping(self) -> None:
        """Raise if the broker cannot be reached."""
        if self.settings.broker_is_embedded:
            if not (self.settings.broker_dir / "queue").is_dir():
                raise OSError("the embedded broker's folder is missing")
            return
        with self.app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
