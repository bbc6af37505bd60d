"""LightGBM and XGBoost through the real API and worker: a job of each with the defaults
(their default space, a text target for the classifier) runs to a model whose joblib,
skops and ONNX files all predict alike. On the embedded default only."""

from __future__ import annotations

import io

import joblib
import numpy as np
import onnxruntime
import pandas as pd
import pytest
import skops.io

from models.engine.onnx_export import onnx_inputs
from tests.integration.test_onnx_models import mixed_csv

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("estimator", "target", "other"),
    [("lightgbm", "churned", "spend_next"), ("xgboost", "spend_next", "churned")],
)
def test_a_boosting_library_job_with_the_defaults_runs_to_a_model(
    shared_service, estimator, target, other
):
    svc = shared_service
    csv = mixed_csv()
    dataset = svc.upload(csv, f"{estimator}.csv")
    # given a job with nothing but the estimator (its default space) and two trials
    job = svc.submit(
        dataset_id=dataset["id"],
        target=target,
        estimator=estimator,
        exclude_columns=[other],
        n_trials=2,
    )
    # when it runs
    done = svc.wait_for(job["id"], timeout=300)
    # then it succeeds with a model of the library, searched over its default space
    assert done["status"] == "succeeded", done
    result = svc.get(f"/v1/jobs/{job['id']}/result").json()
    assert result["n_trials"] == 2 and result["best_params"]
    default = svc.get("/v1/estimators").json()["items"]
    space = next(e for e in default if e["name"] == estimator)["default_space"]
    assert set(result["best_params"]) == set(space[done["spec"]["task"]])
    assert estimator in result["model"]["versions"]
    # and the joblib, skops and ONNX files predict the table's rows alike
    rows = pd.read_csv(io.BytesIO(csv))[result["model"]["feature_columns"]]
    model = joblib.load(io.BytesIO(svc.get(f"/v1/jobs/{job['id']}/model").content))
    predicted = model.predict(rows)
    skops_bytes = svc.get(f"/v1/jobs/{job['id']}/model?format=skops").content
    trusted = result["model"]["skops"]["trusted_types"]
    np.testing.assert_array_equal(
        skops.io.loads(skops_bytes, trusted=trusted).predict(rows), predicted
    )
    onnx = result["model"]["onnx"]
    assert onnx["available"] is True, onnx
    session = onnxruntime.InferenceSession(
        svc.get(f"/v1/jobs/{job['id']}/model?format=onnx").content,
        providers=["CPUExecutionProvider"],
    )
    got = session.run(None, onnx_inputs(rows, onnx["inputs"]))[0].ravel()
    if target == "churned":
        assert set(predicted) <= {"yes", "no"} and list(got) == list(predicted)
    else:
        np.testing.assert_allclose(got, predicted, rtol=1e-4, atol=1e-4)
