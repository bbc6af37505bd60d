"""A job's model card: built from what the job recorded, served as JSON or Markdown.

Jobs run in this process with the worker's code (``service().run_to_end``).
"""

from __future__ import annotations

import pytest

from models.documents.model_card import ModelCardSchema, render_markdown
from models.store.artifacts import library_versions

PROBLEM = "application/problem+json"
# Three numbers (one with missing cells), a category, an id-like text column, the target.
ROWS = 60


def table() -> bytes:
    lines = ["a,b,c,colour,ref,y"]
    for i in range(ROWS):
        c = "" if i % 7 == 0 else str(i % 5)
        lines.append(f"{i % 11},{(i * 3) % 13},{c},{'rgb'[i % 3]},r{i:04d},{i % 2}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def finished(client, app) -> dict:
    from api.services import service

    uploaded = client.post("/v1/datasets?name=t.csv", data=table(), content_type="text/csv")
    assert uploaded.status_code == 201, uploaded.json
    spec = {
        "dataset_id": uploaded.json["id"],
        "target": "y",
        "estimator": "knn",
        "n_trials": 2,
        "cv": {"folds": 3},
        "exclude_columns": ["b"],
        "name": "carded",
    }
    job = client.post("/v1/jobs", json=spec).json
    with app.app_context():
        assert service().run_to_end(job["id"], "test") == "succeeded"
    return job


def test_the_card_says_what_was_trained_on_what_and_how_well(client, finished):
    # when a finished job's card is asked for
    response = client.get(f"/v1/jobs/{finished['id']}/card")
    # then it is JSON, as the published schema describes it
    assert response.status_code == 200 and response.mimetype == "application/json"
    card = response.json
    assert ModelCardSchema().validate(card) == {}
    result = client.get(f"/v1/jobs/{finished['id']}/result").json
    # the data and each column's treatment
    assert card["data"]["dataset_name"] == "t.csv" and card["data"]["n_rows"] == ROWS
    assert card["data"]["n_train_rows"] == result["n_train_rows"]
    by_name = {c["name"]: c for c in card["columns"]}
    assert by_name["y"]["role"] == "target" and not by_name["y"]["used"]
    assert by_name["a"]["kind"] == "numeric" and by_name["a"]["scaled"] is True
    assert by_name["c"]["imputation"] == "the training rows' median"
    assert by_name["colour"]["kind"] == "categorical" and by_name["colour"]["encoding"] == "one-hot"
    assert by_name["ref"]["used"] is False and "identifier" in by_name["ref"]["reason"]
    assert by_name["b"]["role"] == "excluded" and not by_name["b"]["used"]
    # the evaluation: the best trial's folds, their mean and spread, the test score
    ev = card["evaluation"]
    assert ev["cv"] == {"kind": "stratified", "folds": 3, "shuffle": True, "group_column": None}
    assert len(ev["fold_scores"]) == 3
    assert ev["cv_score"] == pytest.approx(sum(ev["fold_scores"]) / 3)
    assert ev["cv_std"] == result["scores"][result["scoring"]]["cv_std"]
    assert ev["test_score"] == result["test_score"]
    assert card["best_params"] == result["best_params"]
    assert card["search"]["n_trials"] == 2 and card["search"]["n_failed_trials"] == 0
    assert card["search"]["duration_s"] is not None and card["search"]["trial_seconds"] > 0
    assert card["library_versions"]["scikit-learn"] == library_versions()["scikit-learn"]
    # and sentences on its use and limits, from those facts
    assert any("Trained on" in s and "t.csv" in s for s in card["intended_use"])
    assert any("ref" in s for s in card["limitations"])  # a column it does not use
    assert any("classes" in s for s in card["limitations"])


def test_the_card_is_markdown_for_accept_text_markdown(client, finished):
    url = f"/v1/jobs/{finished['id']}/card"
    response = client.get(url, headers={"Accept": "text/markdown"})
    assert response.status_code == 200 and response.mimetype == "text/markdown"
    text = response.get_data(as_text=True)
    assert text.startswith("# Model card: carded")
    for heading in (
        "## Intended use",
        "## Limitations",
        "## Columns",
        "## Evaluation",
        "## Best parameters",
        "## Library versions",
        "## Warnings",
    ):
        assert heading in text
    assert text == render_markdown(client.get(url).json)
    # JSON stays the answer for a client that prefers it, or takes anything
    for accept in ("application/json", "*/*", "application/json, text/markdown;q=0.5"):
        assert client.get(url, headers={"Accept": accept}).mimetype == "application/json"


def test_a_card_is_409_until_there_is_a_result_and_404_for_no_job(client):
    uploaded = client.post("/v1/datasets", data=table(), content_type="text/csv").json
    job = client.post(
        "/v1/jobs", json={"dataset_id": uploaded["id"], "target": "y", "estimator": "knn"}
    ).json
    queued = client.get(f"/v1/jobs/{job['id']}/card")
    assert queued.status_code == 409 and queued.content_type == PROBLEM
    missing = client.get("/v1/jobs/job_nope/card")
    assert missing.status_code == 404 and missing.content_type == PROBLEM


def test_delete_routes_answer_problems_naming_the_field(client, finished):
    # an unknown job is a 404; a finished one is deleted (204), then unknown everywhere
    assert client.delete("/v1/jobs/job_nope").status_code == 404
    job_id = finished["id"]
    dataset_id = finished["dataset_id"]
    # a dataset with jobs: 409 naming them; cascade must be a boolean
    refused = client.delete(f"/v1/datasets/{dataset_id}")
    assert refused.status_code == 409 and job_id in refused.json["detail"]
    assert "cascade" in refused.json["errors"]
    bad = client.delete(f"/v1/datasets/{dataset_id}?cascade=maybe")
    assert bad.status_code == 422 and "cascade" in bad.json["errors"]
    assert client.delete(f"/v1/jobs/{job_id}").status_code == 204
    for path in ("", "/result", "/model", "/trials", "/card"):
        gone = client.get(f"/v1/jobs/{job_id}{path}")
        assert gone.status_code == 404 and gone.content_type == PROBLEM, path
    assert client.delete(f"/v1/jobs/{job_id}").status_code == 404
    # with its last job gone, the dataset deletes without cascade
    assert client.delete(f"/v1/datasets/{dataset_id}").status_code == 204


def test_a_card_without_its_dataset_keeps_what_the_job_recorded_and_names_a_leak():
    from types import SimpleNamespace

    from models.documents.model_card import model_card

    # given a regression job whose dataset is gone, grouped folds, and a possible leak
    job = SimpleNamespace(
        id="job_1", name=None, dataset_id="ds_1", dataset_name="old.csv",
        stopped_reason="completed", started_at=None, finished_at=None,
        spec={"target": "price", "task": "regression", "estimator": "ridge",
              "strategy": "grid", "test_size": 0.0,
              "cv": {"kind": "group", "folds": 4, "shuffle": False, "group_column": "shop"}},
        warnings=[{"code": "possible_leak", "message": "m", "column": "price_eur"}],
        result={"scoring": "r2", "best_score": 0.9, "best_params": {"alpha": None},
                "best_trial": 3, "test_score": None, "scores": {},
                "n_trials": 5, "n_failed_trials": 1, "n_pruned_trials": 0,
                "n_train_rows": 100, "n_test_rows": 0, "dropped_target_rows": 2,
                "columns": [{"column": "price_eur", "treatment": "numeric", "reason": "r"}],
                "model": {"sklearn_version": "1.0", "joblib_version": "1.1"}},
    )  # fmt: skip
    # when its card is built with no dataset row
    card = model_card(job, None, None, None, None)
    # then the data is what the job kept, and the card says what is not known
    assert ModelCardSchema().validate(card) == {}
    assert card["data"]["dataset_name"] == "old.csv" and card["data"]["n_rows"] is None
    assert card["library_versions"] == {"scikit-learn": "1.0", "joblib": "1.1"}
    roles = {c["name"]: c["role"] for c in card["columns"]}
    assert roles == {"price": "target", "shop": "group", "price_eur": "feature"}
    assert any("Possible leak: price_eur" in s for s in card["limitations"])
    assert any("No rows were held out" in s for s in card["limitations"])
    assert any("2 row(s) without a target" in s for s in card["limitations"])
    assert "4-fold group k-fold" in " ".join(card["intended_use"])
    assert "| alpha | null |" in render_markdown(card)
