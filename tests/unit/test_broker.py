"""The Celery app's broker options, per transport (the embedded folder, Redis, RabbitMQ)."""

from __future__ import annotations

from models.settings import Settings
from tasks.app import QUEUE, WEBHOOK_QUEUE, make_celery


def test_the_embedded_broker_keeps_its_messages_in_the_data_dir(tmp_path):
    settings = Settings(data_dir=tmp_path)
    options = make_celery(settings).conf.broker_transport_options
    assert options["data_folder_in"] == str(settings.broker_dir / "queue")
    assert (settings.broker_dir / "queue").is_dir()


def test_redis_redelivers_a_lost_message_after_a_visibility_timeout(tmp_path):
    app = make_celery(Settings(data_dir=tmp_path, broker_url="redis://127.0.0.1:6379/0"))
    assert app.conf.broker_transport_options == {"visibility_timeout": 6 * 3600}
    assert app.conf.task_queues is None  # Celery declares the default queue itself


def test_rabbitmq_confirms_sends_and_lets_the_longest_task_hold_its_message(tmp_path):
    # given RabbitMQ and jobs of at most an hour
    settings = Settings(
        data_dir=tmp_path, broker_url="amqp://guest:guest@127.0.0.1:5672//", max_job_seconds=3600
    )
    # when the Celery app is configured
    app = make_celery(settings)
    # then sends wait for publisher confirms, and the search queue's consumers ask RabbitMQ
    # for an acknowledgement timeout longer than a job waiting for a slot and then running
    assert app.conf.broker_transport_options == {"confirm_publish": True}
    queue, webhooks = app.conf.task_queues
    assert (queue.name, queue.exchange.name, queue.routing_key) == (QUEUE, QUEUE, QUEUE)
    assert queue.queue_arguments is None  # declared as before: no inequivalent redeclare
    assert queue.consumer_arguments["x-consumer-timeout"] > 2 * 3600 * 1000
    # and webhooks have a queue of their own, whose deliveries end within seconds
    assert (webhooks.name, webhooks.exchange.name, webhooks.routing_key) == (WEBHOOK_QUEUE,) * 3
    assert webhooks.consumer_arguments is None
