"""The generated Python SDK (sdk/python, `make sdk`) against the live API and worker.

Every call goes through the SDK: no hand-written HTTP.
"""

from __future__ import annotations

import hashlib
import io
import sys
from pathlib import Path

import httpx
import joblib
import pandas as pd
import pytest

SDK = Path(__file__).resolve().parents[2] / "sdk" / "python"
if str(SDK) not in sys.path:
    sys.path.append(str(SDK))  # the generated client is importable without installing it

from tuneforge_client import Client  # noqa: E402
from tuneforge_client.api.datasets import upload_dataset  # noqa: E402
from tuneforge_client.api.jobs import (  # noqa: E402
    download_model,
    get_job,
    get_result,
    list_trials,
    submit_job,
)
from tuneforge_client.models import (  # noqa: E402
    Dataset,
    Job,
    JobStatus,
    Result,
    SearchSpec,
    SearchSpecEstimator,
    TrialPage,
    UploadDatasetFilesBody,
)
from tuneforge_client.types import File  # noqa: E402

pytestmark = pytest.mark.integration

ENDED = {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED}


def test_the_sdk_uploads_tunes_and_downloads_a_model(service, breast_cancer_csv):
    with Client(base_url=service.url, timeout=httpx.Timeout(60)) as client:
        # given the breast cancer table uploaded as a multipart file
        upload = UploadDatasetFilesBody(
            file=File(
                payload=io.BytesIO(breast_cancer_csv),
                file_name="breast_cancer.csv",
                mime_type="text/csv",
            )
        )
        dataset = upload_dataset.sync(client=client, body=upload)
        assert isinstance(dataset, Dataset), dataset
        assert (dataset.n_rows, dataset.n_columns) == (569, 31)
        assert dataset.name == "breast_cancer.csv"
        # and as a raw text/csv body, named by the query
        raw = upload_dataset.sync(
            client=client, body=File(payload=io.BytesIO(breast_cancer_csv)), name="raw.csv"
        )
        assert isinstance(raw, Dataset), raw
        assert (raw.name, raw.sha256) == ("raw.csv", dataset.sha256)

        # when a small kNN search is submitted
        spec = SearchSpec(
            dataset_id=dataset.id, target="target", estimator=SearchSpecEstimator.KNN, n_trials=2
        )
        job = submit_job.sync(client=client, body=spec)
        assert isinstance(job, Job), job
        assert job.status in {JobStatus.QUEUED, JobStatus.RUNNING}

        # then polling getJob sees it succeed
        def ended() -> Job | None:
            current = get_job.sync(job.id, client=client)
            assert isinstance(current, Job), current
            return current if current.status in ENDED else None

        done = service.wait_until(ended, 120, f"job {job.id} to end")
        assert done.status == JobStatus.SUCCEEDED, done
        assert (done.progress.trials_completed, done.progress.trials_total) == (2, 2)

        # and its trials and result are typed models
        trials = list_trials.sync(job.id, client=client, limit=100)
        assert isinstance(trials, TrialPage), trials
        assert [t.number for t in trials.items] == [0, 1] and trials.next_ is None
        result = get_result.sync(job.id, client=client)
        assert isinstance(result, Result), result
        assert result.n_trials == 2 and result.best_score == done.best_score
        assert set(result.best_params.additional_properties) <= {"n_neighbors", "weights", "p"}

        # and the downloaded model is the file the result describes
        response = download_model.sync_detailed(job.id, client=client)
        assert response.status_code == 200 and isinstance(response.parsed, File), response
        model_bytes = response.parsed.payload.read()
        assert hashlib.sha256(model_bytes).hexdigest() == result.model.sha256
        assert response.headers["X-Content-SHA256"] == result.model.sha256

    # which predicts on raw rows shaped like the uploaded table
    model = joblib.load(io.BytesIO(model_bytes))
    table = pd.read_csv(io.BytesIO(breast_cancer_csv))
    rows, target = table.drop(columns=["target"]), table["target"]
    assert list(rows.columns) == result.model.feature_columns
    predicted = model.predict(rows.head(5))
    assert len(predicted) == 5 and set(predicted) <= set(result.model.classes)
    assert (model.predict(rows) == target).mean() > 0.9
