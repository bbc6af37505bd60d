"""The embedded broker keeps consuming past a message file that does not decode.

A file left empty (a reader between kombu's create and write, or a writer killed there)
once stopped the worker's consumer for good: every later job stayed queued.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

EMPTY = "0_00000000-0000-0000-0000-000000000000.tuneforge.msg"


def test_an_empty_message_file_is_set_aside_and_the_next_job_runs(service, breast_cancer_csv):
    # given an empty message file in the worker's queue, read before any job is sent
    broker = service.data_dir / "var" / "broker"
    (broker / "queue" / EMPTY).write_bytes(b"")
    worker_log = service.logs / "worker.log"
    service.wait_until(lambda: EMPTY in worker_log.read_text(), 10, "the empty file to be read")
    # when a job is submitted
    dataset = service.upload(breast_cancer_csv)
    job = service.submit(dataset_id=dataset["id"], target="target", estimator="knn", n_trials=2)
    # then it runs; the empty file is kept aside, with a warning, and nothing was fatal
    assert service.wait_for(job["id"], timeout=30)["status"] == "succeeded"
    assert (broker / "corrupt" / EMPTY).read_bytes() == b""
    log = worker_log.read_text()
    assert "WARNING" in log and "skipped the message file" in log
    assert "Unrecoverable error" not in log
