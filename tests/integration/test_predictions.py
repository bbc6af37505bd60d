"""Predictions over HTTP from a live API (gunicorn, gevent) and worker: the answers equal
the downloaded model's ``predict`` on the same rows, as JSON and as streamed CSV; the SDK
and CLI get the same; bad rows are 4xx problems naming the field on every database."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.datasets import load_breast_cancer

from tests.integration.conftest import ROOT, backends

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return load_breast_cancer(as_frame=True).frame


def _trained(svc, table: pd.DataFrame) -> tuple[str, object]:
    """A finished classifier's job id, and its model as downloaded (skops)."""
    dataset = svc.upload(table.to_csv(index=False).encode(), "cancer.csv")
    job = svc.submit(
        dataset_id=dataset["id"],
        target="target",
        estimator="logistic_regression",
        strategy="random",
        n_trials=2,
        cv={"folds": 2},
        test_size=0,
    )
    assert svc.wait_for(job["id"])["status"] == "succeeded"
    trusted = svc.get(f"/v1/jobs/{job['id']}/result").json()["model"]["skops"]["trusted_types"]
    data = svc.get(f"/v1/jobs/{job['id']}/model?format=skops").content
    return job["id"], skops.io.loads(data, trusted=trusted)


def test_predictions_equal_the_downloaded_models_as_json_csv_sdk_and_cli(
    shared_service, table, tmp_path
):
    svc = shared_service
    job_id, model = _trained(svc, table)
    url = f"/v1/jobs/{job_id}/predictions"
    rows = table.drop(columns=["target"]).sample(300, random_state=1)
    expected = model.predict(rows).tolist()

    # JSON rows, with an extra column: listed, ignored; probabilities in classes order
    records = [{**row, "note": "x"} for row in rows.head(100).to_dict(orient="records")]
    answer = svc.post(url, json={"rows": records})
    assert answer.status_code == 200, answer.text
    assert answer.json()["predictions"] == expected[:100]
    assert answer.json()["classes"] == [0, 1] and answer.json()["ignored_columns"] == ["note"]
    assert np.allclose(answer.json()["probabilities"], model.predict_proba(rows.head(100)))

    # a CSV body (the target sent along, ignored), answered as JSON, and streamed as CSV
    csv = table.loc[rows.index].to_csv(index=False).encode()
    as_json = svc.post(url, data=csv, headers={"Content-Type": "text/csv"})
    assert as_json.json()["predictions"] == expected
    assert as_json.json()["ignored_columns"] == ["target"]
    streamed = svc.post(
        url, data=csv, headers={"Content-Type": "text/csv", "Accept": "text/csv"}, stream=True
    )
    assert streamed.status_code == 200 and streamed.headers["Content-Type"].startswith("text/csv")
    assert streamed.headers.get("Transfer-Encoding") == "chunked"
    answered = pd.read_csv(io.BytesIO(streamed.content))
    assert answered["prediction"].tolist() == expected
    assert np.allclose(answered[["probability_0", "probability_1"]], model.predict_proba(rows))

    # a missing column is a 422 naming it
    missing = svc.post(url, json={"rows": [{"mean radius": 1.0}]})
    assert missing.status_code == 422 and "mean texture" in missing.json()["errors"]

    # the SDK, and the CLI's streamed CSV
    import tuneforge

    with tuneforge.Client(svc.url) as api:
        sdk = api.predict(job_id, rows, probabilities=True)
        job = api.job(job_id)  # a job the client fetched predicts through it
        by_job = job.predict(rows)
        listed = next(j for j in api.jobs() if j.id == job_id)
        assert listed.predict(rows.head(3)).predictions == expected[:3]
    assert sdk.predictions == expected and sdk.classes == [0, 1]
    assert by_job.predictions == expected and isinstance(job, tuneforge.Job)
    (tmp_path / "rows.csv").write_bytes(csv)
    done = subprocess.run(
        [sys.executable, "-m", "tuneforge", "jobs", "predict", job_id, "rows.csv", "-o", "out.csv"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "TUNEFORGE_API": svc.url,
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT / "sdk/python"),
        },
    )
    assert done.returncode == 0, done.stderr
    assert pd.read_csv(tmp_path / "out.csv")["prediction"].tolist() == expected
    assert "ignored the columns the model does not take: target" in done.stderr


@backends("embedded", "postgres-s3-redis")
def test_bad_rows_are_4xx_problems_naming_the_field(shared_service, table):
    svc = shared_service
    job_id, model = _trained(svc, table)
    url = f"/v1/jobs/{job_id}/predictions"
    row = table.drop(columns=["target"]).iloc[0].to_dict()
    ok = svc.post(url, json={"rows": [row]})
    assert ok.json()["predictions"] == model.predict(pd.DataFrame([row])).tolist()
    # a model loaded (from S3 too) leaves the API able to fork: an upload is read as before
    assert svc.upload(b"a,b\n1,2\n3,4\n", "after.csv")["n_rows"] == 2
    cases = [
        (svc.post("/v1/jobs/job_nope/predictions", json={"rows": [row]}), 404, None),
        (svc.post(url, data=b"x", headers={"Content-Type": "text/plain"}), 415, None),
        (svc.post(url, data=b"{", headers={"Content-Type": "application/json"}), 400, None),
        (svc.post(url, json={"rows": "all"}), 422, "rows"),
        (svc.post(url, json={"rows": [row, [1]]}), 422, "rows.1"),
        (svc.post(url, json={"rows": [{**row, "mean area": "big"}]}), 422, "rows.0.mean area"),
        (svc.post(url, json={"rows": [{"mean radius": 1}]}), 422, "mean texture"),
        (svc.post(url, data=b"mean radius\n1\n", headers={"Content-Type": "text/csv"}), 422, None),
    ]
    for response, status, field in cases:
        assert response.status_code == status, response.text
        assert response.headers["Content-Type"] == "application/problem+json"
        if field is not None:
            assert field in response.json()["errors"], response.json()
