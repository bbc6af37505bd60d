"""The HTTP layer through Flask's test client, on a real SQLite file and storage folder.

No worker runs here: these tests cover parsing, validation, errors and pagination.
The async path is covered by tests/integration with live processes.
"""

from __future__ import annotations

import io
import os
import signal

import joblib
import pandas as pd
import pytest
import skops.io

from models.settings import Settings
from models.store.migrate import upgrade

PROBLEM = "application/problem+json"


def upload_csv(client, text: str, name: str = "t") -> dict:
    response = client.post(f"/v1/datasets?name={name}", data=text.encode(), content_type="text/csv")
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def dataset(client) -> dict:
    rows = "\n".join(f"{i},{'ab'[i % 2]},{i % 2}" for i in range(40))
    return upload_csv(client, "x,s,y\n" + rows + "\n")


def assert_problem(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status
    assert response.content_type == PROBLEM
    body = response.json
    assert body["status"] == status and body["title"] and body["detail"]
    if field is not None:
        assert field in body["errors"], body
    return body


def test_multipart_upload_answers_201_with_location_and_profile(client, breast_cancer_csv):
    response = client.post(
        "/v1/datasets", data={"file": (io.BytesIO(breast_cancer_csv), "breast_cancer.csv")}
    )
    assert response.status_code == 201
    body = response.json
    assert response.headers["Location"] == f"/v1/datasets/{body['id']}"
    assert (body["n_rows"], body["n_columns"]) == (569, 31)
    assert body["name"] == "breast_cancer.csv" and body["size_bytes"] == len(breast_cancer_csv)
    assert body["columns"][-1] == {
        "name": "target",
        "dtype": "integer",
        "n_missing": 0,
        "n_unique": 2,
        "target_task": "classification",
        "target_scoring": "roc_auc",
    }
    assert client.get(response.headers["Location"]).json == body


def test_raw_csv_upload_takes_its_name_from_the_query(client):
    body = upload_csv(client, "a,b\n1,x\n2,y\n", name="tiny")
    assert body["name"] == "tiny" and body["columns"][1]["dtype"] == "string"


@pytest.mark.parametrize("media_type", ["application/octet-stream", "text/csv", "application/csv"])
def test_a_raw_upload_is_read_as_csv_under_the_documented_type_and_the_csv_types(
    client, media_type
):
    # given a raw body sent as openapi.yaml documents it (octet-stream) or as CSV
    response = client.post(
        "/v1/datasets?name=raw", data=b"a,b\n1,x\n2,y\n", content_type=media_type
    )
    # then it is the same table
    assert response.status_code == 201, response.json
    assert (response.json["name"], response.json["n_rows"]) == ("raw", 2)
    assert response.json["columns"][1]["dtype"] == "string"


def test_upload_without_file_field_names_the_field(client):
    response = client.post("/v1/datasets", data={"name": "x"}, content_type="multipart/form-data")
    assert_problem(response, 422, "file")


def test_upload_of_unsupported_media_type_is_415(client):
    assert_problem(client.post("/v1/datasets", json={"a": 1}), 415)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a,b\n1,2\n3,4,5,6\n", "malformed"),
        ("", "empty"),
        ("a,b\n", "no data rows"),
    ],
)
def test_unreadable_csv_is_422_with_the_reason(client, text, reason):
    body = assert_problem(
        client.post("/v1/datasets", data=text.encode(), content_type="text/csv"), 422, "file"
    )
    assert reason in body["detail"]


def test_upload_over_the_size_limit_is_413_and_keeps_nothing(tmp_path):
    from api import create_app

    settings = Settings(data_dir=tmp_path / "var", max_upload_mb=1)
    upgrade(settings.database_url)
    client = create_app(settings).test_client()
    big = b"a,b\n" + b"1,2\n" * 400_000
    assert_problem(client.post("/v1/datasets", data=big, content_type="text/csv"), 413)
    assert client.get("/v1/datasets").json["items"] == []
    assert not any((settings.data_dir / "artifacts" / "datasets").glob("*.csv"))


def test_rejected_upload_leaves_no_file(client, settings):
    client.post("/v1/datasets", data=b"a,b\n1,2\n3,4,5\n", content_type="text/csv")
    assert not any((settings.data_dir / "artifacts" / "datasets").glob("*"))


def test_the_table_is_read_in_a_child_process_whose_death_is_a_422_naming_the_file(
    client, settings, monkeypatch
):
    # given a reader that dies mid-read (as one killed for memory would)
    from models.engine import tables

    readers = []

    def dying_reader(*args, **kwargs):
        readers.append(os.getpid())
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(tables, "load_table", dying_reader)
    # when a table is uploaded
    response = client.post("/v1/datasets", data=b"a,b\n1,2\n", content_type="text/csv")
    # then the API process survives and answers 422 naming the file; nothing is kept
    problem = assert_problem(response, 422)
    assert "file" in problem["errors"] and "killed by SIGKILL" in problem["detail"]
    assert not any((settings.data_dir / "artifacts" / "datasets").glob("*"))
    assert readers == []  # it never ran in this process


def test_unknown_ids_are_404_problems(client):
    assert_problem(client.get("/v1/datasets/ds_nope"), 404)
    assert_problem(client.delete("/v1/datasets/ds_nope"), 404)
    for suffix in ("", "/trials", "/result", "/model"):
        assert_problem(client.get(f"/v1/jobs/job_nope{suffix}"), 404)
    assert_problem(client.post("/v1/jobs/job_nope/cancel"), 404)


def test_unknown_route_and_wrong_method_are_problems(client):
    assert_problem(client.get("/v1/nothing-here"), 404)
    response = client.put("/v1/datasets")
    assert_problem(response, 405)
    assert "POST" in response.headers["Allow"]


def test_datasets_paginate_newest_first(client):
    ids = [upload_csv(client, f"a,b\n{i},1\n2,2\n")["id"] for i in range(5)]
    first = client.get("/v1/datasets?limit=2").json
    assert [d["id"] for d in first["items"]] == ids[::-1][:2]
    second = client.get(first["next"]).json
    third = client.get(second["next"]).json
    assert [d["id"] for d in second["items"] + third["items"]] == ids[::-1][2:]
    assert third["next"] is None


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=x", "cursor=garbage"])
def test_bad_page_arguments_are_422(client, query):
    field = query.split("=")[0]
    assert_problem(client.get(f"/v1/datasets?{query}"), 422, field)


def test_delete_dataset_removes_it(client, dataset, settings):
    assert client.delete(f"/v1/datasets/{dataset['id']}").status_code == 204
    assert_problem(client.get(f"/v1/datasets/{dataset['id']}"), 404)
    assert not any((settings.data_dir / "artifacts" / "datasets").glob("*"))


def test_estimators_list_the_catalog(client):
    items = {e["name"]: e for e in client.get("/v1/estimators").json["items"]}
    assert set(items) >= {
        "logistic_regression",
        "ridge",
        "decision_tree",
        "random_forest",
        "extra_trees",
        "hist_gradient_boosting",
        "svm",
        "knn",
        "lightgbm",
        "xgboost",
    }
    assert items["logistic_regression"]["tasks"] == ["classification"]
    assert (
        items["xgboost"]["tasks"] == items["lightgbm"]["tasks"] == ["classification", "regression"]
    )
    assert items["random_forest"]["tasks"] == ["classification", "regression"]
    assert items["random_forest"]["params"]["regression"]["n_estimators"] == {
        "type": "int",
        "low": 1,
        "high": 2000,
    }
    assert "n_estimators" in items["random_forest"]["default_space"]["classification"]


def test_estimators_list_the_scorers_of_each_task(client):
    # Given the catalog, when a client reads it, then it has each task's scorers, as the
    # spec check allows them: a regression scorer is no classification one.
    scorers = client.get("/v1/estimators").json["scorers"]
    assert set(scorers) == {"classification", "regression"}
    assert scorers["regression"][0] == "r2"
    assert "neg_root_mean_squared_error" in scorers["regression"]
    assert "roc_auc" in scorers["classification"]
    assert not set(scorers["classification"]) & set(scorers["regression"])


def test_each_column_says_the_task_and_scorer_a_search_on_it_takes(client):
    # Given a table with a column of each kind a target can be,
    rows = [
        f"{i * 0.37:.2f},{i},{i % 2},{'abc'[i % 3]},{'yn'[i % 2]},{str(i % 2 == 0).lower()}"
        for i in range(60)
    ]
    body = upload_csv(client, "price,count,bin,three,text_bin,flag\n" + "\n".join(rows) + "\n")
    columns = {c["name"]: c for c in body["columns"]}
    # when each is the target of a search naming no task and no scorer,
    taken = {}
    for name in columns:
        spec = {"dataset_id": body["id"], "target": name, "estimator": "decision_tree"}
        response = submit(client, **spec, n_trials=1, test_size=0)
        assert response.status_code == 202, response.json
        job = response.json["spec"]
        taken[name] = (job["task"], job["scoring"])
    # then the dataset document said so for each: the dashboard's form reads it there.
    said = {name: (c["target_task"], c["target_scoring"]) for name, c in columns.items()}
    assert said == taken
    assert said == {
        "price": ("regression", "r2"),
        "count": ("regression", "r2"),
        "bin": ("classification", "roc_auc"),
        "three": ("classification", "balanced_accuracy"),
        "text_bin": ("classification", "roc_auc"),
        "flag": ("classification", "roc_auc"),
    }


def submit(client, **spec):
    return client.post("/v1/jobs", json=spec)


def test_submit_answers_202_with_location_and_queued_job(client, dataset):
    response = submit(
        client,
        dataset_id=dataset["id"],
        target="y",
        estimator="decision_tree",
        strategy="grid",
        param_space={"max_depth": [1, 2, None]},
    )
    assert response.status_code == 202
    job = response.json
    assert response.headers["Location"] == f"/v1/jobs/{job['id']}"
    assert job["status"] == "queued" and job["progress"] == {
        "trials_completed": 0,
        "trials_total": 3,
        "trials_inherited": 0,
        "eta_s": None,
    }
    assert job["spec"]["task"] == "classification" and job["spec"]["scoring"] == "roc_auc"
    assert client.get(f"/v1/jobs/{job['id']}").json["id"] == job["id"]


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"estimator": "gradient_magic"}, "estimator"),
        ({"target": "missing_column"}, "target"),
        (
            {"param_space": {"max_depth": {"type": "int", "low": 0, "high": 3}}},
            "param_space.max_depth",
        ),
        ({"param_space": {"not_a_param": [1, 2]}}, "param_space.not_a_param"),
        (
            {"param_space": {"max_depth": {"type": "float", "low": 1, "high": 3}}},
            "param_space.max_depth",
        ),
        (
            {
                "strategy": "grid",
                "param_space": {"min_samples_leaf": {"type": "int", "low": 1, "high": 1001}},
            },
            "param_space.min_samples_leaf",
        ),
        ({"strategy": "annealing"}, "strategy"),
        ({"scoring": "r2"}, "scoring"),
        ({"cv": {"folds": 1}}, "cv.folds"),
        ({"cv": {"kind": "stratified", "nope": 1}}, "cv.nope"),
        ({"test_size": 1.5}, "test_size"),
        ({"n_trials": 0}, "n_trials"),
        ({"n_trials": 100000}, "n_trials"),
        ({"task": "clustering"}, "task"),
        ({"dataset_id": "ds_unknown"}, "dataset_id"),
        ({"surprise": True}, "surprise"),
        ({"webhook_url": "ftp://example.com/x"}, "webhook_url"),
        ({"webhook_url": "http://[Cae4CcC]:8864?q"}, "webhook_url"),
        ({"webhook_url": "https://example.com/a b"}, "webhook_url"),
        ({"webhook_url": "https://example.com/a\r\nX-Injected: 1"}, "webhook_url"),
        ({"webhook_url": "https://example.com/\udfff"}, "webhook_url"),
    ],
)
def test_invalid_spec_is_422_naming_the_field(client, dataset, spec, field):
    body = {"dataset_id": dataset["id"], "target": "y", "estimator": "decision_tree", **spec}
    assert_problem(submit(client, **body), 422, field)


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"n_trials": 2.5}, "n_trials"),
        ({"timeout_s": 59.9}, "timeout_s"),
        ({"max_parallel": 1.5}, "max_parallel"),
        ({"random_state": 0.5}, "random_state"),
        ({"cv": {"folds": 3.2}}, "cv.folds"),
        ({"n_trials": "2.5"}, "n_trials"),
    ],
)
def test_a_fractional_count_is_422_not_truncated(client, dataset, spec, field):
    body = {"dataset_id": dataset["id"], "target": "y", "estimator": "decision_tree", **spec}
    problem = assert_problem(submit(client, **body), 422, field)
    assert client.get("/v1/jobs").json["items"] == []
    assert "whole number" in str(problem["errors"]) or "valid integer" in str(problem["errors"])


def test_a_whole_count_written_as_a_float_is_that_count(client, dataset):
    body = {"dataset_id": dataset["id"], "target": "y", "estimator": "decision_tree"}
    job = submit(client, **body, n_trials=3.0, cv={"folds": 3.0}).json
    assert (job["spec"]["n_trials"], job["spec"]["cv"]["folds"]) == (3, 3)


def test_cv_may_be_a_number_of_folds(client, dataset):
    body = {"dataset_id": dataset["id"], "target": "y", "estimator": "decision_tree"}
    job = submit(client, **body, cv=4).json
    assert job["spec"]["cv"]["folds"] == 4 and job["spec"]["cv"]["kind"] == "stratified"
    for wrong in (True, "4", [4]):
        assert_problem(submit(client, **body, cv=wrong), 422, "cv")
    assert_problem(submit(client, **body, cv=1), 422, "cv.folds")
    assert_problem(submit(client, **body, cv=2.5), 422, "cv.folds")


def test_a_spec_with_several_mistakes_is_one_422_naming_each(client, dataset):
    body = {"dataset_id": dataset["id"], "target": "y", "estimator": "decision_tree"}
    problem = assert_problem(
        submit(
            client,
            **body | {"estimator": "gradient_magic", "target": "why"},
            n_trials=10**7,
            exclude_columns=["nope"],
        ),
        422,
    )
    assert set(problem["errors"]) == {"estimator", "target", "n_trials", "exclude_columns"}
    assert problem["detail"].startswith("the spec is invalid: ")
    assert all(len(messages) == 1 for messages in problem["errors"].values())


def test_spec_must_be_json(client):
    # a body labelled as another media type is refused as such, not read as no body (422)
    response = client.post("/v1/jobs", data="x", content_type="text/plain")
    assert "text/plain" in assert_problem(response, 415, "Content-Type")["detail"]


def test_result_and_model_of_an_unfinished_job_are_409(client, dataset):
    job = submit(client, dataset_id=dataset["id"], target="y", estimator="knn").json
    for suffix in ("/result", "/model"):
        body = assert_problem(client.get(f"/v1/jobs/{job['id']}{suffix}"), 409)
        assert "queued" in body["detail"]


def test_cancel_a_queued_job_then_again_is_409(client, dataset):
    job = submit(client, dataset_id=dataset["id"], target="y", estimator="knn").json
    cancelled = client.post(f"/v1/jobs/{job['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert cancelled.json["finished_at"] is not None
    assert_problem(client.post(f"/v1/jobs/{job['id']}/cancel"), 409)
    assert_problem(client.get(f"/v1/jobs/{job['id']}/result"), 409)


def test_dataset_in_use_cannot_be_deleted(client, dataset):
    submit(client, dataset_id=dataset["id"], target="y", estimator="knn")
    assert_problem(client.delete(f"/v1/datasets/{dataset['id']}"), 409)


def test_jobs_filter_by_status_and_dataset(client, dataset):
    other = upload_csv(client, "a,y\n1,0\n2,1\n3,0\n4,1\n5,0\n6,1\n")
    a = submit(client, dataset_id=dataset["id"], target="y", estimator="knn").json
    b = submit(client, dataset_id=other["id"], target="y", estimator="knn", cv={"folds": 2}).json
    client.post(f"/v1/jobs/{a['id']}/cancel")
    ids = lambda q: [j["id"] for j in client.get(f"/v1/jobs?{q}").json["items"]]  # noqa: E731
    assert ids("") == [b["id"], a["id"]]
    assert ids("status=cancelled") == [a["id"]]
    assert ids("status=queued") == [b["id"]]
    assert ids(f"dataset_id={other['id']}") == [b["id"]]
    assert_problem(client.get("/v1/jobs?status=bogus"), 422, "status")


def test_submitted_job_is_sent_to_the_broker(client, dataset, settings):
    submit(client, dataset_id=dataset["id"], target="y", estimator="knn")
    assert len(list((settings.broker_dir / "queue").iterdir())) == 1


def test_health_and_readiness(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz").json
    assert ready["checks"] == {"database": "ok", "broker": "ok"}


def test_readiness_fails_when_the_broker_is_unreachable(tmp_path):
    from api import create_app

    settings = Settings(data_dir=tmp_path, broker_url="redis://127.0.0.1:1/0")
    body = assert_problem(create_app(settings).test_client().get("/readyz"), 503)
    assert "broker" in body["detail"]


def test_docs_are_served_from_local_assets(client):
    page = client.get("/docs")
    assert page.status_code == 200 and b"/docs/assets/swagger-ui-bundle.js" in page.data
    asset = client.get("/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000


@pytest.fixture
def keyed_client(tmp_path):
    from api import create_app

    settings = Settings(data_dir=tmp_path / "var", api_keys=("acme:k-acme", "k-default"))
    upgrade(settings.database_url)
    return create_app(settings).test_client()


def test_with_api_keys_a_request_without_a_key_is_401(keyed_client):
    response = keyed_client.get("/v1/datasets")
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert_problem(keyed_client.get("/v1/datasets", headers={"X-API-Key": "wrong"}), 401)
    assert keyed_client.get("/healthz").status_code == 200


@pytest.mark.parametrize("key", ["k\udfff", "tf_\udfff", "k\x00"])
def test_a_key_that_is_not_text_is_a_4xx_not_a_500(keyed_client, key):
    # a lone surrogate or a NUL in the presented key (a caller in the process can send one)
    for headers in ({"Authorization": f"Bearer {key}"}, {"X-API-Key": key}):
        response = keyed_client.get("/v1/datasets", headers=headers)
        assert 400 <= response.status_code < 500, response.data[:300]
        assert response.content_type == "application/problem+json"


def test_api_keys_scope_records_to_their_tenant(keyed_client):
    acme = {"Authorization": "Bearer k-acme"}
    other = {"X-API-Key": "k-default"}
    created = keyed_client.post(
        "/v1/datasets", data=b"a,b\n1,2\n", content_type="text/csv", headers=acme
    ).json
    assert keyed_client.get(f"/v1/datasets/{created['id']}", headers=acme).status_code == 200
    assert_problem(keyed_client.get(f"/v1/datasets/{created['id']}", headers=other), 404)
    assert keyed_client.get("/v1/datasets", headers=other).json["items"] == []


def test_spec_accepts_the_search_engine_options(client, dataset):
    response = submit(
        client,
        dataset_id=dataset["id"],
        target="y",
        estimator="svm",
        strategy="halving",
        halving={"factor": 2, "n_candidates": 4, "min_resources": "exhaust"},
        scoring=["accuracy", "roc_auc"],
        refit="roc_auc",
        exclude_columns=["s"],
        cv={"kind": "holdout", "validation_size": 0.25},
    )
    assert response.status_code == 202, response.json
    spec = response.json["spec"]
    assert spec["scoring"] == "roc_auc" and spec["metrics"] == ["roc_auc", "accuracy"]
    assert spec["halving"]["factor"] == 2 and spec["exclude_columns"] == ["s"]
    assert "degree" in spec["param_space"] and spec["param_space"]["degree"]["when"] == {
        "kernel": ["poly"]
    }


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"scoring": []}, "scoring"),
        ({"scoring": ["accuracy", 3]}, "scoring"),
        ({"scoring": ["accuracy"], "refit": "r2"}, "refit"),
        ({"halving": {"factor": 3}}, "halving"),
        ({"strategy": "halving", "halving": {"factor": 1}}, "halving.factor"),
        ({"strategy": "halving", "halving": {"min_resources": "lots"}}, "halving.min_resources"),
        ({"strategy": "halving", "halving": {"resource": "n_estimators"}}, "halving.resource"),
        ({"pruning": True}, "pruning"),
        ({"cv": {"kind": "group"}}, "cv.group_column"),
        ({"cv": {"kind": "group", "group_column": "nope"}}, "cv.group_column"),
        ({"cv": {"kind": "timeseries", "shuffle": True}}, "cv.shuffle"),
        ({"exclude_columns": ["y"]}, "exclude_columns"),
        ({"exclude_columns": ["nope"]}, "exclude_columns"),
        (
            {
                "param_space": {
                    "max_depth": {
                        "type": "categorical",
                        "choices": [2],
                        "when": {"criterion": ["gini"]},
                    }
                }
            },
            "param_space.max_depth",
        ),
    ],
)
def test_invalid_engine_options_are_422_naming_the_field(client, dataset, spec, field):
    body = {"dataset_id": dataset["id"], "target": "y", "estimator": "decision_tree", **spec}
    assert_problem(submit(client, **body), 422, field)


def test_model_download_has_etag_filename_and_sha_and_honours_if_none_match(client, app, dataset):
    from api.services import service

    job = submit(
        client, dataset_id=dataset["id"], target="y", estimator="knn", n_trials=1, cv={"folds": 2}
    ).json
    with app.app_context():
        assert service().run_to_end(job["id"], "test") == "succeeded"
    response = client.get(f"/v1/jobs/{job['id']}/model")
    sha = client.get(f"/v1/jobs/{job['id']}/result").json["model"]["sha256"]
    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{sha}"'
    assert response.headers["X-Content-SHA256"] == sha
    assert f"{job['id']}.joblib" in response.headers["Content-Disposition"]
    again = client.get(f"/v1/jobs/{job['id']}/model", headers={"If-None-Match": f'"{sha}"'})
    assert again.status_code == 304 and again.data == b""


def test_the_model_downloads_as_skops_which_loads_trusting_the_types_the_result_lists(
    client, app, dataset
):
    from api.services import service

    # given a finished job
    job = submit(
        client, dataset_id=dataset["id"], target="y", estimator="knn", n_trials=1, cv={"folds": 2}
    ).json
    with app.app_context():
        assert service().run_to_end(job["id"], "test") == "succeeded"
    model = client.get(f"/v1/jobs/{job['id']}/result").json["model"]
    # when its model is downloaded in skops' format, and in the default one
    response = client.get(f"/v1/jobs/{job['id']}/model?format=skops")
    pickled = client.get(f"/v1/jobs/{job['id']}/model?format=joblib").data
    # then it is the file the result describes, and loads trusting exactly the listed types
    assert response.status_code == 200
    assert response.headers["X-Content-SHA256"] == model["skops"]["sha256"]
    assert len(response.data) == model["skops"]["size_bytes"]
    assert f"{job['id']}.skops" in response.headers["Content-Disposition"]
    trusted = model["skops"]["trusted_types"]
    assert trusted == skops.io.get_untrusted_types(data=response.data)
    assert all(t.split(".")[0] in ("sklearn", "numpy", "scipy") for t in trusted)
    loaded = skops.io.loads(response.data, trusted=trusted)
    # and it predicts raw rows as the joblib file does
    rows = pd.DataFrame({"x": range(40), "s": ["ab"[i % 2] for i in range(40)]})
    expected = joblib.load(io.BytesIO(pickled)).predict(rows)
    assert (loaded.predict(rows) == expected).all()
    assert set(model["versions"]) == {
        "python",
        "scikit-learn",
        "numpy",
        "scipy",
        "pandas",
        "joblib",
        "skops",
    }


def test_an_unknown_model_format_is_a_422_naming_format_and_the_allowed_ones(client, dataset):
    job = submit(client, dataset_id=dataset["id"], target="y", estimator="knn").json

    body = assert_problem(client.get(f"/v1/jobs/{job['id']}/model?format=pickle"), 422, "format")

    assert "joblib" in str(body["errors"]["format"]) and "skops" in str(body["errors"]["format"])
