"""``tuneforge tune``'s options against the real API (the app in this process; a submitted
job is run here by ``run_to_end``, the worker's own loop): what each option sends, the
reuse of a table uploaded before, and the checks made before anything is uploaded."""

from __future__ import annotations

import json
import random
from pathlib import Path

import httpx
import pytest
import tuneforge
import tuneforge.cli
from click.testing import CliRunner
from tuneforge.cli import main

from api.services import service

URL = "http://127.0.0.1"


class InProcessService(httpx.BaseTransport):
    """The app answering the CLI's requests, each kept (``sent``); a job it accepts is run
    to its end before the answer returns, as a fast worker would."""

    def __init__(self, app) -> None:
        self.app = app
        self.wsgi = httpx.WSGITransport(app=app)
        self.sent: list[tuple[str, str, bytes]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path, request.read()))
        response = self.wsgi.handle_request(request)
        if (request.method, request.url.path, response.status_code) == ("POST", "/v1/jobs", 202):
            response.read()
            with self.app.app_context():
                service().run_to_end(response.json()["id"], "test")
        return response

    def bodies(self, method: str, path: str) -> list[bytes]:
        return [body for m, p, body in self.sent if (m, p) == (method, path)]


@pytest.fixture
def svc(app, monkeypatch) -> InProcessService:
    transport = InProcessService(app)

    def connected(api: str | None = None, key: str | None = None) -> tuneforge.Client:
        client = tuneforge.Client(URL, key)
        client._http = httpx.Client(base_url=URL, transport=transport)
        return client

    monkeypatch.setattr(tuneforge.cli, "Client", connected)
    return transport


@pytest.fixture
def table(tmp_path: Path) -> Path:
    """120 rows: two numeric features, an id column, a binary target ``y``."""
    rng = random.Random(0)
    lines = ["a,b,id,y"]
    for i in range(120):
        a, b = rng.gauss(0, 1), rng.gauss(0, 1)
        lines.append(f"{a:.3f},{b:.3f},{i},{int(a + 0.5 * b + rng.gauss(0, 0.5) > 0)}")
    path = tmp_path / "table.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def tune(tmp_path: Path, *args: str) -> tuple[int, dict | None, str]:
    """``tuneforge tune --json …``: its exit code, its JSON document, its stderr."""
    model = str(tmp_path / "model.joblib")
    done = CliRunner().invoke(main, ["tune", *args, "--json", "--output", model])
    document = json.loads(done.stdout) if done.stdout.strip() else None
    return done.exit_code, document, done.stderr


KNN = ["--target", "y", "--estimator", "knn", "--trials", "2"]


def test_each_option_is_sent_in_the_spec(svc, table, tmp_path):
    # given a space in a JSON file, a range written as {"low", "high"}
    space = tmp_path / "space.json"
    space.write_text(json.dumps({"n_neighbors": {"low": 2, "high": 9}, "weights": ["distance"]}))
    # when tune runs with every spec option
    code, document, stderr = tune(
        tmp_path, str(table), *KNN, "--exclude", "id", "--exclude", "b", "--space", str(space),
        "--cv", "3", "--cv-kind", "kfold", "--test-size", "0.25",
    )  # fmt: skip
    # then the job ran the spec they describe
    assert code == 0, stderr
    spec = document["job"]["spec"]
    assert spec["exclude_columns"] == ["id", "b"]
    assert spec["param_space"]["n_neighbors"] == {"type": "int", "low": 2, "high": 9, "log": False}
    assert spec["param_space"]["weights"] == {"type": "categorical", "choices": ["distance"]}
    assert (spec["cv"]["folds"], spec["cv"]["kind"], spec["test_size"]) == (3, "kfold", 0.25)


def test_name_is_sent_in_the_jobs_body(svc, table, tmp_path):
    tune(tmp_path, str(table), *KNN, "--name", "nightly churn")
    (body,) = svc.bodies("POST", "/v1/jobs")
    assert json.loads(body)["name"] == "nightly churn"


def test_the_same_file_is_uploaded_once_and_then_used_again(svc, table, tmp_path):
    # given a first run, which uploads the table
    code, first, _ = tune(tmp_path, str(table), *KNN)
    assert code == 0
    # when the same bytes are tuned again, under another name
    again = tmp_path / "copy.csv"
    again.write_bytes(table.read_bytes())
    code, second, stderr = tune(tmp_path, str(again), *KNN)
    # then the dataset uploaded before is used, without asking, and said so
    assert code == 0, stderr
    assert second["dataset"]["id"] == first["dataset"]["id"]
    assert len(svc.bodies("POST", "/v1/datasets")) == 1
    assert f"copy.csv was uploaded before as {first['dataset']['id']} (table.csv" in stderr
    # and a table with other bytes is uploaded
    table.write_text(table.read_text() + "0.1,0.2,999,1\n")
    code, third, _ = tune(tmp_path, str(table), *KNN)
    assert code == 0 and third["dataset"]["id"] != first["dataset"]["id"]


def test_dataset_id_tunes_on_an_upload_without_uploading(svc, table, tmp_path):
    code, first, _ = tune(tmp_path, str(table), *KNN)
    code, second, stderr = tune(tmp_path, "--dataset", first["dataset"]["id"], *KNN)
    assert code == 0, stderr
    assert second["dataset"]["id"] == first["dataset"]["id"]
    assert len(svc.bodies("POST", "/v1/datasets")) == 1
    # and a refused spec leaves that dataset (it was not uploaded for this run)
    code, _, stderr = tune(tmp_path, "--dataset", first["dataset"]["id"], *KNN, "--cv", "1")
    assert code == 3 and "cv.folds" in stderr
    assert not svc.bodies("DELETE", f"/v1/datasets/{first['dataset']['id']}")


def test_the_spec_is_checked_against_the_catalog_before_uploading(svc, table, tmp_path):
    # when the estimator and the scorer are misspelt
    code, _, stderr = tune(tmp_path, str(table), "--target", "y", "--estimator", "knnn",
                           "--scoring", "roc_acu")  # fmt: skip
    # then both are named, exit 2, and nothing was uploaded
    assert code == 2
    lines = stderr.splitlines()
    assert lines[0] == "tuneforge: the spec does not fit the service's catalog"
    assert lines[1].startswith("  estimator: unknown estimator 'knnn'; choose one of ")
    assert lines[2].startswith("  scoring: unknown scorer 'roc_acu'; choose one of ")
    # and a parameter the estimator does not have, or a scorer of the other task, too
    space = tmp_path / "space.json"
    space.write_text(json.dumps({"n_neighbours": [3, 5]}))
    code, _, stderr = tune(tmp_path, str(table), *KNN, "--space", str(space), "--scoring", "r2x")
    assert code == 2
    assert "  param_space.n_neighbours: knn has no parameter 'n_neighbours'; tunable: " in stderr
    code, _, stderr = tune(tmp_path, str(table), "--target", "y", "--estimator",
                           "logistic_regression", "--scoring", "r2")  # fmt: skip
    assert code == 2 and "unknown scorer 'r2' for logistic_regression" in stderr
    assert svc.bodies("POST", "/v1/datasets") == []


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("space.yaml", "n_neighbors: [3, 5]\n", "read as JSON (the SDK depends on no YAML"),
        ("space.json", "{n_neighbors: [3, 5]}", "is not a JSON document"),
        ("space.json", "[3, 5]", "must hold a JSON object"),
    ],
    ids=["yaml", "not-json", "not-an-object"],
)
def test_a_space_file_that_is_not_a_json_object_is_a_usage_error(
    svc, table, tmp_path, name, text, message
):
    space = tmp_path / name
    space.write_text(text)
    code, _, stderr = tune(tmp_path, str(table), *KNN, "--space", str(space))
    assert code == 2 and "--space" in stderr and message in stderr
    assert svc.sent == []


def test_the_table_is_a_file_or_an_upload_not_both_nor_neither(svc, table, tmp_path):
    for args in ([], [str(table), "--dataset", "ds_1"]):
        code, _, stderr = tune(tmp_path, *args, *KNN)
        assert code == 2 and "give the table: a CSV file DATA, or --dataset ID" in stderr


def test_auto_lets_the_search_choose_the_family(svc, table, tmp_path):
    # given a small auto space (the service checks its family.param names)
    space = tmp_path / "space.json"
    space.write_text(json.dumps({"estimator": ["ridge", "knn"], "knn.n_neighbors": [3, 5]}))
    # when tune runs with --estimator auto
    options = ["--estimator", "auto", "--trials", "3", "--space", str(space), "--exclude", "id"]
    code, document, stderr = tune(tmp_path, str(table), "--target", "y", *options)
    # then the job ran, and its result names the family chosen among those tried
    assert code == 0, stderr
    assert document["job"]["spec"]["estimator"] == "auto"
    result = document["result"]
    assert result["estimator"] in ("ridge", "knn")
    assert [f["estimator"] for f in result["families"]] == ["ridge", "knn"]


def test_dry_run_prints_the_estimate_and_submits_nothing(svc, table, tmp_path):
    code, document, stderr = tune(tmp_path, str(table), *KNN, "--timeout", "30", "--dry-run")
    assert code == 0, stderr
    assert set(document["estimate"]) == {"seconds_per_trial", "seconds", "trials_in_budget"}
    assert document["estimate"]["trials_in_budget"] == 2
    (body,) = svc.bodies("POST", "/v1/jobs")
    assert json.loads(body)["dry_run"] is True
    assert not (tmp_path / "model.joblib").exists()
    assert svc.bodies("GET", "/v1/jobs") == []  # nothing followed
    # in words
    done = CliRunner().invoke(main, ["tune", str(table), *KNN, "--dry-run"])
    assert done.exit_code == 0, done.stderr
    assert "seconds per trial" in done.stdout and "trials in budget   2" in done.stdout


def test_a_dry_run_refused_exits_3(svc, table, tmp_path):
    code, _, stderr = tune(tmp_path, str(table), "--target", "nope", "--dry-run")
    assert code == 3 and "target" in stderr
