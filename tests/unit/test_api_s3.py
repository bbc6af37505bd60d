"""The HTTP layer on S3 storage (moto's server): an upload is profiled from its own local
copy, and a model is streamed back from S3 with the same headers as from a local folder."""

from __future__ import annotations

import hashlib
import tracemalloc

import pytest

from api import create_app
from api.services import service
from models.settings import Settings
from models.store.migrate import upgrade
from tests.unit.test_storage import count_downloads, generated, pattern

MB = 1024 * 1024
ROWS = "x,s,y\n" + "\n".join(f"{i},{'ab'[i % 2]},{i % 2}" for i in range(40)) + "\n"


@pytest.fixture
def s3_app(tmp_path, moto):
    settings = Settings(
        data_dir=tmp_path / "var",
        storage_url=f"s3://{moto.new_bucket()}/tuneforge",
        s3_endpoint_url=moto.url,
    )
    upgrade(settings.database_url)
    return create_app(settings)


@pytest.fixture
def finished_job(s3_app) -> dict:
    """A job that ran to its end, its model in S3."""
    client = s3_app.test_client()
    with s3_app.app_context():
        downloads = count_downloads(service().storage)
    upload = client.post("/v1/datasets?name=t", data=ROWS.encode(), content_type="text/csv")
    assert upload.status_code == 201 and upload.json["n_rows"] == 40
    assert downloads == []  # profiled from the upload's own copy, not downloaded back
    spec = {"dataset_id": upload.json["id"], "target": "y", "estimator": "knn", "n_trials": 1}
    job = client.post("/v1/jobs", json={**spec, "cv": {"folds": 2}}).json
    with s3_app.app_context():
        assert service().run_to_end(job["id"], "test") == "succeeded"
    return job


def test_a_model_in_s3_downloads_with_etag_sha_filename_304_and_ranges(s3_app, finished_job):
    client = s3_app.test_client()
    url = f"/v1/jobs/{finished_job['id']}/model"
    sha = client.get(f"/v1/jobs/{finished_job['id']}/result").json["model"]["sha256"]
    # when the model is downloaded
    response = client.get(url)
    # then it is the file the result describes, with the local folder's headers
    assert response.status_code == 200 and hashlib.sha256(response.data).hexdigest() == sha
    assert response.headers["ETag"] == f'"{sha}"' and response.headers["X-Content-SHA256"] == sha
    assert response.headers["Content-Length"] == str(len(response.data))
    assert f"{finished_job['id']}.joblib" in response.headers["Content-Disposition"]
    # and a current ETag is 304, a range is 206 with those bytes only
    again = client.get(url, headers={"If-None-Match": f'"{sha}"'})
    assert again.status_code == 304 and again.data == b""
    part = client.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.data == response.data[10:20]


def test_a_large_model_streams_from_s3_in_bounded_memory(s3_app, finished_job):
    # given a job whose model in S3 is 20 MB
    with s3_app.app_context():
        svc = service()
        job = svc.job_by_id(finished_job["id"])
        stored = svc.storage.put_stream(job.model_key, generated(20 * MB, pattern(MB)))
        with svc.sessions() as session:
            record = session.merge(job)
            model = {**record.result["model"], "sha256": stored.sha256, "size_bytes": 20 * MB}
            record.result = {**record.result, "model": model}
            session.commit()
    # when it is downloaded, and the body read a chunk at a time
    tracemalloc.start()
    try:
        response = s3_app.test_client().get(f"/v1/jobs/{finished_job['id']}/model", buffered=False)
        digest = hashlib.sha256()
        for chunk in response.response:
            digest.update(chunk)
        response.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # then every byte came through, and never much of it at once
    assert response.headers["Content-Length"] == str(20 * MB)
    assert digest.hexdigest() == stored.sha256
    assert peak < 6 * MB, f"the download peaked at {peak / MB:.1f} MB"
