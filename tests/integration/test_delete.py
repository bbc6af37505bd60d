"""Deleting jobs and datasets over HTTP with a live worker: nothing deleted stays readable,
downloadable or stored (in the local folder, or in the S3 bucket); a running job stops;
a dataset with jobs is refused, naming them, unless ``cascade=true``. The model card of a
finished job, as JSON and as Markdown, through the SDK.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import tuneforge

from tests.integration.conftest import Service, backends

pytestmark = pytest.mark.integration

SMALL = {"target": "target", "estimator": "knn", "n_trials": 2, "cv": {"folds": 2}}
PROBLEM = "application/problem+json"


def delete(svc: Service, path: str) -> Any:
    return svc.http.delete(svc.url + path, timeout=60)


def left_behind(svc: Service, request: pytest.FixtureRequest, *ids: str) -> list[str]:
    """Every stored file or object whose name holds one of ``ids``: under the data dir
    (the local storage folder, the S3 cache, anything else) and in the S3 bucket."""
    found = [
        str(p)
        for p in Path(svc.data_dir).rglob("*")
        if p.is_file() and any(i in p.name for i in ids)
    ]
    url = svc.env.get("TUNEFORGE_STORAGE_URL", "")
    if url.startswith("s3://"):
        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        moto = request.getfixturevalue("moto")
        listed = moto.client.list_objects_v2(Bucket=bucket, Prefix=prefix)
        found += [o["Key"] for o in listed.get("Contents", []) if any(i in o["Key"] for i in ids)]
    return found


def assert_gone(svc: Service, job_id: str) -> None:
    for path in ("", "/result", "/model", "/model?format=skops", "/trials", "/card"):
        response = svc.get(f"/v1/jobs/{job_id}{path}")
        assert response.status_code == 404, (path, response.text)
        assert response.headers["Content-Type"] == PROBLEM


@backends("embedded", "postgres-s3-redis")
def test_a_deleted_job_is_gone_with_every_file(shared_service, breast_cancer_csv, request):
    svc = shared_service
    # given a finished job, its model stored
    dataset = svc.upload(breast_cancer_csv, "delete-me.csv")
    job = svc.submit(dataset_id=dataset["id"], **SMALL)
    assert svc.wait_for(job["id"])["status"] == "succeeded"
    assert left_behind(svc, request, job["id"])  # (the check sees its files)
    # when it is deleted through the SDK
    with tuneforge.Client(svc.url) as api:
        api.delete_job(job["id"])
        # then it, its result, model, trials and card are 404, and so is a second delete
        assert_gone(svc, job["id"])
        with pytest.raises(tuneforge.NotFound):
            api.delete_job(job["id"])
    # and no file or object of it is left
    assert left_behind(svc, request, job["id"]) == []
    # its dataset, with no job left, deletes without cascade, and leaves nothing either
    assert delete(svc, f"/v1/datasets/{dataset['id']}").status_code == 204
    assert left_behind(svc, request, dataset["id"]) == []


def test_deleting_a_running_job_stops_it_and_leaves_nothing(
    shared_service, breast_cancer_csv, request
):
    svc = shared_service
    # given a long search with trials recorded
    dataset = svc.upload(breast_cancer_csv, "running.csv")
    job = svc.submit(dataset_id=dataset["id"], target="target", estimator="svm", n_trials=200)
    svc.wait_until(lambda: len(svc.trials(job["id"])) >= 1, 60, "a first trial")
    # when it is deleted while it runs
    assert delete(svc, f"/v1/jobs/{job['id']}").status_code == 204
    # then it is gone, and the worker is free for the next job, which runs to its end
    assert_gone(svc, job["id"])
    after = svc.submit(dataset_id=dataset["id"], **SMALL)
    assert svc.wait_for(after["id"], timeout=60)["status"] == "succeeded"
    # and nothing of the deleted job came back: no row, no file
    assert_gone(svc, job["id"])
    assert left_behind(svc, request, job["id"]) == []


@backends("embedded", "postgres-s3-redis")
def test_a_dataset_with_jobs_is_refused_naming_them_unless_cascade(
    shared_service, breast_cancer_csv, request
):
    svc = shared_service
    # given a finished job and a queued one on one dataset
    dataset = svc.upload(breast_cancer_csv, "cascade.csv")
    done = svc.submit(dataset_id=dataset["id"], **SMALL)
    assert svc.wait_for(done["id"])["status"] == "succeeded"
    queued = svc.submit(dataset_id=dataset["id"], **{**SMALL, "n_trials": 200, "estimator": "svm"})
    # its model card reads as JSON and as Markdown
    with tuneforge.Client(svc.url) as api:
        card = api.model_card(done["id"])
        page = api.model_card(done["id"], format="markdown")
    assert card["job_id"] == done["id"] and card["data"]["dataset_name"] == "cascade.csv"
    assert card["evaluation"]["cv"]["folds"] == 2 and len(card["evaluation"]["fold_scores"]) == 2
    assert page.startswith("# Model card") and "## Limitations" in page
    # when the dataset is deleted without cascade, then a 409 lists both jobs
    refused = delete(svc, f"/v1/datasets/{dataset['id']}")
    assert refused.status_code == 409 and refused.headers["Content-Type"] == PROBLEM
    body = refused.json()
    assert done["id"] in body["detail"] and queued["id"] in body["detail"]
    assert "cascade" in body["errors"]
    # a cascade that is not a boolean is a 422 naming it
    bad = delete(svc, f"/v1/datasets/{dataset['id']}?cascade=maybe")
    assert bad.status_code == 422 and "cascade" in bad.json()["errors"]
    # when deleted with cascade=true, then the jobs and the dataset are gone, files too
    assert delete(svc, f"/v1/datasets/{dataset['id']}?cascade=true").status_code == 204
    for job_id in (done["id"], queued["id"]):
        assert_gone(svc, job_id)
    assert svc.get(f"/v1/datasets/{dataset['id']}").status_code == 404
    assert left_behind(svc, request, dataset["id"], done["id"], queued["id"]) == []
