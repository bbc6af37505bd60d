"""Deleting jobs and datasets, and the retention sweep: every row and file goes, on SQLite
and PostgreSQL; a worker still on a deleted job writes nothing back; what is kept counts.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from models.exceptions import Conflict, NotFound
from models.plumbing import metrics
from models.service import Service
from models.store import datasets, jobs, trial_runs
from models.store.artifacts import STORED_FORMATS, model_key
from models.store.idempotency import IdempotencyRecord
from models.store.records import Job, JobStatus, Trial, TrialRun, utcnow
from tests.backends import on_every_database

pytestmark = on_every_database

OWNER = "default"
SPEC = {"target": "target", "estimator": "knn", "n_trials": 2, "cv": {"folds": 2}}


def files(service: Service) -> set[str]:
    """Every file under the storage root, relative to it."""
    root = Path(service.storage.root)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def finished_job(service: Service, dataset_id: str) -> Job:
    job = service.submit_job(OWNER, {"dataset_id": dataset_id, **SPEC})
    assert service.run_to_end(job.id, "test") == "succeeded"
    return service.get_job(OWNER, job.id)


def rows(service: Service, model: type, **where: str) -> int:
    with service.sessions() as session:
        stmt = select(func.count()).select_from(model)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        return session.scalar(stmt)


@pytest.fixture
def dataset(service, breast_cancer_csv):
    return service.upload_dataset(OWNER, [breast_cancer_csv], "bc.csv")


def test_deleting_a_finished_job_removes_its_rows_and_every_model_file(service, dataset):
    # given two finished jobs on one dataset, one submitted with an Idempotency-Key
    job, other = finished_job(service, dataset.id), finished_job(service, dataset.id)
    with service.sessions() as session:
        session.add(
            IdempotencyRecord(
                owner=OWNER,
                scope="submitJob",
                key="k1",
                status=202,
                body=f'{{"id": "{job.id}"}}',
                expires_at=utcnow() + timedelta(hours=1),
            )
        )
        session.commit()
    # (an ONNX export, as another format would be, is a file of the job's too)
    service.storage.put_stream(model_key(job.id, "onnx"), [b"onnx"])
    assert {model_key(job.id, f) for f in STORED_FORMATS} <= files(service)
    assert rows(service, Trial, job_id=job.id) == 2
    # when the first is deleted
    service.delete_job(OWNER, job.id)
    # then it, its trials, its remembered answer and its files are gone; the other stays
    with pytest.raises(NotFound):
        service.get_job(OWNER, job.id)
    assert rows(service, Trial, job_id=job.id) == 0
    assert rows(service, IdempotencyRecord, key="k1") == 0
    assert not any(name.startswith(f"models/{job.id}.") for name in files(service))
    assert service.get_job(OWNER, other.id).status == JobStatus.SUCCEEDED
    assert model_key(other.id) in files(service)
    # and a second delete, or another tenant's, is a NotFound
    with pytest.raises(NotFound):
        service.delete_job(OWNER, job.id)
    with pytest.raises(NotFound):
        service.delete_job("someone-else", other.id)
    assert service.get_job(OWNER, other.id).id == other.id


def test_a_worker_on_a_deleted_job_writes_nothing_back(service, dataset):
    # given a job with a trial in flight, and a worker that holds its concluding lease
    job = service.submit_job(OWNER, {"dataset_id": dataset.id, **SPEC})
    assert service.advance(job.id) == "advanced"
    with service.sessions.begin() as session:
        (number,) = trial_runs.queued(session, job.id)[:1]
        trial = trial_runs.claim(session, job.id, number, "w1", 30)
    with service.sessions.begin() as session:
        session.execute(update(Job).where(Job.id == job.id).values(lease_token=None))
        lease = jobs.claim_job(session, job.id, "w2", 30)
    assert trial is not None and lease is not None
    # when the job is deleted while both work
    service.delete_job(OWNER, job.id)
    # then their renewals and the finish are refused: nothing comes back to life
    with service.sessions.begin() as session:
        assert not trial_runs.renew(session, trial.lease, 30)
        assert not jobs.renew_lease(session, lease, 30)
        assert not jobs.finish_job(session, lease, JobStatus.SUCCEEDED, result={})
    assert rows(service, Job, id=job.id) == 0
    assert rows(service, TrialRun, job_id=job.id) == 0
    assert service.advance(job.id) == "skipped"


def test_a_job_deleted_while_its_trials_are_recorded_leaves_nothing(service, dataset):
    for round_ in range(4):
        # given a job whose trials a worker runs and records one after another
        spec = {**SPEC, "n_trials": 40, "strategy": "random"}
        job = service.submit_job(OWNER, {"dataset_id": dataset.id, **spec})
        outcome: list[object] = []
        worker = threading.Thread(
            target=lambda: outcome.append(service.run_to_end(job.id, "w"))  # noqa: B023
        )
        worker.start()
        deadline = time.monotonic() + 60
        while rows(service, Trial, job_id=job.id) < 1 + round_ and time.monotonic() < deadline:
            time.sleep(0.005)
        # when it is deleted meanwhile (the delete waits for a recording, never deadlocks)
        service.delete_job(OWNER, job.id)
        worker.join(timeout=120)
        # then the worker stopped, and no row or file of the job is left
        assert not worker.is_alive() and outcome, outcome
        assert rows(service, Job, id=job.id) == 0
        assert rows(service, Trial, job_id=job.id) == 0
        assert rows(service, TrialRun, job_id=job.id) == 0
        assert not any(job.id in name for name in files(service))


def test_a_dataset_with_jobs_is_a_conflict_naming_them_unless_cascade(service, dataset):
    # given a finished job and a queued one on a dataset
    done = finished_job(service, dataset.id)
    queued = service.submit_job(OWNER, {"dataset_id": dataset.id, **SPEC})
    # when it is deleted without cascade, then it is refused, naming both and the parameter
    with pytest.raises(Conflict) as refused:
        service.delete_dataset(OWNER, dataset.id)
    assert refused.value.field == "cascade"
    assert done.id in refused.value.detail and queued.id in refused.value.detail
    assert service.get_dataset(OWNER, dataset.id).id == dataset.id
    # when it is deleted with cascade, then the jobs, the dataset and every file go
    assert service.delete_dataset(OWNER, dataset.id, cascade=True) is None
    for job_id in (done.id, queued.id):
        with pytest.raises(NotFound):
            service.get_job(OWNER, job_id)
    with pytest.raises(NotFound):
        service.get_dataset(OWNER, dataset.id)
    assert files(service) == set()
    # and the storage quota counts what is left: nothing
    with service.sessions() as session:
        assert datasets.stored_bytes(session, OWNER) == 0


def retained(service: Service, days: int) -> Service:
    return dataclasses.replace(
        service, settings=dataclasses.replace(service.settings, retention_days=days)
    )


def age(service: Service, job_id: str | None = None, dataset_id: str | None = None) -> None:
    """Make a job have finished, or a dataset have been uploaded, 40 days ago."""
    long_ago = utcnow() - timedelta(days=40)
    with service.sessions() as session:
        if job_id:
            session.execute(update(Job).where(Job.id == job_id).values(finished_at=long_ago))
        if dataset_id:
            session.execute(
                update(datasets.Dataset)
                .where(datasets.Dataset.id == dataset_id)
                .values(created_at=long_ago)
            )
        session.commit()


def test_retention_purges_old_finished_jobs_and_unused_datasets_only(service, breast_cancer_csv):
    # given an old finished job and a recent one on an old dataset, an old unused dataset,
    # a recent unused one, and an old dataset with a running job
    upload = lambda name: service.upload_dataset(OWNER, [breast_cancer_csv], name)  # noqa: E731
    shared, unused, recent, busy = upload("a"), upload("b"), upload("c"), upload("d")
    old, new = finished_job(service, shared.id), finished_job(service, shared.id)
    running = service.submit_job(OWNER, {"dataset_id": busy.id, **SPEC})
    service.advance(running.id)
    for d in (shared, unused, busy):
        age(service, dataset_id=d.id)
    age(service, job_id=old.id)
    # when the sweep runs with retention off (the default), then nothing goes
    assert service.settings.retention_days == 0
    nothing = service.purge_expired(utcnow())
    assert nothing.jobs == [] and nothing.datasets == []
    # when it runs with 30 days
    counted = {k: metrics.PURGED.labels(kind=k)._value.get() for k in ("job", "dataset")}
    purged = retained(service, 30).purge_expired(utcnow())
    # then the old job and the old unused dataset went, with their files; the rest stays
    assert purged.jobs == [(OWNER, old.id)]
    assert purged.datasets == [(OWNER, unused.id)]
    for kind in ("job", "dataset"):  # and counted in tuneforge_purged_total{kind}
        assert metrics.PURGED.labels(kind=kind)._value.get() == counted[kind] + 1
    with pytest.raises(NotFound):
        service.get_job(OWNER, old.id)
    assert not any(old.id in name or unused.id in name for name in files(service))
    for job_id in (new.id, running.id):
        service.get_job(OWNER, job_id)
    for kept in (shared, recent, busy):
        service.get_dataset(OWNER, kept.id)
    # and once the last job on the old dataset is gone, the next sweep takes it
    service.delete_job(OWNER, new.id)
    assert retained(service, 30).purge_expired(utcnow()).datasets == [(OWNER, shared.id)]


def test_retention_days_is_bounded():
    from models.settings import Settings

    assert Settings.from_env({}).retention_days == 0
    assert Settings.from_env({"TUNEFORGE_RETENTION_DAYS": "30"}).retention_days == 30
    for bad in ("0", "-1", "99999", "soon"):
        with pytest.raises(ValueError, match="TUNEFORGE_RETENTION_DAYS"):
            Settings.from_env({"TUNEFORGE_RETENTION_DAYS": bad})


def test_the_sweep_purges_only_when_retention_is_on_and_at_most_every_few_minutes(
    monkeypatch,
):
    from tasks import recovery

    calls = []

    class Stub:
        settings = dataclasses.make_dataclass("S", [("retention_days", int)])(0)

        def purge_expired(self, now):
            calls.append(now)
            return dataclasses.make_dataclass("P", [("jobs", list), ("datasets", list)])([], [])

    stub = Stub()
    monkeypatch.setattr(recovery, "_purged_at", None)
    # off by default: the sweep never purges
    recovery._purge_when_due(stub)
    assert calls == []
    # on: the first sweep purges, the next ones wait PURGE_SECONDS
    stub.settings.retention_days = 30
    recovery._purge_when_due(stub)
    recovery._purge_when_due(stub)
    assert len(calls) == 1
    monkeypatch.setattr(recovery, "_purged_at", recovery._purged_at - recovery.PURGE_SECONDS)
    recovery._purge_when_due(stub)
    assert len(calls) == 2
