"""Check-then-act under concurrency: what a request checked still holds when it acts.

Each test releases its callers together (a barrier), round after round, on SQLite and on
PostgreSQL, and asserts the invariants: of a submit and the delete of its dataset exactly
one succeeds; the tenant's stored bytes never pass its quota; no 5xx; no file without its
row, and no row without its file.
"""

from __future__ import annotations

import dataclasses
import io
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from api import create_app
from models.exceptions import Conflict, NotFound, QuotaExceeded, SpecError
from models.service import NoDispatch, Service
from models.store import jobs
from models.store.migrate import upgrade
from models.store.records import JobStatus
from tests.backends import on_every_database

pytestmark = on_every_database

OWNER = "default"  # the tenant of a service without keys, as the API sees it
SPEC = {"target": "target", "estimator": "knn", "n_trials": 2, "cv": {"folds": 2}}
ROUNDS = 20
UPLOADERS = 20
PROBLEM = "application/problem+json"


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in a thread of its own, all released together; what each returned,
    or the exception it raised."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def later(round_: int, call: Callable[[], Any]) -> Callable[[], Any]:
    """``call`` a little after the others, by an amount that varies with the round, so
    that the rounds between them try every point of the other's path (not an assertion
    on time: any delay must give a valid outcome)."""

    def delayed() -> Any:
        time.sleep((round_ % 10) * 0.015)
        return call()

    return delayed


def stored_files(service: Service) -> set[str]:
    """Every file under the storage's datasets folder, temporary ones included."""
    root = Path(service.storage.root) / "datasets"
    return {p.name for p in root.iterdir()} if root.exists() else set()


def dataset_files(service: Service, owner: str = OWNER) -> set[str]:
    """The files the owner's dataset rows name."""
    items = service.list_datasets(owner, 100, None).items
    return {Path(d.storage_key).name for d in items}


@pytest.fixture
def small_quota(service: Service) -> Service:
    """The service with a storage quota of 1 MB per tenant."""
    settings = dataclasses.replace(service.settings, tenant_max_storage_mb=1)
    return Service(settings, service.engine, service.sessions, service.storage, NoDispatch())


# Submit a job and delete its dataset at once --------------------------------------------


def test_a_submit_and_the_delete_of_its_dataset_never_both_succeed(service, breast_cancer_csv):
    for round_ in range(ROUNDS):
        # given a dataset
        dataset = service.upload_dataset(OWNER, [breast_cancer_csv], "bc.csv")
        request = {"dataset_id": dataset.id, **SPEC}
        # when a job is submitted on it while it is deleted
        submitted, deleted = at_once(
            lambda: service.submit_job(OWNER, request),  # noqa: B023
            later(round_, lambda: service.delete_dataset(OWNER, dataset.id)),  # noqa: B023
        )
        # then exactly one of them succeeds, and the other says why not
        if deleted is None:
            assert isinstance(submitted, SpecError | NotFound), repr(submitted)
            assert submitted.field == "dataset_id", repr(submitted)
            assert (
                service.list_jobs(OWNER, 10, None, jobs.JobFilter(dataset_id=dataset.id)).items
                == []
            )
            assert not service.storage.exists(dataset.storage_key)
        else:
            assert isinstance(deleted, Conflict), repr(deleted)
            assert not isinstance(submitted, Exception), repr(submitted)
            # the job's dataset and its file are still there for the workers
            assert service.get_dataset(OWNER, dataset.id).id == dataset.id
            assert service.storage.exists(dataset.storage_key)
            assert service.get_job(OWNER, submitted.id).status == JobStatus.QUEUED
            service.cancel_job(OWNER, submitted.id)  # frees its place in the active quota
    # no file is left without its dataset, nor a half-written upload
    assert stored_files(service) == dataset_files(service)


def test_every_job_accepted_while_its_dataset_is_deleted_runs_on_its_file(
    service, breast_cancer_csv, monkeypatch
):
    # the delete is sent as the submit's data checks return, just before it records the
    # job: where a job was accepted on a dataset whose file was then removed
    checked = threading.Event()
    check_data = service._check_data  # what submit_job calls, on the row it read

    def signalling_check_data(owner: str, dataset: Any, spec: Any) -> Any:
        try:
            return check_data(owner, dataset, spec)
        finally:
            checked.set()

    monkeypatch.setattr(service, "_check_data", signalling_check_data)
    for round_ in range(ROUNDS // 2):
        # given a submit racing the delete of its dataset
        dataset = service.upload_dataset(OWNER, [breast_cancer_csv], "bc.csv")
        checked.clear()

        def delete_once_checked() -> None:
            checked.wait(timeout=60)
            time.sleep((round_ % 4) * 0.005)  # noqa: B023
            service.delete_dataset(OWNER, dataset.id)  # noqa: B023

        submitted, deleted = at_once(
            lambda: service.submit_job(OWNER, {"dataset_id": dataset.id, **SPEC}),  # noqa: B023
            delete_once_checked,
        )
        if isinstance(submitted, Exception):
            assert deleted is None and submitted.field == "dataset_id", repr(submitted)
            continue
        # when the accepted job runs, then it finds its data and succeeds
        assert isinstance(deleted, Conflict), repr(deleted)
        service.run_to_end(submitted.id, "test")
        job = service.get_job(OWNER, submitted.id)
        assert job.status == JobStatus.SUCCEEDED, job.error


def test_a_submit_whose_dataset_file_vanished_is_refused_naming_dataset_id(
    service, breast_cancer_csv
):
    # given a dataset whose file is gone (deleted between the submit's reads)
    dataset = service.upload_dataset(OWNER, [breast_cancer_csv], "bc.csv")
    service.storage.delete(dataset.storage_key)
    # when a job is submitted on it, then it is refused as a dataset that is gone
    with pytest.raises(SpecError) as refused:
        service.submit_job(OWNER, {"dataset_id": dataset.id, **SPEC})
    assert refused.value.field == "dataset_id"
    assert service.list_jobs(OWNER, 10, None).items == []


def test_simultaneous_deletes_of_one_dataset_delete_it_once(service, breast_cancer_csv):
    for _ in range(ROUNDS // 2):
        dataset = service.upload_dataset(OWNER, [breast_cancer_csv], "bc.csv")
        # when four callers delete it at once
        results = at_once(*[lambda: service.delete_dataset(OWNER, dataset.id)] * 4)  # noqa: B023
        # then one succeeds and the others find it gone
        assert results.count(None) == 1, results
        assert all(isinstance(r, NotFound) for r in results if r is not None), results
    assert stored_files(service) == set()


def test_a_cancel_and_the_end_of_the_run_never_both_take_a_job(service, breast_cancer_csv):
    # (compare-and-set on the job's status already: this guards it)
    dataset = service.upload_dataset(OWNER, [breast_cancer_csv], "bc.csv")
    for round_ in range(ROUNDS):
        # given a running job
        job = service.submit_job(OWNER, {"dataset_id": dataset.id, **SPEC})
        with service.sessions.begin() as session:
            lease = jobs.claim_job(session, job.id, "w", ttl_s=60)

        def finish() -> bool:
            with service.sessions.begin() as session:
                return jobs.finish_job(session, lease, JobStatus.SUCCEEDED)  # noqa: B023

        # when it is cancelled as its run ends
        cancelled, finished = at_once(
            lambda: service.cancel_job(OWNER, job.id),  # noqa: B023
            later(round_ % 3, finish),
        )
        # then exactly one of them took it, and the job says which
        status = service.get_job(OWNER, job.id).status
        if finished:
            assert isinstance(cancelled, Conflict), repr(cancelled)
            assert status == JobStatus.SUCCEEDED
        else:
            assert not isinstance(cancelled, Exception), repr(cancelled)
            assert status == JobStatus.CANCELLED


def _problem(response, status: int | tuple[int, ...]) -> dict[str, Any]:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.get_data())
    assert response.content_type == PROBLEM
    return response.json


def test_over_http_a_submit_and_a_delete_answer_202_and_409_or_422_and_204(
    settings, breast_cancer_csv
):
    upgrade(settings.database_url)
    app = create_app(settings)
    clients: list[FlaskClient] = [app.test_client(), app.test_client()]
    for round_ in range(ROUNDS // 2):
        uploaded = clients[0].post(
            "/v1/datasets", data={"file": (io.BytesIO(breast_cancer_csv), "bc.csv")}
        )
        dataset_id = uploaded.json["id"]
        submitted, deleted = at_once(
            lambda: clients[0].post("/v1/jobs", json={"dataset_id": dataset_id, **SPEC}),  # noqa: B023
            later(round_, lambda: clients[1].delete(f"/v1/datasets/{dataset_id}")),  # noqa: B023
        )
        if deleted.status_code == 204:
            body = _problem(submitted, (404, 422))
            assert "dataset_id" in body["errors"], body
        else:
            assert _problem(deleted, 409)["detail"]
            assert submitted.status_code == 202, submitted.json
            clients[0].post(f"/v1/jobs/{submitted.json['id']}/cancel")


# Uploads under a storage quota ----------------------------------------------------------


def test_simultaneous_uploads_never_store_more_than_the_quota(small_quota, breast_cancer_csv):
    quota = 2**20
    fits = quota // len(breast_cancer_csv)  # 8 copies of 121 KB fit in 1 MB
    for round_ in range(3):
        owner = f"tenant-{round_}"

        def upload(i: int) -> Any:
            return small_quota.upload_dataset(owner, [breast_cancer_csv], f"u{i}.csv")  # noqa: B023

        # when twenty uploads arrive at once
        results = at_once(*[lambda i=i: upload(i) for i in range(UPLOADERS)])
        # then those that fit are stored, the others refused with the quota's answer
        refused = [r for r in results if isinstance(r, Exception)]
        assert all(isinstance(r, QuotaExceeded) and r.retry_after > 0 for r in refused), refused
        stored = small_quota.list_datasets(owner, 100, None).items
        assert sum(d.size_bytes for d in stored) <= quota
        assert len(stored) == fits == UPLOADERS - len(refused)
    # and no refused upload left its file behind
    everyone = set().union(*(dataset_files(small_quota, f"tenant-{r}") for r in range(3)))
    assert stored_files(small_quota) == everyone


def test_over_http_simultaneous_uploads_past_the_quota_are_429(small_quota, breast_cancer_csv):
    upgrade(small_quota.settings.database_url)
    app = create_app(small_quota.settings)
    clients = [app.test_client() for _ in range(UPLOADERS)]
    clients[0].get("/v1/datasets")  # the app's service is built before the race

    def upload(i: int) -> Any:
        return clients[i].post(
            "/v1/datasets", data={"file": (io.BytesIO(breast_cancer_csv), f"u{i}.csv")}
        )

    answers = at_once(*[lambda i=i: upload(i) for i in range(UPLOADERS)])
    codes = sorted(a.status_code for a in answers)
    assert set(codes) <= {201, 429}, codes
    for refused in (a for a in answers if a.status_code == 429):
        assert int(refused.headers["Retry-After"]) > 0
        assert "TUNEFORGE_TENANT_MAX_STORAGE_MB" in _problem(refused, 429)["detail"]
    listed = clients[0].get("/v1/datasets?limit=100").json["items"]
    assert sum(d["size_bytes"] for d in listed) <= 2**20
    assert len(listed) == codes.count(201) == 2**20 // len(breast_cancer_csv)
