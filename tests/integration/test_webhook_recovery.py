"""A webhook delivery whose message the broker lost is still delivered: the search
worker's recovery sweep re-sends it (a real API, search worker, webhook worker and broker)."""

from __future__ import annotations

import pytest

from tests.receiver import Receiver

pytestmark = pytest.mark.integration

QUICK = {"target": "target", "estimator": "knn", "n_trials": 2}


def test_a_delivery_whose_message_was_lost_is_still_delivered_once(service, breast_cancer_csv):
    receiver = Receiver([])
    try:
        # given a job that finished while no webhook worker ran, and whose delivery message
        # the broker then lost (a Redis restart, or a webhook worker killed after taking it)
        dataset = service.upload(breast_cancer_csv)
        job = service.submit(dataset_id=dataset["id"], webhook_url=receiver.url, **QUICK)
        assert service.wait_for(job["id"])["status"] == "succeeded"
        assert service.job(job["id"])["webhook"]["state"] == "pending"
        service.lose_messages()
        # when a webhook worker starts
        service.start("webhook-worker")
        # then the sweep re-sends the delivery (once it is 30 s late) and it is delivered
        delivered = service.wait_until(
            lambda: (w := service.job(job["id"])["webhook"])["state"] == "delivered" and w,
            90,
            "the lost delivery to be re-sent and delivered",
        )
    finally:
        receiver.close()
    assert delivered["attempts"] == 1 and delivered["last_status"] == 200
    assert len(receiver.requests) == 1
    worker_log = (service.logs / "worker.log").read_text(encoding="utf-8")
    assert f"re-sent 1 webhook delivery(ies): {job['id']}" in worker_log
