"""The data tells the truth, over HTTP: an upload says what the reader guessed, a submit
is checked against the rows, and a European export trains the model its standard twin
does. Jobs run in this process with the worker's code (``service().run_to_end``)."""

from __future__ import annotations

import io

import joblib
import numpy as np
import pandas as pd
import pytest

from api.services import service
from tests.unit.test_api import PROBLEM, assert_problem

N = 120


def table(n: int = N) -> pd.DataFrame:
    """Amounts and rates that decide a yes/no label, a region, and a noisy score."""
    r = np.random.default_rng(3)
    amount = r.uniform(0, 20_000, n).round(2)
    rate = r.normal(0, 2, n).round(2)
    return pd.DataFrame(
        {
            "amount": amount,
            "rate": rate,
            "region": r.choice(["north", "süd", "east"], n),
            "bought": np.where(amount / 1000 + rate > 10, "yes", "no"),
        }
    )


def european(df: pd.DataFrame) -> bytes:
    """``df`` as a European spreadsheet saves it: semicolons, decimal commas, dots between
    thousands, Windows-1252."""

    def number(x: float) -> str:
        return f"{x:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")

    cells = df.astype(object).map(lambda v: number(v) if isinstance(v, float) else v)
    return cells.to_csv(sep=";", index=False).encode("cp1252")


def upload(client, content: bytes, name: str = "t") -> dict:
    response = client.post(f"/v1/datasets?name={name}", data=content, content_type="text/csv")
    assert response.status_code == 201, response.json
    return response.json


def submit(client, dataset: dict, **spec: object):
    body = {"dataset_id": dataset["id"], "estimator": "logistic_regression", **spec}
    return client.post("/v1/jobs", json=body)


# --- uploads say what was guessed -------------------------------------------------------------


def test_an_upload_lists_what_the_reader_guessed_as_warnings(client):
    # given a European export of a table
    content = european(table())
    # when it is uploaded
    body = upload(client, content)
    # then the numbers are numbers, and the document says what the reader guessed
    dtypes = {c["name"]: c["dtype"] for c in body["columns"]}
    assert dtypes == {"amount": "float", "rate": "float", "region": "string", "bought": "boolean"}
    codes = [w["code"] for w in body["warnings"]]
    assert codes == ["encoding", "dialect_guessed", "decimal_comma", "thousands_separator"]
    assert all(set(w) == {"code", "message"} and w["message"] for w in body["warnings"])
    # and the stored dataset serves the same warnings, without the reader's own notes
    assert client.get(f"/v1/datasets/{body['id']}").json["warnings"] == body["warnings"]


def test_a_column_with_odd_cells_is_named_in_a_warning(client):
    # given a column of numbers with two cells that are not numbers
    df = table()
    df["rate"] = df["rate"].astype(object)
    df.loc[[5, 9], "rate"] = ["-", "?"]
    # when it is uploaded
    body = upload(client, df.to_csv(index=False).encode())
    # then the column is numbers, those cells missing, and the warning names the column
    rate = next(c for c in body["columns"] if c["name"] == "rate")
    assert (rate["dtype"], rate["n_missing"]) == ("float", 2)
    (warning,) = body["warnings"]
    assert warning["code"] == "odd_cells_missing" and warning["column"] == "rate"
    assert "2 cells" in warning["message"]


def test_a_plain_upload_has_an_empty_list_of_warnings(client):
    body = upload(client, table().to_csv(index=False).encode())
    assert body["warnings"] == []
    assert client.get("/v1/datasets").json["items"][0]["warnings"] == []


def test_a_dataset_stored_before_warnings_shows_an_empty_list(client, app):
    # given a dataset whose row has no warnings (stored before they existed)
    body = upload(client, table().to_csv(index=False).encode())
    from models.store.records import Dataset

    with app.app_context(), service().sessions() as session:
        session.get(Dataset, body["id"]).warnings = None
        session.commit()
    # then its document still has a list
    assert client.get(f"/v1/datasets/{body['id']}").json["warnings"] == []


def test_a_header_that_repeats_a_name_is_a_422_naming_it(client, settings):
    # given a header with "price" twice
    content = b"price,n,price\n1,2,3\n4,5,6\n"
    # when it is uploaded
    response = client.post("/v1/datasets", data=content, content_type="text/csv")
    # then it is refused, naming the repeated name and its columns; nothing is kept
    problem = assert_problem(response, 422, "file")
    assert "'price' (columns 1, 3)" in problem["detail"]
    assert not any((settings.data_dir / "artifacts" / "datasets").glob("*"))


# --- submits are checked against the rows ---------------------------------------------------


def test_a_class_too_small_for_the_folds_is_a_422_naming_cv_folds_with_the_counts(client):
    # given 60 rows of "a", 60 of "b" and 4 of "c"
    rows = [("a", i) for i in range(60)] + [("b", i) for i in range(60)]
    rows += [("c", i) for i in range(4)]
    csv = "label,x\n" + "".join(f"{label},{x}\n" for label, x in rows)
    dataset = upload(client, csv.encode())
    # when a classification with 5 folds (after a 20% test split) is submitted
    response = submit(client, dataset, target="label", cv={"folds": 5})
    # then it is a 422 naming cv.folds and giving the class counts
    problem = assert_problem(response, 422, "cv.folds")
    assert response.content_type == PROBLEM
    assert "5 folds need at least 5 rows of each class" in problem["detail"]
    assert "'c': 3" in problem["detail"] and "'a': 48" in problem["detail"]
    assert client.get("/v1/jobs").json["items"] == []


def test_a_class_too_small_for_the_test_split_is_a_422_naming_the_target(client):
    # given a class with a single row
    csv = "label,x\n" + "".join(f"{'ab'[i % 2]},{i}\n" for i in range(40)) + "c,99\n"
    dataset = upload(client, csv.encode())
    # when it is submitted with a test split
    response = submit(client, dataset, target="label", cv={"folds": 2})
    # then it is a 422 naming the target, with the counts
    problem = assert_problem(response, 422, "target")
    assert "test split" in problem["detail"] and "'c': 1" in problem["detail"]


def test_the_same_class_is_accepted_without_a_test_split_when_the_folds_fit(client):
    csv = "label,x\n" + "".join(f"{'ab'[i % 2]},{i % 7}\n" for i in range(40)) + "c,1\nc,2\n"
    dataset = upload(client, csv.encode())
    response = submit(client, dataset, target="label", test_size=0, cv={"folds": 2})
    assert response.status_code == 202, response.json


def test_a_constant_target_is_a_422_naming_the_target(client):
    dataset = upload(client, b"y,x\n" + b"".join(b"1,%d\n" % i for i in range(40)))
    response = submit(client, dataset, target="y", task="classification")
    assert_problem(response, 422, "target")


# --- possible leaks are warnings on the job ---------------------------------------------------


def test_a_column_that_alone_predicts_the_target_is_a_possible_leak_on_the_job(client):
    # given a table where "refund_code" is only filled for buyers, and "outcome_copy" repeats
    # the label in other words
    df = table()
    df["refund_code"] = np.where(df["bought"] == "yes", "R1", None)
    df["outcome_copy"] = df["bought"].map({"yes": "Y", "no": "N"})
    dataset = upload(client, df.to_csv(index=False).encode())
    # when a job is submitted on it
    response = submit(client, dataset, target="bought", n_trials=1)
    # then it is accepted, and its warnings name both columns as possible leaks
    assert response.status_code == 202, response.json
    warnings = response.json["warnings"]
    assert [(w["code"], w["column"]) for w in warnings] == [
        ("possible_leak", "refund_code"),
        ("possible_leak", "outcome_copy"),
    ]
    assert "is empty" in warnings[0]["message"]
    assert client.get(f"/v1/jobs/{response.json['id']}").json["warnings"] == warnings


def test_rows_without_a_target_are_a_warning_on_the_job_that_counts_them(client):
    df = table()
    df.loc[::10, "bought"] = None
    dataset = upload(client, df.to_csv(index=False).encode())
    response = submit(client, dataset, target="bought", n_trials=1)
    assert response.status_code == 202, response.json
    (warning,) = response.json["warnings"]
    assert (warning["code"], warning["column"]) == ("target_missing", "bought")
    assert warning["message"].startswith(f"{len(df[::10])} of {len(df)} rows have no value")


def test_classes_that_differ_only_in_spaces_or_capitals_are_a_warning_on_the_job(client):
    # given a target where some rows say "Yes" or "yes " for "yes"
    df = table()
    yes = df.index[df["bought"] == "yes"]
    df.loc[yes[::4], "bought"] = "Yes"
    df.loc[yes[1::4], "bought"] = "yes "
    dataset = upload(client, df.to_csv(index=False).encode())
    # when a classification is submitted on it
    response = submit(client, dataset, target="bought", n_trials=1)
    # then it runs as asked, and a warning names the labels that look alike
    assert response.status_code == 202, response.json
    (warning,) = response.json["warnings"]
    assert (warning["code"], warning["column"]) == ("similar_classes", "bought")
    assert "('Yes' and 'yes' and 'yes ')" in warning["message"]


@pytest.mark.parametrize(
    ("content", "field", "reason"),
    [
        (
            b"y\n" + b"".join(b"%d\n" % (i % 2) for i in range(60)),
            "dataset_id",
            "no column besides",
        ),
        (
            b"id,note,y\n" + b"".join(b"u%05d,,%d\n" % (i, i % 2) for i in range(60)),
            "dataset_id",
            "'id': text with 60 distinct values in 60 rows: looks like an identifier",
        ),
    ],
    ids=["target-only", "an-id-and-an-empty-column"],
)
def test_a_table_with_nothing_to_learn_from_is_refused_at_submit(client, content, field, reason):
    # given a table whose only other columns the model would leave out (or none at all)
    dataset = upload(client, content)
    # when a search is submitted on it, then it is refused there, not failed in the worker
    response = submit(client, dataset, target="y", n_trials=1)
    assert_problem(response, 422, field)
    assert reason in response.json["errors"][field][0]


def test_a_job_without_leaks_has_an_empty_list_of_warnings(client):
    dataset = upload(client, table().to_csv(index=False).encode())
    response = submit(client, dataset, target="bought", n_trials=1)
    assert response.status_code == 202 and response.json["warnings"] == []


# --- the same model from either file ----------------------------------------------------------


def test_a_european_export_trains_the_same_model_as_its_standard_twin(client, app):
    # given a table uploaded as a standard CSV and as a European export
    df = table()
    datasets = [upload(client, df.to_csv(index=False).encode()), upload(client, european(df))]
    # when the same search runs on each, with the worker's code
    models = []
    for dataset in datasets:
        job = submit(client, dataset, target="bought", n_trials=2, random_state=0).json
        with app.app_context():
            assert service().run_to_end(job["id"], "test") == "succeeded"
        models.append(joblib.load(io.BytesIO(client.get(f"/v1/jobs/{job['id']}/model").data)))
    # then both models predict the same on raw rows, as a client sends them
    rows = pd.DataFrame(
        {
            "amount": [12_345.67, 800.0, None],
            "rate": [-1.5, 3.25, 0.0],
            "region": ["süd", "west", None],
        }
    )
    standard, from_european = models
    np.testing.assert_allclose(from_european.predict_proba(rows), standard.predict_proba(rows))
    # and the model learnt from the numbers
    X, y = df.drop(columns=["bought"]), df["bought"]
    assert from_european.score(X, y) > 0.9


def test_a_table_saved_with_its_index_trains_a_model_that_predicts_on_the_file_as_read(client, app):
    # given a table saved with pandas' to_csv and its default index (an unnamed column)
    df = table()
    content = df.to_csv().encode()
    dataset = upload(client, content)
    assert [c["name"] for c in dataset["columns"]] == list(df.columns)
    assert [w["code"] for w in dataset["warnings"]] == ["column_dropped"]
    # when a search runs on it, with the worker's code
    job = submit(client, dataset, target="bought", n_trials=1, random_state=0).json
    with app.app_context():
        assert service().run_to_end(job["id"], "test") == "succeeded"
    model = joblib.load(io.BytesIO(client.get(f"/v1/jobs/{job['id']}/model").data))
    # then the model predicts on the file as pandas reads it back, index column and all
    rows = pd.read_csv(io.BytesIO(content)).drop(columns=["bought"])
    assert "Unnamed: 0" in rows.columns
    assert model.score(rows, df["bought"]) > 0.9


@pytest.mark.parametrize("sep", [";", "\t", "|"], ids=["semicolon", "tab", "pipe"])
def test_every_european_separator_gives_the_standard_profile(client, sep):
    df = table(40)
    standard = upload(client, df.to_csv(index=False).encode())
    content = european(df).decode("cp1252").replace(";", sep).encode()
    body = upload(client, content)
    assert body["columns"] == standard["columns"]


# --- text in UTF-16 and UTF-32 ----------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-be", "utf-16-le"])
def test_a_utf32_or_bom_less_utf16_upload_has_the_utf8_upload_s_profile(
    client, breast_cancer_csv, encoding
):
    # given the breast cancer table in UTF-8 and in UTF-32 (with a BOM) or without a BOM
    plain = upload(client, breast_cancer_csv, "utf8")
    wide = upload(client, breast_cancer_csv.decode().encode(encoding), encoding)
    # then both have the same columns and profile; the wide one says its encoding
    assert wide["columns"] == plain["columns"] and wide["n_rows"] == plain["n_rows"]
    assert [w["code"] for w in wide["warnings"]] == ["encoding"]


def test_a_bom_less_utf16_file_that_does_not_decode_is_a_422_naming_the_encoding(
    client, breast_cancer_csv
):
    content = breast_cancer_csv.decode().encode("utf-16-le") + b"\x00\xd8" * 4
    response = client.post("/v1/datasets?name=u16", data=content, content_type="text/csv")
    problem = assert_problem(response, 422, "file")
    assert "UTF-16 little-endian" in problem["detail"]
