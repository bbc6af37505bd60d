"""The Celery app's broker options, per transport (the embedded folder, Redis, RabbitMQ)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from queue import Empty

import pytest

from models.settings import Settings
from tasks import embedded_broker
from tasks.app import QUEUE, WEBHOOK_QUEUE, CeleryDispatch, make_celery


def test_the_embedded_broker_keeps_its_messages_in_the_data_dir(tmp_path):
    settings = Settings(data_dir=tmp_path)
    options = make_celery(settings).conf.broker_transport_options
    assert options["data_folder_in"] == str(settings.broker_dir / "queue")
    assert (settings.broker_dir / "queue").is_dir()


def test_sending_on_the_embedded_broker_warns_of_no_missing_hostname(tmp_path, caplog):
    # given the API's Celery app on the embedded broker (kombu's filesystem transport)
    settings = Settings(data_dir=tmp_path)
    dispatch = CeleryDispatch(make_celery(settings), settings)
    # when it sends, as for each job submitted
    with caplog.at_level(logging.DEBUG, logger="kombu"):
        dispatch.advance("job_1")
        dispatch.run_trial("job_1", 0)
    # then the messages are queued, and kombu had nothing to warn about
    assert len(message_files(settings.broker_dir / "queue")) == 2
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


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


@pytest.fixture
def embedded(tmp_path):
    """A channel of the embedded broker, as the API and the workers open it."""
    settings = Settings(data_dir=tmp_path)
    with make_celery(settings).connection_for_write() as connection:
        yield connection.default_channel, settings.broker_dir


def message_files(folder):
    return sorted(path.name for path in folder.iterdir() if path.is_file())


def test_the_api_and_the_workers_use_the_embedded_transport(embedded):
    channel, _ = embedded
    assert isinstance(channel, embedded_broker.Channel)


def test_a_message_appears_only_whole_under_its_final_name(embedded, monkeypatch):
    # given a write observed at the moment the file is renamed into place
    channel, broker = embedded
    queue = broker / "queue"
    seen = []

    def replace(source, target):
        with pytest.raises(Empty):
            channel._get(QUEUE)  # a reader skips the file being written
        seen.append((message_files(queue), Path(source).read_bytes()))
        real_replace(source, target)

    real_replace = os.replace
    monkeypatch.setattr(embedded_broker.os, "replace", replace)
    # when a message is put
    channel._put(QUEUE, {"body": "hello"})
    # then until the rename it has a name no reader takes, already whole; afterwards only
    # its ``.msg`` file is left, and it decodes
    ((names_during, content),) = seen
    assert len(names_during) == 1 and names_during[0].endswith(".tuneforge.msg.part")
    assert json.loads(content) == {"body": "hello"}
    (name,) = message_files(queue)
    assert name == names_during[0].removesuffix(".part")
    assert json.loads((queue / name).read_bytes()) == {"body": "hello"}
    assert channel._get(QUEUE) == {"body": "hello"}


@pytest.mark.parametrize("content", [b"", b'{"body": "trunc', b"not json", b'"a string"'], ids=repr)
def test_an_unreadable_message_file_is_set_aside_and_the_next_one_read(embedded, content, caplog):
    # given a bad message file in the queue, older than a good message
    channel, broker = embedded
    bad = f"{0:0{embedded_broker.STAMP_DIGITS}d}_00000000-0000-0000-0000-000000000000.tuneforge.msg"
    (broker / "queue" / bad).write_bytes(content)
    channel._put(QUEUE, {"body": "next"})
    # when a worker reads the queue
    with caplog.at_level(logging.WARNING, logger="tasks.embedded_broker"):
        payload = channel._get(QUEUE)
    # then it gets the good message; the bad one is kept aside, unchanged, and named
    assert payload == {"body": "next"}
    assert (broker / "corrupt" / bad).read_bytes() == content
    assert message_files(broker / "queue") == []
    assert message_files(broker / "processed") == []
    assert bad in caplog.text
    with pytest.raises(Empty):
        channel._get(QUEUE)


def test_a_queue_of_only_unreadable_files_is_empty(embedded):
    channel, broker = embedded
    (broker / "queue" / "1_x.tuneforge.msg").write_bytes(b"")
    with pytest.raises(Empty):
        channel._get(QUEUE)
    assert message_files(broker / "corrupt") == ["1_x.tuneforge.msg"]


def test_a_message_is_read_from_its_own_queue_only(embedded):
    channel, _ = embedded
    channel._put(WEBHOOK_QUEUE, {"body": "webhook"})
    with pytest.raises(Empty):
        channel._get(QUEUE)
    assert channel._get(WEBHOOK_QUEUE) == {"body": "webhook"}


def test_messages_are_read_in_the_order_they_were_written_across_a_power_of_ten(
    embedded, monkeypatch
):
    # given two messages put at 9 ms and at 10 ms (unpadded, "10_" sorts before "9_")
    channel, _ = embedded
    clock = iter([9_000_000, 10_000_000])
    monkeypatch.setattr(embedded_broker, "time_ns", lambda: next(clock))
    channel._put(QUEUE, {"body": "first"})
    channel._put(QUEUE, {"body": "second"})
    # when a worker reads the queue twice, then it gets them oldest first
    assert channel._get(QUEUE) == {"body": "first"}
    assert channel._get(QUEUE) == {"body": "second"}


def test_a_message_its_writer_never_finished_is_deleted_once_abandoned(embedded, caplog):
    # given a partial message of a writer that died long ago, and one being written now
    channel, broker = embedded
    queue = broker / "queue"
    stamp = "0" * embedded_broker.STAMP_DIGITS
    abandoned = queue / f"{stamp}_a.tuneforge.msg.part"
    writing = queue / f"{stamp}_b.tuneforge.msg.part"
    abandoned.write_bytes(b'{"bo')
    writing.write_bytes(b'{"bo')
    long_ago = abandoned.stat().st_mtime - embedded_broker.PARTIAL_MAX_AGE_S - 1
    os.utime(abandoned, (long_ago, long_ago))
    # when a worker reads the queue
    with caplog.at_level(logging.WARNING, logger="tasks.embedded_broker"), pytest.raises(Empty):
        channel._get(QUEUE)
    # then the abandoned one is gone, with a warning, and the one being written is left
    assert message_files(queue) == [writing.name]
    assert abandoned.name in caplog.text
