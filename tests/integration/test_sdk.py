"""The Python SDK (sdk/python) against the live API and worker: the generated client
(`make sdk`) and the hand-written `tuneforge` facade on top of it.

Every call goes through the SDK: no hand-written HTTP.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import joblib
import pandas as pd
import pytest

SDK = Path(__file__).resolve().parents[2] / "sdk" / "python"
if str(SDK) not in sys.path:
    sys.path.append(str(SDK))  # the generated client is importable without installing it

import tuneforge  # noqa: E402
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
    Result,
    SearchSpec,
    TrialPage,
    UploadDatasetFilesBody,
)
from tuneforge_client.types import File  # noqa: E402

pytestmark = pytest.mark.integration

ENDED = {"succeeded", "failed", "cancelled"}


def test_the_sdk_uploads_tunes_and_downloads_a_model(shared_service, breast_cancer_csv):
    with Client(base_url=shared_service.url, timeout=httpx.Timeout(60)) as client:
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
        # and as a raw application/octet-stream body, named by the query
        raw = upload_dataset.sync(
            client=client, body=File(payload=io.BytesIO(breast_cancer_csv)), name="raw.csv"
        )
        assert isinstance(raw, Dataset), raw
        assert (raw.name, raw.sha256) == ("raw.csv", dataset.sha256)

        # when a small kNN search is submitted
        spec = SearchSpec(dataset_id=dataset.id, target="target", estimator="knn", n_trials=2)
        job = submit_job.sync(client=client, body=spec)
        assert isinstance(job, Job), job
        assert job.status in {"queued", "running"}

        # then polling getJob sees it succeed
        def ended() -> Job | None:
            current = get_job.sync(job.id, client=client)
            assert isinstance(current, Job), current
            return current if current.status in ENDED else None

        done = shared_service.wait_until(ended, 120, f"job {job.id} to end")
        assert done.status == "succeeded", done
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


KNN_SPACE = {"n_neighbors": {"type": "int", "low": 1, "high": 30}, "weights": ["uniform"]}


def test_the_facade_takes_plain_strings_and_dicts_and_follows_a_job(
    shared_service, breast_cancer_csv
):
    with tuneforge.Client(shared_service.url) as api:
        # given a table uploaded as bytes, and a search written as plain Python
        dataset = api.upload(breast_cancer_csv, name="cancer.csv")
        assert (dataset.name, dataset.n_rows) == ("cancer.csv", 569)
        job = api.submit(
            {"dataset_id": dataset.id, "target": "target"},
            estimator="knn",
            strategy="random",
            param_space=KNN_SPACE,
            n_trials=3,
        )
        assert job.status in {"queued", "running"}

        # when its live events are followed (the shared service ends a stream every 2 s)
        events = list(api.events(job.id))

        # then they arrive parsed, each trial once, and end with the end event
        assert isinstance(events[-1], tuneforge.EndEvent), events[-1]
        assert events[-1].data.status == "succeeded"
        trials = [e.data for e in events if isinstance(e, tuneforge.TrialEvent)]
        assert sorted(t.number for t in trials) == [0, 1, 2]
        assert all(isinstance(e.data, Job) for e in events if e.event == "status")
        best = [e.data for e in events if isinstance(e, tuneforge.BestEvent)]
        assert best and best[-1].best_score == max(t.mean_score for t in trials)

        # and wait() returns the ended job with what the events said
        done = api.wait(job.id, timeout=30, poll=0.2)
        assert done.status == "succeeded" and done.best_score == best[-1].best_score
        assert done.spec.param_space.to_dict()["n_neighbors"]["high"] == 30

        # and trials iterate across pages, best first when sorted by score
        assert sorted(t.number for t in api.trials(job.id, page_size=1)) == [0, 1, 2]
        scores = [t.mean_score for t in api.trials(job.id, sort="-mean_score", page_size=2)]
        assert scores == sorted(scores, reverse=True) and len(scores) == 3

        # and the job's echoed spec can be submitted again as it is
        again = api.submit(done.spec)
        assert again.spec.to_dict() == done.spec.to_dict()
        listed = [j.id for j in api.jobs(dataset_id=dataset.id, page_size=1)]
        assert listed == [again.id, job.id]  # newest first, one page each
        # (the shared service holds other tests' tables too: newest first, each once)
        one_by_one = [d.id for d in api.datasets(page_size=1)]
        assert one_by_one[0] == dataset.id
        assert one_by_one == [d.id for d in api.datasets(page_size=100)]


def test_the_facade_saves_and_loads_the_model(shared_service, breast_cancer_csv, tmp_path):
    table = pd.read_csv(io.BytesIO(breast_cancer_csv))
    rows = table.drop(columns=["target"])
    with tuneforge.Client(shared_service.url) as api:
        # given a tuned kNN, through the one-call helper
        run = api.tune(
            io.BytesIO(breast_cancer_csv), "target", estimator="knn", n_trials=2, timeout=120
        )
        assert run.job.status == "succeeded" and run.result.n_trials == 2
        # then its model predicts on raw rows
        assert (run.model.predict(rows) == table["target"]).mean() > 0.9

        # and the files download where asked, whole, in either format
        path = api.download_model(run.job.id, tmp_path / "model.joblib")
        assert hashlib.sha256(path.read_bytes()).hexdigest() == run.result.model.sha256
        skops_file = api.download_model(run.job.id, tmp_path / "m.skops", format="skops")
        assert skops_file.stat().st_size == run.result.model.skops.size_bytes
        # and skops loads with the types the result trusts, predicting the same
        model = api.load_model(run.job.id, format="skops")
        assert list(model.predict(rows.head(20))) == list(run.model.predict(rows.head(20)))
        # and ONNX downloads and loads as an ONNX Runtime session, one input per column
        # (kNN weighted by distance does not convert: then a Conflict says why)
        onnx = run.result.model.onnx
        if not onnx.available:
            with pytest.raises(tuneforge.Conflict, match="has no onnx file"):
                api.download_model(run.job.id, tmp_path / "m.onnx", format="onnx")
            return
        onnx_file = api.download_model(run.job.id, tmp_path / "m.onnx", format="onnx")
        assert hashlib.sha256(onnx_file.read_bytes()).hexdigest() == onnx.sha256
        session = api.load_model(run.job.id, format="onnx")
        head = rows.head(20)
        feeds = {c: head[[c]].to_numpy("float64") for c in run.result.model.feature_columns}
        assert [i.name for i in onnx.inputs] == list(feeds)
        labels = session.run(["label"], feeds)[0]
        assert list(labels) == list(run.model.predict(head))


def test_a_refused_tune_removes_the_table_it_uploaded(shared_service, breast_cancer_csv):
    name = f"typo-{uuid.uuid4().hex}.csv"
    with tuneforge.Client(shared_service.url) as api:
        # when tune is refused for a misspelt target
        with pytest.raises(tuneforge.ValidationError) as refused:
            api.tune(breast_cancer_csv, "targte", name=name, estimator="knn", n_trials=2)
        # then the error names the field, as submit's does
        assert "target" in refused.value.errors and "targte" in str(refused.value)
        # and the table uploaded for the call is gone, which the error's note says
        notes = " ".join(getattr(refused.value, "__notes__", []))
        removed = re.search(r"the upload (\S+) made for this call was removed", notes)
        assert removed, notes
        with pytest.raises(tuneforge.NotFound):
            api.dataset(removed[1])
        assert name not in {d.name for d in api.datasets()}


def test_delete_dataset_is_refused_while_a_job_uses_it(shared_service, breast_cancer_csv):
    with tuneforge.Client(shared_service.url) as api:
        # given a table a long search is running on
        dataset = api.upload(breast_cancer_csv, name="in-use.csv")
        job = api.submit(dataset_id=dataset.id, target="target", estimator="svm", n_trials=200)
        # then deleting it is a Conflict naming the job, and the table stays
        with pytest.raises(tuneforge.Conflict) as busy:
            api.delete_dataset(dataset.id)
        assert job.id in busy.value.detail
        assert api.dataset(dataset.id).id == dataset.id
        # when the job is cancelled, it still names it; with cascade, both are deleted
        api.cancel(job.id)
        assert api.wait(job.id, timeout=60, poll=0.2).status == "cancelled"
        with pytest.raises(tuneforge.Conflict) as made_from:
            api.delete_dataset(dataset.id)
        assert job.id in made_from.value.detail and "cascade" in made_from.value.errors
        api.delete_dataset(dataset.id, cascade=True)
        with pytest.raises(tuneforge.NotFound):
            api.dataset(dataset.id)
        with pytest.raises(tuneforge.NotFound):
            api.job(job.id)
        with pytest.raises(tuneforge.NotFound):
            api.delete_dataset(dataset.id)


def test_every_problem_raises_its_typed_exception(shared_service, breast_cancer_csv):
    with tuneforge.Client(shared_service.url) as api:
        dataset = api.upload(breast_cancer_csv)

        # an unknown job is NotFound
        with pytest.raises(tuneforge.NotFound) as missing:
            api.job("job_does_not_exist")
        assert missing.value.status == 404 and missing.value.detail

        # a typo in an enum, or in the target, is a ValidationError naming the field
        with pytest.raises(tuneforge.ValidationError) as enum:
            api.submit(dataset_id=dataset.id, target="target", estimator="knn", strategy="rnd")
        assert enum.value.status == 422 and set(enum.value.errors) == {"strategy"}
        assert "strategy: Must be one of" in str(enum.value)
        with pytest.raises(tuneforge.ValidationError) as typo:
            api.submit(dataset_id=dataset.id, target="targte", estimator="knn")
        assert "target" in typo.value.errors and "targte" in str(typo.value)

        # a page size past the limit is a ValidationError about `limit`
        with pytest.raises(tuneforge.ValidationError) as page:
            list(api.jobs(page_size=1000))
        assert "limit" in page.value.errors

        # a job that runs longer than the wait raises WaitTimeout with its last state
        job = api.submit(dataset_id=dataset.id, target="target", estimator="svm", n_trials=200)
        with pytest.raises(tuneforge.WaitTimeout) as slow:
            api.wait(job.id, timeout=0.5, poll=0.1)
        assert slow.value.job.id == job.id and slow.value.job.status in {"queued", "running"}

        # a result before success is a Conflict, and so is cancelling twice
        with pytest.raises(tuneforge.Conflict) as early:
            api.result(job.id)
        assert early.value.status == 409
        assert api.cancel(job.id).status in {"cancelled", "running"}
        ended = api.wait(job.id, timeout=60, poll=0.2)
        assert ended.status == "cancelled"
        with pytest.raises(tuneforge.Conflict):
            api.cancel(job.id)
        if ended.best_score is None:  # cancelled before a trial scored: nothing was refit
            with pytest.raises(tuneforge.ProblemError):
                api.download_model(job.id)
        else:  # its best so far was refit when it was cancelled (wait waited for it)
            assert api.result(job.id).best_score == ended.best_score
    with pytest.raises(tuneforge.Unreachable):
        tuneforge.Client("http://127.0.0.1:9", timeout=2).job(job.id)


# A script as the README's SDK section suggests writing one: the objects each call
# returned, a DataFrame, cv=5 and a scipy.stats distribution, as for RandomizedSearchCV.
NATURAL_SCRIPT = """
import json

from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer

import tuneforge

table = load_breast_cancer(as_frame=True).frame
with tuneforge.Client() as api:  # $TUNEFORGE_API
    dataset = api.upload(table)
    job = api.submit(
        dataset_id=dataset,
        target="target",
        estimator="logistic_regression",
        param_space={"C": loguniform(1e-3, 1e2)},
        n_trials=4,
        cv=5,
    )
    job = api.wait(job, timeout=300)
    result = api.result(job)
    trials = list(api.trials(job, sort="-mean_score"))
    model = api.load_model(job)
    print(json.dumps({
        "dataset": [dataset.name, dataset.n_rows, dataset.n_columns],
        "status": job.status,
        "folds": job.spec.cv.folds,
        "space": job.spec.param_space["C"].to_dict(),
        "best_params": result.best_params,
        "best_trial": dict(next(t for t in trials if t.number == result.best_trial).params),
        "predicted": model.predict(table.drop(columns="target")).tolist(),
        "target": table["target"].tolist(),
    }))
"""


def test_a_script_written_as_people_write_it_runs_end_to_end(shared_service, tmp_path):
    # given the script, pointed at the live service
    script = tmp_path / "natural.py"
    script.write_text(NATURAL_SCRIPT)
    env = {**os.environ, "TUNEFORGE_API": shared_service.url, "PYTHONPATH": str(SDK)}
    # when it runs
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=600
    )
    # then the search ran as written: five folds, C log-uniform on [1e-3, 1e2]
    assert done.returncode == 0, done.stdout + done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["dataset"] == ["dataframe.csv", 569, 31] and out["status"] == "succeeded"
    assert out["folds"] == 5
    assert out["space"] == {"type": "float", "low": 1e-3, "high": 100.0, "log": True}
    assert out["best_params"] == out["best_trial"] and 1e-3 <= out["best_params"]["C"] <= 100
    # and its model predicts the table it was tuned on
    hits = sum(p == t for p, t in zip(out["predicted"], out["target"], strict=True))
    assert hits / len(out["target"]) > 0.9
