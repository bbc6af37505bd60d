"""``estimator: "auto"`` through the real API and worker: the family chosen, how each
family did, the model, and a space naming an unknown family refused naming the field."""

from __future__ import annotations

import pytest
import tuneforge

pytestmark = pytest.mark.integration

SPACE = {
    "estimator": ["logistic_regression", "random_forest"],
    "logistic_regression.C": {"type": "float", "low": 0.01, "high": 10, "log": True},
    "random_forest.n_estimators": [10, 20],
    "random_forest.max_depth": [2, 4],
}


def test_an_auto_job_returns_the_family_it_chose(shared_service, breast_cancer_csv):
    dataset = shared_service.upload(breast_cancer_csv)
    # when an auto job runs over two families
    job = shared_service.submit(
        dataset_id=dataset["id"], target="target", estimator="auto", param_space=SPACE,
        n_trials=4, strategy="bayesian", cv=3,
    )  # fmt: skip
    assert shared_service.wait_for(job["id"])["status"] == "succeeded"
    # then each family ran first with its defaults, in order
    trials = sorted(shared_service.trials(job["id"]), key=lambda t: t["number"])
    assert [t["params"]["estimator"] for t in trials[:2]] == SPACE["estimator"]
    assert trials[1]["params"]["random_forest.max_depth"] in (2, 4)
    # and an auto job's trials can be listed by family (an unknown one is a 422)
    listed = shared_service.get(f"/v1/jobs/{job['id']}/trials?estimator=random_forest").json()
    assert [t["number"] for t in listed["items"]] == [
        t["number"] for t in trials if t["params"]["estimator"] == "random_forest"
    ]
    with tuneforge.Client(shared_service.url) as api:
        by_sdk = [t.number for t in api.trials(job["id"], estimator="random_forest")]
    assert by_sdk == [t["number"] for t in listed["items"]]
    refused = shared_service.get(f"/v1/jobs/{job['id']}/trials?estimator=forest")
    assert refused.status_code == 422 and "estimator" in refused.json()["errors"]
    # and the result names the family chosen and how each did
    result = shared_service.get(f"/v1/jobs/{job['id']}/result").json()
    assert result["estimator"] == result["best_params"]["estimator"]
    families = {f["estimator"]: f for f in result["families"]}
    assert list(families) == SPACE["estimator"]
    assert sum(f["n_trials"] for f in families.values()) == 4
    assert families[result["estimator"]]["best_score"] == result["best_score"]
    # and the model is the chosen family's pipeline, exported to ONNX as any other
    assert result["model"]["onnx"]["available"], result["model"]["onnx"]
    onnx = shared_service.get(f"/v1/jobs/{job['id']}/model?format=onnx")
    assert onnx.status_code == 200 and onnx.content
    # and the model is the chosen family's pipeline, which the card names
    card = shared_service.get(f"/v1/jobs/{job['id']}/card").json()
    assert card["model"]["estimator"] == result["estimator"]


def test_an_auto_space_naming_an_unknown_family_is_refused(shared_service, breast_cancer_csv):
    dataset = shared_service.upload(breast_cancer_csv)
    response = shared_service.post(
        "/v1/jobs",
        json={
            "dataset_id": dataset["id"], "target": "target", "estimator": "auto",
            "param_space": {"boosted_forest.max_depth": [2, 4]},
        },
    )  # fmt: skip
    assert response.status_code == 422
    assert "param_space.boosted_forest.max_depth" in response.json()["errors"]
