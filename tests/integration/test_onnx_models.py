"""The ONNX model over HTTP, through a real worker: a finished job's ``?format=onnx`` runs in
ONNX Runtime with one named input per column and predicts like the joblib model; a job
whose pipeline did not convert answers 409 saying why. On SQLite and local files, and on
PostgreSQL, S3 and Redis."""

from __future__ import annotations

import hashlib
import io

import joblib
import numpy as np
import onnxruntime
import pandas as pd
import pytest
import tuneforge

from models.engine.onnx_export import onnx_inputs
from tests.integration.conftest import SHARED, backends

pytestmark = pytest.mark.integration


def mixed_csv(n: int = 300) -> bytes:
    """Numbers with gaps, text with gaps, booleans, a column name that is not a word."""
    rng = np.random.default_rng(3)
    gaps = rng.random((n, 3)) < 0.1
    frame = pd.DataFrame(
        {
            "age": np.where(gaps[:, 0], np.nan, rng.integers(18, 80, n)),
            "plan": pd.Series(rng.choice(["basic", "plus", "pro"], n)).mask(gaps[:, 1]),
            "region": pd.Series([f"r{int(i) % 30}" for i in rng.zipf(1.5, n)]).mask(gaps[:, 2]),
            "member": rng.random(n) > 0.5,
            "monthly spend (€)": np.round(rng.gamma(2.0, 20.0, n), 2),
        }
    )
    score = (
        frame["age"].fillna(40) / 20
        + (frame["plan"] == "pro") * 2
        + frame["monthly spend (€)"] / 30
        + rng.normal(0, 0.3, n)
    )
    frame["churned"] = np.where(score > score.median(), "yes", "no")
    frame["spend_next"] = np.round(score * 10, 3)
    return frame.to_csv(index=False).encode()


@backends(*SHARED)
def test_a_jobs_onnx_file_runs_with_one_named_input_per_column_like_the_joblib_model(
    shared_service,
):
    svc = shared_service
    csv = mixed_csv()
    dataset = svc.upload(csv, "customers.csv")
    # given a finished classification job on a table of numbers, text and booleans
    job = svc.submit(
        dataset_id=dataset["id"],
        target="churned",
        estimator="hist_gradient_boosting",
        exclude_columns=["spend_next"],
        n_trials=2,
    )
    done = svc.wait_for(job["id"], timeout=300)
    assert done["status"] == "succeeded", done
    model_info = svc.get(f"/v1/jobs/{job['id']}/result").json()["model"]
    onnx = model_info["onnx"]
    # then its result describes an ONNX file checked on the job's test rows
    assert onnx["available"] is True, onnx
    assert onnx["check"]["passed"] and onnx["check"]["labels_equal"]
    assert onnx["check"]["source"] == "test" and onnx["check"]["rows"] > 0
    columns = model_info["feature_columns"]
    assert [i["name"] for i in onnx["inputs"]] == columns
    # when it is downloaded
    response = svc.get(f"/v1/jobs/{job['id']}/model?format=onnx")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert f"{job['id']}.onnx" in response.headers["Content-Disposition"]
    assert hashlib.sha256(response.content).hexdigest() == onnx["sha256"]
    assert response.headers["X-Content-SHA256"] == onnx["sha256"]
    # then ONNX Runtime runs it with one input per column, named after it
    session = onnxruntime.InferenceSession(response.content, providers=["CPUExecutionProvider"])
    inputs = {i.name: i.type for i in session.get_inputs()}
    assert inputs == {
        "age": "tensor(double)",
        "plan": "tensor(string)",
        "region": "tensor(string)",
        "member": "tensor(string)",
        "monthly spend (€)": "tensor(double)",
    }
    # and it predicts the table's rows like the joblib model
    model = joblib.load(io.BytesIO(svc.get(f"/v1/jobs/{job['id']}/model").content))
    rows = pd.read_csv(io.BytesIO(csv))[columns]
    labels = session.run(["label"], onnx_inputs(rows, onnx["inputs"]))[0]
    assert list(labels) == list(model.predict(rows))
    # also fed by hand: a row as plain strings and floats
    feeds = {
        "age": np.array([[35.0]]),
        "plan": np.array([["pro"]]),
        "region": np.array([[""]]),  # missing
        "member": np.array([["True"]]),
        "monthly spend (€)": np.array([[80.0]]),
    }
    by_hand = pd.DataFrame(
        {"age": [35.0], "plan": ["pro"], "region": [np.nan], "member": [True]}
        | {"monthly spend (€)": [80.0]}
    )
    assert list(session.run(["label"], feeds)[0]) == list(model.predict(by_hand))
    # and the SDK loads it as an ONNX Runtime session
    with tuneforge.Client(svc.url) as api:
        loaded = api.load_model(job["id"], format="onnx")
    assert list(loaded.run(["label"], feeds)[0]) == list(model.predict(by_hand))


@backends(*SHARED)
def test_a_job_whose_pipeline_does_not_convert_answers_409_saying_why(shared_service, tmp_path):
    svc = shared_service
    rng = np.random.default_rng(0)
    noise = pd.DataFrame({f"x{i}": rng.normal(size=300) for i in range(4)})
    noise["y"] = rng.normal(size=300) * 300
    dataset = svc.upload(noise.to_csv(index=False).encode(), "noise.csv")
    # given a finished job whose SVR (a huge C, fitted to noise around 0) predicts a sum of
    # large terms that cancel, which ONNX's float32 cannot add up closely enough: the graph
    # converts, but the check at export fails
    job = svc.submit(
        dataset_id=dataset["id"],
        target="y",
        estimator="svm",
        n_trials=1,
        param_space={"kernel": ["rbf"], "C": [100000.0], "gamma": [0.5]},
    )
    done = svc.wait_for(job["id"], timeout=300)
    # then the job succeeded all the same, and its other formats download
    assert done["status"] == "succeeded", done
    onnx = svc.get(f"/v1/jobs/{job['id']}/result").json()["model"]["onnx"]
    assert onnx["available"] is False
    assert "differ from scikit-learn's" in onnx["reason"]
    assert svc.get(f"/v1/jobs/{job['id']}/model?format=skops").status_code == 200
    # but ?format=onnx is a 409 problem naming the field and the reason
    response = svc.get(f"/v1/jobs/{job['id']}/model?format=onnx")
    assert response.status_code == 409
    assert response.headers["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert "has no onnx file" in problem["detail"]
    assert "differ from scikit-learn's" in problem["detail"]
    assert "format" in problem["errors"]
    # and the SDK's download raises the conflict, with the reason
    with tuneforge.Client(svc.url) as api, pytest.raises(tuneforge.Conflict, match="differ"):
        api.download_model(job["id"], tmp_path / "m.onnx", format="onnx")
    assert not list(tmp_path.iterdir())
