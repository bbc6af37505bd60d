"""A job's echoed ``spec`` is a valid submission: sent back unchanged over HTTP, it makes a
job with the same spec. Its derived fields are checked against the data, not ignored."""

from __future__ import annotations

import pytest

SPECS = {
    "grid over the default space": {"estimator": "svm", "strategy": "grid"},
    "grid over given values": {
        "estimator": "decision_tree",
        "strategy": "grid",
        "param_space": {"max_depth": [2, 4, None], "min_samples_leaf": [1, 5]},
    },
    "random with exclusions and a webhook": {
        "estimator": "svm",
        "strategy": "random",
        "exclude_columns": ["mean texture"],
        "webhook_url": "https://example.com/hooks/tuneforge",
        "n_trials": 7,
    },
    "bayesian over log floats and ints": {
        "estimator": "random_forest",
        "strategy": "bayesian",
        "param_space": {
            "max_features": {"type": "float", "low": 0.05, "high": 1.0, "log": True},
            "n_estimators": {"type": "int", "low": 10, "high": 200, "log": True},
            "min_samples_leaf": {"type": "int", "low": 1, "high": 20},
        },
        "pruning": True,
    },
    "halving over rows": {"estimator": "random_forest", "strategy": "halving"},
    "halving over a budget": {
        "estimator": "random_forest",
        "strategy": "halving",
        "halving": {"resource": "n_estimators", "factor": 2},
    },
    "the default space": {"estimator": "logistic_regression"},
    "auto over every family": {"estimator": "auto", "strategy": "bayesian"},
    "auto on a grid over given families": {
        "estimator": "auto",
        "strategy": "grid",
        "param_space": {"ridge.alpha": [0.1, 1.0], "knn.n_neighbors": [3, 5]},
    },
    "a held-out test set and several scorers": {
        "estimator": "knn",
        "test_size": 0.3,
        "scoring": ["accuracy", "roc_auc", "f1"],
        "refit": "roc_auc",
    },
    "a holdout split": {"estimator": "knn", "cv": {"kind": "holdout", "validation_size": 0.25}},
    "group folds and no test set": {
        "estimator": "knn",
        "test_size": 0,
        "cv": {"kind": "group", "group_column": "mean radius", "folds": 3},
    },
}


@pytest.fixture
def dataset_id(client, breast_cancer) -> str:
    table = breast_cancer.iloc[:, [0, 1, 2, 3, -1]]
    response = client.post(
        "/v1/datasets?name=bc", data=table.to_csv(index=False).encode(), content_type="text/csv"
    )
    assert response.status_code == 201, response.json
    return response.json["id"]


def submitted(client, spec: dict) -> dict:
    response = client.post("/v1/jobs", json=spec)
    assert response.status_code == 202, response.json
    return response.json


@pytest.mark.parametrize("extra", SPECS.values(), ids=SPECS.keys())
def test_a_jobs_spec_submitted_again_makes_a_job_with_the_same_spec(client, dataset_id, extra):
    original = submitted(client, {"dataset_id": dataset_id, "target": "target", **extra})
    echoed = client.get(f"/v1/jobs/{original['id']}").json["spec"]
    again = submitted(client, echoed)
    assert again["id"] != original["id"]
    assert client.get(f"/v1/jobs/{again['id']}").json["spec"] == echoed == original["spec"]


@pytest.fixture
def echoed(client, dataset_id) -> dict:
    spec = {"dataset_id": dataset_id, "target": "target", "estimator": "knn", "scoring": "f1"}
    return submitted(client, {**spec, "test_size": 0.25})["spec"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"n_classes": 3}, "n_classes"),
        ({"n_classes": None}, "n_classes"),
        ({"n_classes": 1}, "n_classes"),
        ({"task": "regression", "scoring": "r2", "metrics": ["r2"]}, "n_classes"),
        ({"metrics": ["accuracy"]}, "metrics"),
        ({"scoring": ["accuracy"], "metrics": ["f1"]}, "metrics"),
        ({"metrics": ["f1", "r2"]}, "scoring"),
        ({"metrics": ["f1", "nonsense"]}, "metrics.1"),
        ({"metrics": []}, "metrics"),
        ({"refit": "accuracy", "metrics": ["f1", "accuracy"]}, "refit"),
        ({"cv": {"kind": "kfold", "folds": 1}}, "cv.folds"),
        ({"halving": {"factor": 3}}, "halving"),
    ],
)
def test_an_edited_spec_whose_derived_fields_disagree_is_422_naming_the_field(
    client, echoed, change, field
):
    response = client.post("/v1/jobs", json={**echoed, **change})
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert field in response.json["errors"], response.json


def test_an_echoed_spec_may_report_more_metrics_than_it_ranks_by(client, echoed):
    spec = {**echoed, "metrics": ["f1", "accuracy"]}
    assert submitted(client, spec)["spec"]["metrics"] == ["f1", "accuracy"]
    without_scoring = {k: v for k, v in echoed.items() if k != "scoring"}
    listed = submitted(client, {**without_scoring, "metrics": ["accuracy", "f1"]})
    assert listed["spec"]["scoring"] == "accuracy"
    assert listed["spec"]["metrics"] == ["accuracy", "f1"]
