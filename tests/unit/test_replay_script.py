"""The replay script (``GET /v1/jobs/{id}/script``): for a job of every catalog estimator,
on a messy CSV, the script run alone prints the job's best CV score and its ``--fit``
model predicts as the service's does."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from unittest import mock

import joblib
import numpy as np
import pandas as pd
import pytest

from models.engine.boosters import XGBLabelClassifier
from models.engine.catalog import CATALOG, CLASSIFICATION, REGRESSION
from models.exceptions import Conflict, NotFound
from models.job_script import job_script
from models.store.records import Dataset, JobStatus
from tests.unit.engine_helpers import OWNER, job_and_trials, run, submit

N_ROWS = 150
# Small spaces, so that each job takes a second or two.
SMALL_SPACES = {
    "random_forest": {"n_estimators": {"type": "int", "low": 5, "high": 15}},
    "extra_trees": {"n_estimators": {"type": "int", "low": 5, "high": 15}},
    "lightgbm": {"n_estimators": {"type": "int", "low": 5, "high": 15}},
    "xgboost": {"n_estimators": {"type": "int", "low": 5, "high": 15}},
    "hist_gradient_boosting": {
        "max_iter": {"type": "int", "low": 10, "high": 30},
        "learning_rate": {"type": "float", "low": 0.05, "high": 0.3, "log": True},
    },
}
COMMA_LOCALE = str.maketrans({",": ".", ".": ","})  # 1,234.5 as 1.234,5
CASES = [(name, task) for name, entry in CATALOG.items() for task in entry.tasks]


def messy_csv(seed: int = 0) -> bytes:
    """A CSV written by a spreadsheet in a decimal-comma locale: ';' separators, decimal
    commas, thousands separators and an odd cell in a number column, text columns (few
    and many values), missing cells, a separator ending every line (an empty unnamed
    column) and a column the job excludes."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=N_ROWS)
    b = rng.integers(0, 10, N_ROWS)
    income = rng.uniform(500, 5000, N_ROWS).round(1)
    city = rng.choice(["Lyon", "Nantes", "Lille", "Metz"], N_ROWS)
    code = rng.choice([f"K{i:02d}" for i in range(30)], N_ROWS)
    score = 2 * a + 0.3 * b + income / 2000 + (city == "Lyon") + rng.normal(0, 0.5, N_ROWS)
    label = np.where(score > np.median(score), "good", "bad")
    lines = ["a;b;income;city;code;note;price;label;"]
    for i in range(N_ROWS):
        cells = [
            "" if i % 17 == 3 else f"{a[i]:.4f}".replace(".", ","),
            str(b[i]),
            "?" if i == 40 else f"{income[i]:,.1f}".translate(COMMA_LOCALE),
            "" if i % 23 == 5 else str(city[i]),
            str(code[i]),
            f"remark {rng.integers(1000)}",
            f"{score[i]:.3f}".replace(".", ","),
            str(label[i]),
        ]
        lines.append(";".join(cells) + ";")
    return ("\n".join(lines) + "\n").encode()


def upload_messy(service) -> str:
    dataset = service.upload_dataset(OWNER, [messy_csv()], "messy.csv")
    return dataset.id


# Runs a script as `python job.py data.csv` and then `python job.py data.csv --fit
# model.joblib` would, in one fresh interpreter (one start of pandas and scikit-learn, not
# two, for speed), and says which of this project's packages it imported: none.
DRIVER = """
import contextlib, io, json, runpy, sys
script, csv, model = sys.argv[1:]
out = []
for args in ([csv], [csv, "--fit", model]):
    sys.argv = [script, *args]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        runpy.run_path(script, run_name="__main__")
    out.append(printed.getvalue().strip().splitlines())
ours = sorted(m for m in sys.modules if m.split(".")[0] in ("api", "models", "tasks", "tuneforge"))
print(json.dumps({"cv": out[0], "fit": out[1], "ours": ours}))
"""


def run_script(path: Path, csv: Path, model: Path) -> dict:
    """What the script printed (``cv``, ``fit``: lists of lines) and the project's modules
    it imported (``ours``)."""
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(path), str(csv), str(model)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=path.parent,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def finished_job(service, dataset_id: str, estimator: str, task: str, **spec):
    target = spec.pop("target", "label" if task == CLASSIFICATION else "price")
    other = "price" if task == CLASSIFICATION else "label"
    exclude = spec.pop("exclude_columns", ["note", other])
    space = SMALL_SPACES.get(estimator)
    resource = spec.get("halving", {}).get("resource")
    if space and resource in space:  # the halving budget is not searched
        space = {"max_depth": {"type": "int", "low": 2, "high": 8}}
    job_id = submit(
        service,
        dataset_id,
        target=target,
        task=task,
        estimator=estimator,
        strategy=spec.pop("strategy", "random"),
        exclude_columns=exclude,
        cv=spec.pop("cv", {"folds": 3}),
        random_state=7,
        **({"param_space": space} if space else {}),
        **({"n_trials": 3} if "halving" not in spec else {}),
        **spec,
    )
    run(service, job_id)
    job, _ = job_and_trials(service, job_id)
    assert job.status == JobStatus.SUCCEEDED, job.error
    return job


def check_script(service, job, tmp_path: Path, data: bytes | None = None) -> str:
    """Run the job's script on the CSV: it prints the best CV score last, and its
    ``--fit`` model predicts as the service's model on the raw rows."""
    text = job_script(service, OWNER, job.id)
    ast.parse(text)
    assert "tuneforge" not in "".join(
        line for line in text.splitlines() if line.startswith(("import", "from"))
    )
    script = tmp_path / f"{job.id}.py"
    script.write_text(text)
    csv = tmp_path / "data.csv"
    csv.write_bytes(messy_csv() if data is None else data)
    printed = run_script(script, csv, tmp_path / "model.joblib")
    assert printed["ours"] == []
    assert abs(float(printed["cv"][-1]) - job.result["best_score"]) <= 1e-9, printed
    assert printed["fit"][-1].startswith("saved the model fitted on")
    # (a class of ours the script copies is __main__'s in its model: defined there to load it)
    with mock.patch.object(
        sys.modules["__main__"], "XGBLabelClassifier", XGBLabelClassifier, create=True
    ):
        mine = joblib.load(tmp_path / "model.joblib")
    with service.storage.open(job.model_key) as f:
        served = joblib.load(f)
    data = service.training_data(OWNER, _spec(job))
    rows = data.X_train if data.X_test is None else pd.concat([data.X_train, data.X_test])
    np.testing.assert_array_equal(mine.predict(rows), served.predict(rows))
    if hasattr(served, "predict_proba") and job.spec["task"] == CLASSIFICATION:
        try:
            expected = served.predict_proba(rows)
        except AttributeError:  # SVC without probability=True
            return text
        np.testing.assert_allclose(mine.predict_proba(rows), expected, rtol=0, atol=1e-12)
    return text


def _spec(job):
    from models.engine.spec import SearchSpec

    return SearchSpec.from_dict(job.spec)


@pytest.mark.parametrize(("estimator", "task"), CASES, ids=[f"{e}-{t}" for e, t in CASES])
def test_the_script_of_every_catalog_estimator_replays_its_job(service, tmp_path, estimator, task):
    dataset_id = upload_messy(service)
    job = finished_job(service, dataset_id, estimator, task)
    text = check_script(service, job, tmp_path)
    # the script says how the file was read and what each column became
    assert "SEPARATOR = ';'" in text and "DECIMAL = ','" in text
    assert "'Unnamed: 8'" in text  # the empty column the trailing separators make
    assert "'note': excluded by the spec" in text


@pytest.mark.parametrize(
    "spec",
    [
        {"cv": {"folds": 3, "kind": "kfold", "shuffle": True, "random_state": 3}},
        {"cv": {"folds": 3, "kind": "timeseries"}, "test_size": 0.1},
        {"cv": {"folds": 3, "kind": "holdout", "validation_size": 0.3}, "test_size": 0},
        {"strategy": "halving", "halving": {"n_candidates": 4}},
        {
            "strategy": "halving",
            "halving": {"n_candidates": 4, "resource": "n_estimators", "max_resources": 12},
        },
    ],
    ids=["kfold-shuffled", "timeseries", "holdout-no-test", "halving-rows", "halving-trees"],
)
def test_the_script_replays_other_folds_and_halving(service, tmp_path, spec):
    dataset_id = upload_messy(service)
    estimator = "random_forest" if "resource" in spec.get("halving", {}) else "decision_tree"
    job = finished_job(service, dataset_id, estimator, REGRESSION, **spec)
    check_script(service, job, tmp_path)


def test_a_job_without_a_result_has_no_script_and_an_unknown_one_is_not_found(service):
    dataset_id = upload_messy(service)
    job_id = submit(service, dataset_id, target="label", estimator="ridge", n_trials=2)
    with pytest.raises(Conflict, match="queued"):
        job_script(service, OWNER, job_id)
    with pytest.raises(NotFound):
        job_script(service, "someone-else", job_id)
    with pytest.raises(NotFound):
        job_script(service, OWNER, "no-such-job")


def test_the_script_is_served_as_a_python_attachment(service, client, tmp_path):
    job = finished_job(service, upload_messy(service), "ridge", REGRESSION)
    response = client.get(f"/v1/jobs/{job.id}/script")
    assert response.status_code == 200
    assert response.mimetype == "text/x-python"
    assert response.headers["Content-Disposition"] == f"attachment; filename={job.id}.py"
    assert response.get_data(as_text=True) == job_script(service, OWNER, job.id)


@pytest.mark.every_database
def test_the_script_of_an_unfinished_or_unknown_job_is_a_problem(client):
    created = client.post("/v1/datasets", data=messy_csv(), content_type="text/csv").json
    job = client.post(
        "/v1/jobs", json={"dataset_id": created["id"], "target": "label", "estimator": "knn"}
    ).json
    response = client.get(f"/v1/jobs/{job['id']}/script")
    assert response.status_code == 409 and response.content_type == "application/problem+json"
    assert "queued" in response.json["detail"]
    response = client.get("/v1/jobs/no-such-job/script")
    assert response.status_code == 404 and response.content_type == "application/problem+json"
    assert "no-such-job" in response.json["detail"]


def written(kind: str) -> bytes:
    """A small table (numbers, a text column with accents, a numeric target) written as
    ``kind`` says: the reader's other cases."""
    rng = np.random.default_rng(1)
    n = 90
    a, big = rng.normal(size=n), rng.uniform(1000, 90000, n)
    town = rng.choice(["Köln", "Zürich", "Malmö"], n)
    y = 2 * a + big / 30000 + (town == "Köln") + rng.normal(0, 0.3, n)
    cells = [(f"{a[i]:.2f}", f"{big[i]:.1f}", str(town[i]), f"{y[i]:.3f}") for i in range(n)]
    if kind == "sep_line":  # Excel's first line naming the separator
        lines = ["sep=;", "a;big;town;y", *(";".join(row) for row in cells)]
        return ("\n".join(lines) + "\n").encode()
    if kind == "cp1252":  # Windows-1252, CRLF; quoted decimal commas and thousands
        lines = ["a,big,town,y"] + [
            f'"{a_.replace(".", ",")}","{float(b_):,.1f}",{t},{y_}' for a_, b_, t, y_ in cells
        ]
        return ("\r\n".join(lines) + "\r\n").encode("cp1252")
    if kind == "utf16":  # UTF-16 with a byte-order mark, tabs
        lines = ["a\tbig\ttown\ty", *("\t".join(row) for row in cells)]
        return ("\n".join(lines) + "\n").encode("utf-16")
    assert kind == "nul"  # stray NUL bytes
    lines = ["a,big,town,y", *(f"{a_},{b_},{t}\x00,{y_}" for a_, b_, t, y_ in cells)]
    return ("\n".join(lines) + "\n").encode()


def check_written(service, tmp_path: Path, data: bytes, dataset_id: str, **spec) -> str:
    job = finished_job(
        service, dataset_id, "ridge", REGRESSION, target="y", exclude_columns=[], **spec
    )
    return check_script(service, job, tmp_path, data)


@pytest.mark.parametrize("kind", ["sep_line", "cp1252", "utf16", "nul"])
def test_the_script_reads_each_kind_of_file_as_the_service_did(service, tmp_path, kind):
    data = written(kind)
    dataset = service.upload_dataset(OWNER, [data], f"{kind}.csv")
    text = check_written(service, tmp_path, data, dataset.id)
    expected = {
        "sep_line": "SKIP_FIRST_LINE = True",
        "cp1252": "ENCODING = 'cp1252'",
        "utf16": "ENCODING = 'utf-16'",
        "nul": "REMOVE_NUL_BYTES = True",
    }[kind]
    assert expected in text
    if kind == "cp1252":
        assert "NUMBER_COLUMNS = {'a': ',', 'big': '.'" in text  # the column's own mark


def test_a_dataset_stored_before_readings_gets_its_separator_sniffed(service, tmp_path):
    data = written("sep_line").split(b"\n", 1)[1]  # ';' without the sep= line
    dataset = service.upload_dataset(OWNER, [data], "old.csv")
    with service.sessions() as session, session.begin():
        session.get(Dataset, dataset.id).warnings = None  # as stored before warnings
    assert "SEPARATOR = ';'" in check_written(service, tmp_path, data, dataset.id)


def test_the_script_replays_group_folds(service, tmp_path):
    dataset_id = upload_messy(service)
    cv = {"folds": 3, "kind": "group", "group_column": "b"}
    job = finished_job(service, dataset_id, "knn", CLASSIFICATION, cv=cv)
    text = check_script(service, job, tmp_path)
    assert "GROUP_COLUMN = 'b'" in text and "GroupKFold(3)" in text


def test_names_a_client_chose_stay_data_in_the_script(service, tmp_path):
    # a dataset name and a column name that would end the docstring and run as code
    evil = 'x"""\nraise SystemExit("ran")\n"""'
    data = written("sep_line").replace(b";y\n", b';y"""\n', 1)
    dataset = service.upload_dataset(OWNER, [data], evil)
    target = 'y"""'
    assert target in [c["name"] for c in service.get_dataset(OWNER, dataset.id).columns]
    job = finished_job(service, dataset.id, "ridge", REGRESSION, target=target, exclude_columns=[])
    text = check_script(service, job, tmp_path, data)
    # the script ran to its end (check_script), and both names are in its docstring
    assert ast.get_docstring(ast.parse(text)).count('"""') == 3


def test_the_script_of_an_auto_job_replays_its_chosen_family(service, tmp_path):
    # given an auto job over two families that preprocess differently
    dataset_id = upload_messy(service)
    space = {"estimator": ["ridge", "random_forest"], "random_forest.max_depth": [2, 4]}
    job = finished_job(service, dataset_id, "auto", REGRESSION, param_space=space)
    # then the script is the chosen family's pipeline, and replays its best trial
    text = check_script(service, job, tmp_path)
    family = job.result["estimator"]
    assert family in ("ridge", "random_forest")
    assert f"# {CATALOG[family].title}:" in text
