"""The service core as handlers and tasks call it: what it records and what it dispatches."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from models.exceptions import Conflict, NotFound, SpecError
from models.job_run import RunOutcome
from models.service import Service
from models.store import trial_runs
from models.store.records import JobStatus, utcnow

OWNER = "default"
TABLE = pd.DataFrame(
    {"x": range(60), "noise": [i % 7 for i in range(60)], "y": [i % 2 for i in range(60)]}
)
SPEC = {"target": "y", "estimator": "knn", "n_trials": 2, "cv": {"folds": 2}}


class Recording:
    """A dispatch that remembers what it was asked to send (or fails, like a dead broker)."""

    def __init__(self, broken: bool = False) -> None:
        self.sent: list[tuple[str, str]] = []
        self.broken = broken

    def advance(self, job_id: str) -> None:
        self._send("advance", job_id)

    def deliver_webhook(self, job_id: str) -> None:
        self._send("deliver_webhook", job_id)

    def ping(self) -> None:
        if self.broken:
            raise ConnectionError("broker down")

    def _send(self, what: str, job_id: str) -> None:
        if self.broken:
            raise ConnectionError("broker down")
        self.sent.append((what, job_id))


def make(service: Service, broken: bool = False) -> tuple[Service, Recording, str]:
    dispatch = Recording(broken)
    svc = Service(service.settings, service.engine, service.sessions, service.storage, dispatch)
    dataset = svc.upload_dataset(OWNER, [TABLE.to_csv(index=False).encode()], "t.csv")
    return svc, dispatch, dataset.id


def test_submit_records_a_queued_job_and_sends_it_to_the_workers(service):
    svc, dispatch, dataset_id = make(service)
    job = svc.submit_job(OWNER, {"dataset_id": dataset_id, **SPEC})
    assert job.status == JobStatus.QUEUED and job.trials_total == 2
    assert dispatch.sent == [("advance", job.id)]
    assert svc.get_job(OWNER, job.id).spec["estimator"] == "knn"


def test_a_job_the_broker_cannot_take_is_still_recorded_for_the_sweep(service):
    svc, _, dataset_id = make(service, broken=True)
    job = svc.submit_job(OWNER, {"dataset_id": dataset_id, **SPEC})
    assert svc.get_job(OWNER, job.id).status == JobStatus.QUEUED
    assert svc.readiness() == {"database": "ok", "broker": "unavailable: ConnectionError"}


def test_an_unknown_dataset_is_a_spec_error_naming_dataset_id(service):
    svc, dispatch, _ = make(service)
    with pytest.raises(SpecError) as caught:
        svc.submit_job(OWNER, {"dataset_id": "ds_" + "0" * 28, **SPEC})
    assert caught.value.field == "dataset_id" and dispatch.sent == []


def test_another_tenant_sees_nothing(service):
    svc, _, dataset_id = make(service)
    job = svc.submit_job(OWNER, {"dataset_id": dataset_id, **SPEC})
    with pytest.raises(NotFound):
        svc.get_job("mallory", job.id)
    with pytest.raises(SpecError):
        svc.submit_job("mallory", {"dataset_id": dataset_id, **SPEC})


def test_run_to_end_finishes_the_job_and_sends_its_webhook(service):
    svc, dispatch, dataset_id = make(service)
    request = {"dataset_id": dataset_id, **SPEC, "webhook_url": "https://example.com/hook"}
    job = svc.submit_job(OWNER, request)
    assert svc.run_to_end(job.id, "w:1") is RunOutcome.SUCCEEDED
    assert dispatch.sent == [("advance", job.id), ("deliver_webhook", job.id)]
    finished = svc.finished_job(OWNER, job.id)
    assert finished.result["n_trials"] == 2 and svc.storage.exists(finished.model_key)
    assert [t.number for t in svc.trials(OWNER, job.id)] == [0, 1]
    # a second delivery of the same message runs nothing
    assert svc.run_to_end(job.id, "w:2") is RunOutcome.SKIPPED


def test_a_job_that_ran_straight_through_was_started_once(service):
    svc, _, dataset_id = make(service)
    job = svc.submit_job(OWNER, {"dataset_id": dataset_id, **SPEC})
    assert job.attempts == 0  # waiting
    assert svc.run_to_end(job.id, "w:1") is RunOutcome.SUCCEEDED
    # its trials, then its refit, under one start: no retry to report
    assert svc.get_job(OWNER, job.id).attempts == 1


def test_cancel_keeps_the_job_and_sends_its_webhook_and_has_no_result(service):
    svc, dispatch, dataset_id = make(service)
    request = {"dataset_id": dataset_id, **SPEC, "webhook_url": "https://example.com/hook"}
    job = svc.submit_job(OWNER, request)
    assert svc.cancel_job(OWNER, job.id).status == JobStatus.CANCELLED
    assert dispatch.sent[-1] == ("deliver_webhook", job.id)
    with pytest.raises(Conflict, match="ended cancelled"):
        svc.finished_job(OWNER, job.id)
    with pytest.raises(Conflict):
        svc.cancel_job(OWNER, job.id)
    assert svc.run_to_end(job.id, "w:1") is RunOutcome.SKIPPED


def test_recover_resends_jobs_whose_message_was_lost(service):
    svc, dispatch, dataset_id = make(service)
    job = svc.submit_job(OWNER, {"dataset_id": dataset_id, **SPEC})
    dispatch.sent.clear()
    assert svc.recover(utcnow() + timedelta(seconds=1)) == [job.id]
    assert dispatch.sent == [("advance", job.id)]
    # re-sent once, not at every sweep
    assert svc.recover(utcnow() - timedelta(minutes=5)) == []


def test_a_job_the_broker_did_not_take_is_resent_by_the_next_sweep_not_minutes_later(service):
    # given a job submitted while the broker was down
    svc, dispatch, dataset_id = make(service, broken=True)
    job = svc.submit_job(OWNER, {"dataset_id": dataset_id, **SPEC})
    # when the broker is back and the periodic sweep runs (queued jobs wait 5 minutes)
    dispatch.broken = False
    assert svc.recover(utcnow() - timedelta(minutes=5)) == [job.id]
    # then it was sent, once
    assert dispatch.sent == [("advance", job.id)]
    assert svc.recover(utcnow() - timedelta(minutes=5)) == []


def test_readiness_says_when_the_database_is_not_migrated(tmp_path):
    from models.settings import Settings

    svc = Service.from_settings(Settings(data_dir=tmp_path / "fresh"))
    try:
        database = svc.readiness()["database"]
    finally:
        svc.close()
    assert database.startswith("not migrated") and "tuneforge db upgrade" in database


class Broker(Recording):
    """A FIFO queue of messages, as one worker slot would take them from the broker."""

    def run_trial(self, job_id: str, number: int) -> None:
        self.sent.append(("run_trial", (job_id, number)))

    def pump(self, svc: Service) -> list[str]:
        """Deliver every message in order; returns the job of each trial run."""
        ran = []
        while self.sent:
            kind, what = self.sent.pop(0)
            if kind == "advance":
                svc.advance(what)
            elif kind == "run_trial" and svc.run_trial(*what, "w:1") == RunOutcome.RECORDED:
                ran.append(what[0])
        return ran


def test_two_jobs_share_the_workers_in_turn(service):
    svc, _, dataset_id = make(service)
    broker = Broker()
    svc.dispatch = broker
    request = {"dataset_id": dataset_id, **SPEC, "n_trials": 6, "max_parallel": 2}
    first, second = (svc.submit_job(OWNER, request) for _ in range(2))
    ran = broker.pump(svc)
    # each job keeps two trials queued, and a finished trial's successor joins the back of
    # the queue: the jobs alternate, two trials at a time, instead of one job going first
    assert (
        ran
        == [first.id] * 2
        + [second.id] * 2
        + [first.id] * 2
        + [second.id] * 2
        + [first.id] * 2
        + [second.id] * 2
    )
    for job in (first, second):
        assert svc.get_job(OWNER, job.id).status == JobStatus.SUCCEEDED


def test_a_trial_whose_worker_died_runs_again_and_is_recorded_once(service):
    svc, _, dataset_id = make(service)
    broker = Broker()
    svc.dispatch = broker
    job = svc.submit_job(OWNER, {"dataset_id": dataset_id, **SPEC, "max_parallel": 2})
    svc.advance(job.id)
    # given a worker that claimed trial 0 and died: its lease lapses unrenewed
    with svc.sessions.begin() as session:
        assert trial_runs.claim(session, job.id, 0, "dead:1", ttl_s=0) is not None
    broker.sent.clear()  # and the broker lost what it had
    # when the sweep runs
    svc.recover(utcnow() - timedelta(minutes=5))
    assert ("run_trial", (job.id, 0)) in broker.sent
    broker.sent.append(("run_trial", (job.id, 1)))
    broker.pump(svc)
    # then every trial is recorded once, by the live worker
    trials = svc.trials(OWNER, job.id)
    assert [t.number for t in trials] == [0, 1] and {t.worker for t in trials} == {"w:1"}
    assert svc.get_job(OWNER, job.id).status == JobStatus.SUCCEEDED
