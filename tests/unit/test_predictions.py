"""Predictions: rows read as the dataset was (models/predictions.py), the model loaded
only from its own checked skops file, and ``POST /v1/jobs/{id}/predictions`` in process."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
import skops.io

from api.services import service
from models.exceptions import Conflict, RowsError
from models.predictions import (
    ModelCache,
    Schema,
    csv_blocks,
    csv_format,
    csv_frame,
    load_model,
    rows_frame,
    split_header,
)
from models.store.artifacts import SKOPS_FORMAT, model_key

PROFILES = [
    {"name": "size", "dtype": "float", "n_missing": 0, "n_unique": 9},
    {"name": "rooms", "dtype": "integer", "n_missing": 0, "n_unique": 4},
    {"name": "city", "dtype": "string", "n_missing": 0, "n_unique": 3},
    {"name": "garden", "dtype": "boolean", "n_missing": 0, "n_unique": 2},
]
# A dataset uploaded with semicolons and decimal commas (what detect() recorded).
WARNINGS = [
    {"code": "dialect_guessed", "message": "…", "reading": {"sep": ";"}},
    {"code": "decimal_comma", "message": "…", "reading": {"decimal": ","}},
]
MODEL = {"feature_columns": ["size", "rooms", "city", "garden"], "target": "price"}


@pytest.fixture
def schema() -> Schema:
    return Schema.of(MODEL, PROFILES, WARNINGS)


# Reading rows -------------------------------------------------------------------------


def test_json_rows_are_read_with_the_datasets_decimal_comma_and_types(schema):
    rows = [
        {"size": "1.234,5", "rooms": 3, "city": 12, "garden": "true", "owner": "x"},
        {"size": 80.25, "rooms": "2", "city": "Oslo", "garden": False, "owner": "y"},
        {"size": None, "rooms": None, "city": None, "garden": None, "owner": "z"},
    ]
    frame, extra = rows_frame(rows, schema, max_rows=10)
    assert list(frame.columns) == MODEL["feature_columns"]
    assert frame["size"].tolist()[:2] == [1234.5, 80.25] and np.isnan(frame["size"][2])
    assert frame["rooms"].tolist()[:2] == [3.0, 2.0]
    assert frame["city"].tolist()[:2] == ["12", "Oslo"] and pd.isna(frame["city"][2])
    assert frame["garden"].tolist()[:2] == [True, False]
    assert extra == ["owner"]


@pytest.mark.parametrize(
    ("rows", "field"),
    [
        ({"size": 1}, "rows"),
        ([], "rows"),
        (["size"], "rows.0"),
        ([{"size": 1, "rooms": 2, "city": "a"}], "garden"),  # missing in every row
        (
            [
                {"size": 1, "rooms": 2, "city": "a", "garden": True},
                {"size": 1, "city": "a", "garden": True},
            ],
            "rows.1.rooms",
        ),
        ([{"size": "big", "rooms": 2, "city": "a", "garden": True}], "rows.0.size"),
        ([{"size": "2.5", "rooms": 2, "city": "a", "garden": True}], "rows.0.size"),  # a point
        ([{"size": True, "rooms": 2, "city": "a", "garden": True}], "rows.0.size"),
        ([{"size": 1, "rooms": 2, "city": ["a"], "garden": True}], "rows.0.city"),
    ],
)
def test_bad_rows_are_refused_naming_the_field(schema, rows, field):
    with pytest.raises(RowsError) as caught:
        rows_frame(rows, schema, max_rows=10)
    assert caught.value.field == field


def test_more_json_rows_than_the_limit_are_refused(schema):
    row = {"size": 1, "rooms": 2, "city": "a", "garden": True}
    with pytest.raises(RowsError, match="at most 2"):
        rows_frame([row] * 3, schema, max_rows=2)


def test_a_column_the_preprocessing_drops_may_be_left_out(schema):
    schema = Schema.of(MODEL, PROFILES, WARNINGS, unused=["city"])
    frame, _ = rows_frame([{"size": 1, "rooms": 2, "garden": True}], schema, max_rows=10)
    assert list(frame.columns) == MODEL["feature_columns"] and pd.isna(frame["city"][0])


def _csv(text: str, schema: Schema, chunk: int = 7) -> list[pd.DataFrame]:
    data = text.encode("cp1252")
    chunks = [data[i : i + chunk] for i in range(0, len(data), chunk)]
    blocks = list(csv_blocks(chunks, "cp1252"))
    fmt = csv_format(blocks[0], schema, "cp1252")
    header, blocks[0] = split_header(blocks[0])
    frames, row = [], 1
    for block in blocks:
        frame = csv_frame(block, header, fmt, schema, row)
        row += len(frame)
        frames.append(frame)
    return frames


def test_a_csv_body_is_read_in_blocks_of_whole_records_as_the_dataset_was(schema):
    # semicolons, decimal commas, thousands separators, a quoted newline, the dataset's
    # encoding (Windows-1252 here), cut into chunks of 7 bytes
    text = 'size;rooms;city;garden;note\n1.234,5;3;Zürich;True;"a\nb"\n80,25;2;1;False;x\n'
    schema = Schema.of(
        MODEL, PROFILES, [*WARNINGS, {"code": "encoding", "message": "…", "reading": {}}]
    )
    frame = pd.concat(_csv(text, schema))
    assert frame["size"].tolist() == [1234.5, 80.25]
    assert frame["city"].tolist() == ["Zürich", "1"]
    assert frame["garden"].tolist() == [True, False]


def test_a_csv_with_commas_is_read_with_decimal_points(schema):
    frame = pd.concat(_csv("size,rooms,city,garden\n2.5,3,Oslo,True\n", schema))
    assert frame["size"].tolist() == [2.5]


def test_a_csv_missing_a_column_or_with_an_unreadable_number_is_refused_naming_it(schema):
    with pytest.raises(RowsError) as missing:
        _csv("size;rooms;city\n1;2;a\n", schema)
    assert missing.value.field == "garden"
    with pytest.raises(RowsError) as unread:
        _csv("size;rooms;city;garden\n1;2;a;True\n1;many;b;False\n", schema)
    assert unread.value.field == "row 2: rooms" and "'many'" in unread.value.detail


def test_a_record_end_is_never_inside_a_quoted_field():
    blocks = list(csv_blocks([b'a,b\n1,"x\n', b'y"\n2,z\n'], "utf-8"))
    assert blocks == ["a,b\n", '1,"x\ny"\n2,z\n']


# The model ---------------------------------------------------------------------------


@pytest.fixture
def saved(storage):
    """A fitted pipeline saved as the service saves one, and its metadata."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from models.store.artifacts import save_model

    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.0]})
    pipeline = Pipeline([("model", LogisticRegression())]).fit(X, [0, 0, 1, 1])
    metadata = save_model(pipeline, storage, "job_1", features=["a", "b"], target="y")
    return metadata, X


def test_a_model_loads_from_its_skops_file_with_the_listed_types(storage, saved):
    metadata, X = saved
    model = load_model(storage, "job_1", metadata)
    assert model.predict(X).tolist() == [0, 0, 1, 1]


def test_a_model_file_whose_sha256_changed_is_not_loaded(storage, saved):
    metadata, _ = saved
    key = model_key("job_1", SKOPS_FORMAT)
    path = storage.local_copy(key)
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(Conflict, match="sha256"):
        load_model(storage, "job_1", metadata)


def test_a_model_without_a_skops_file_is_a_conflict(storage, saved):
    metadata, _ = saved
    with pytest.raises(Conflict, match="predates"):
        load_model(storage, "job_1", {**metadata, SKOPS_FORMAT: None})


def test_the_model_cache_keeps_the_latest_few(storage, saved):
    metadata, _ = saved
    loads, built = [], []

    def counting(fn, *args):
        built.append(fn)
        return fn(*args)

    cache = ModelCache(storage, size=2)
    written = storage.local_copy(model_key("job_1", SKOPS_FORMAT)).read_bytes()
    for job in ("job_2", "job_3"):
        storage.put_stream(model_key(job, SKOPS_FORMAT), [written])
    for job in ("job_1", "job_1", "job_2", "job_3", "job_1"):
        before = len(built)
        cache.get(job, metadata, counting)
        if len(built) > before:
            loads.append(job)
    assert len(cache) == 2
    assert loads == ["job_1", "job_2", "job_3", "job_1"]  # job_1 fell out, loaded again


# Over HTTP, in process ---------------------------------------------------------------


def _finished_job(client, app, csv: bytes, **spec) -> dict:
    dataset = client.post(
        "/v1/datasets", data=csv, headers={"Content-Type": "text/csv"}, query_string={"name": "t"}
    ).json
    body = {"dataset_id": dataset["id"], "n_trials": 1, "cv": {"folds": 2}, **spec}
    job = client.post("/v1/jobs", json=body).json
    with app.app_context():
        assert service().run_to_end(job["id"], "test") == "succeeded"
    return job


@pytest.fixture
def classifier(client, app, breast_cancer_csv):
    return _finished_job(client, app, breast_cancer_csv, target="target", estimator="knn")


def _model(client, job):
    trusted = client.get(f"/v1/jobs/{job['id']}/result").json["model"]["skops"]["trusted_types"]
    data = client.get(f"/v1/jobs/{job['id']}/model?format=skops").data
    return skops.io.loads(data, trusted=trusted)


def test_json_predictions_equal_the_downloaded_models_with_probabilities(
    client, classifier, breast_cancer
):
    rows = breast_cancer.drop(columns=["target"]).head(20)
    body = {"rows": [{**row, "extra": 1} for row in rows.to_dict(orient="records")]}
    answer = client.post(f"/v1/jobs/{classifier['id']}/predictions", json=body)
    assert answer.status_code == 200, answer.json
    model = _model(client, classifier)
    assert answer.json["predictions"] == model.predict(rows).tolist()
    assert answer.json["classes"] == [0, 1]
    assert np.allclose(answer.json["probabilities"], model.predict_proba(rows))
    assert answer.json["ignored_columns"] == ["extra"]


def test_a_csv_body_is_answered_as_json_or_as_csv(client, classifier, breast_cancer):
    rows = breast_cancer.head(50).assign(**{"東京, x": 1})  # ignored, as the target is
    url = f"/v1/jobs/{classifier['id']}/predictions"
    csv = rows.to_csv(index=False)
    model = _model(client, classifier)
    expected = model.predict(rows.drop(columns=["target", "東京, x"])).tolist()
    as_json = client.post(url, data=csv, headers={"Content-Type": "text/csv"})
    assert as_json.json["predictions"] == expected
    assert as_json.json["ignored_columns"] == ["target", "東京, x"]
    as_csv = client.post(url, data=csv, headers={"Content-Type": "text/csv", "Accept": "text/csv"})
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    assert as_csv.headers["X-Ignored-Columns"] == "target,%E6%9D%B1%E4%BA%AC%2C%20x"
    table = pd.read_csv(io.BytesIO(as_csv.data))
    assert list(table.columns) == ["prediction", "probability_0", "probability_1"]
    assert table["prediction"].tolist() == expected


def test_a_regressor_on_a_decimal_comma_table_reads_rows_as_the_table_was(client, app):
    rng = np.random.default_rng(0)
    size = np.round(rng.uniform(20, 200, 60), 2)
    table = pd.DataFrame({"size": size, "city": rng.choice(["a", "b"], 60), "price": size * 3})
    csv = table.to_csv(index=False, sep=";", decimal=",").encode()
    job = _finished_job(client, app, csv, target="price", estimator="ridge")
    url = f"/v1/jobs/{job['id']}/predictions"
    model = _model(client, job)
    rows = table.drop(columns=["price"]).head(3)
    expected = model.predict(rows).tolist()
    written = [{"size": f"{s:.2f}".replace(".", ","), "city": c} for s, c in rows.values]
    answer = client.post(url, json={"rows": written})
    assert answer.status_code == 200, answer.json
    assert np.allclose(answer.json["predictions"], expected)
    assert "classes" not in answer.json
    body = rows.to_csv(index=False, sep=";", decimal=",")
    as_csv = client.post(url, data=body, headers={"Content-Type": "text/csv"})
    assert np.allclose(as_csv.json["predictions"], expected)


def _problem(response, status, field=None):
    assert response.status_code == status, response.data
    assert response.mimetype == "application/problem+json"
    if field is not None:
        assert field in response.json["errors"], response.json


@pytest.mark.every_database
def test_bad_requests_are_4xx_problems_naming_the_field(client, app, classifier, breast_cancer):
    url = f"/v1/jobs/{classifier['id']}/predictions"
    row = {"mean radius": 1.0}
    _problem(client.post("/v1/jobs/job_nope/predictions", json={"rows": [row]}), 404)
    for media_type in ("text/plain", "text/csv; charset=klingon"):
        response = client.post(url, data="x", headers={"Content-Type": media_type})
        _problem(response, 415, "Content-Type")
    _problem(
        client.post(url, data="{nope", headers={"Content-Type": "application/json"}), 400, "body"
    )
    _problem(client.post(url, json={"rows": {"a": 1}}), 422, "rows")
    _problem(client.post(url, json={"rows": [1]}), 422, "rows.0")
    _problem(client.post(url, json={"rows": [row]}), 422, "mean texture")
    csv = {"Content-Type": "text/csv"}
    _problem(client.post(url, data="mean radius\n1\n", headers=csv), 422, "mean texture")
    _problem(client.post(url, data="", headers=csv), 422, "body")
    header = ",".join(breast_cancer.columns)
    bad = f"{header}\nabc{',1' * (breast_cancer.shape[1] - 1)}\n"
    _problem(client.post(url, data=bad, headers=csv), 422, "row 1: mean radius")
    running = client.post("/v1/jobs", json={**classifier["spec"], "name": None, "tags": []}).json
    _problem(client.post(f"/v1/jobs/{running['id']}/predictions", json={"rows": [row]}), 409)


@pytest.mark.parametrize("estimator", ["lightgbm", "xgboost"])
def test_a_boosting_library_model_predicts_over_http_like_its_file(
    client, app, breast_cancer, estimator
):
    # given a finished job of the library on a table whose target is text
    table = breast_cancer.assign(target=breast_cancer["target"].map({0: "malignant", 1: "benign"}))
    job = _finished_job(
        client, app, table.to_csv(index=False).encode(), target="target", estimator=estimator
    )
    rows = table.drop(columns=["target"]).head(30)
    model = _model(client, job)
    url = f"/v1/jobs/{job['id']}/predictions"
    # when rows are sent as JSON, then as CSV (read in a forked child, after the model's
    # predict ran in this process: one thread, so nothing of it breaks the fork)
    as_json = client.post(url, json={"rows": rows.to_dict(orient="records")})
    as_csv = client.post(url, data=rows.to_csv(index=False), headers={"Content-Type": "text/csv"})
    # then both answer the labels the downloaded model predicts, with its probabilities
    assert as_json.status_code == as_csv.status_code == 200, (as_json.json, as_csv.json)
    assert as_json.json["classes"] == ["benign", "malignant"]
    assert as_json.json["predictions"] == as_csv.json["predictions"] == model.predict(rows).tolist()
    assert np.allclose(as_json.json["probabilities"], model.predict_proba(rows))
