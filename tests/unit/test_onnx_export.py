"""ONNX export: every catalog estimator's pipeline, preprocessing included, converts to a
graph with one named input per column that ONNX Runtime runs like scikit-learn; what
cannot convert, or predicts otherwise, is recorded as unavailable with the reason."""

from __future__ import annotations

import numpy as np
import onnxruntime
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from models.engine.catalog import CATALOG, CLASSIFICATION
from models.engine.onnx_export import (
    ATOL,
    CHECK_ROWS,
    RTOL,
    check_rows,
    export_onnx,
    onnx_inputs,
)
from models.engine.preprocess import build_preprocessor, plan_columns
from models.engine.tables import profile_columns
from models.exceptions import Conflict
from models.store import artifacts
from models.store.artifacts import (
    ONNX_FORMAT,
    delete_model,
    model_key,
    onnx_file,
    save_model,
)
from models.store.storage import LocalStorage

N_ROWS = 240
N_TRAIN = 180
ENTRY_TASKS = [(name, task) for name, entry in CATALOG.items() for task in entry.tasks]


def table(n: int = N_ROWS, seed: int = 0) -> pd.DataFrame:
    """Numbers (with gaps, whole and huge ones), few- and many-valued text and booleans
    with gaps, and a column whose name is not a word."""
    rng = np.random.default_rng(seed)
    gaps = rng.random((n, 4)) < 0.1
    return pd.DataFrame(
        {
            "num": np.where(gaps[:, 0], np.nan, rng.normal(size=n)),
            "count": rng.integers(0, 40, n),
            "big id-ish": rng.integers(10**8, 10**9, n),
            "colour": pd.Series(rng.choice(["red", "green", "blue"], n)).mask(gaps[:, 1]),
            # more values than one-hot takes: the top few (linear) or one integer (trees)
            "city": pd.Series([f"city{int(i) % 45}" for i in rng.zipf(1.4, n)]).mask(gaps[:, 2]),
            "member": pd.Series(rng.random(n) > 0.5, dtype=object).mask(gaps[:, 3]),
            "petal length (cm)": np.round(rng.random(n) * 3, 1),
        }
    )


def target(frame: pd.DataFrame, task: str) -> np.ndarray:
    value = (
        frame["num"].fillna(0) * 2
        + frame["count"] / 10
        + (frame["colour"] == "red") * 1.5
        + frame["petal length (cm)"]
    ).to_numpy()
    if task == CLASSIFICATION:
        return np.select([value > 3, value > 1.5], ["high", "mid"], "low")
    return value


def fitted(name: str, task: str, frame: pd.DataFrame, **params) -> Pipeline:
    """The estimator's pipeline with the engine's preprocessing, fitted on the training rows
    (small budgets: trees and iterations)."""
    entry = CATALOG[name]
    profiles = [p.to_dict() for p in profile_columns(frame)]
    plan = plan_columns(profiles, len(frame), tree_based=entry.tree_based)
    model = entry.build(task, 0).set_params(**{p: 8 for p in entry.resource_params} | params)
    pipeline = Pipeline([("preprocess", build_preprocessor(plan)), ("model", model)])
    return pipeline.fit(frame.iloc[:N_TRAIN], target(frame, task)[:N_TRAIN])


def run(model: bytes, rows: pd.DataFrame, inputs: list[dict]) -> np.ndarray:
    session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
    return session.run(None, onnx_inputs(rows, inputs))[0]


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    frame = table()
    # held-back rows with a value never seen at fit
    frame.loc[N_TRAIN + 1, "colour"] = "violet"
    frame.loc[N_TRAIN + 2, "city"] = "atlantis"
    return frame


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(("name", "task"), ENTRY_TASKS, ids=[f"{n}-{t}" for n, t in ENTRY_TASKS])
def test_every_catalog_estimator_converts_and_onnx_runtime_predicts_like_scikit_learn(
    name, task, frame
):
    # given the estimator's pipeline, fitted through the engine's preprocessing
    pipeline = fitted(name, task, frame)
    held_back = frame.iloc[N_TRAIN:]
    # when it is exported, checked on the held-back rows
    exported = export_onnx(pipeline, held_back, "test")
    # then it is available, its check passed, and it has one named input per column
    assert exported.info["available"], exported.info.get("reason")
    inputs = exported.info["inputs"]
    assert [i["name"] for i in inputs] == list(frame.columns)
    types = {i["name"]: i["type"] for i in inputs}
    assert types["num"] == types["count"] == types["big id-ish"] == "double"
    assert types["colour"] == types["city"] == types["member"] == "string"
    session = onnxruntime.InferenceSession(exported.model, providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == list(frame.columns)
    assert exported.info["opset"] == {"": 18, "ai.onnx.ml": 3}
    assert exported.info["versions"]["onnxruntime"] == onnxruntime.__version__
    check = exported.info["check"]
    assert check["passed"] and check["rows"] == len(held_back) and check["source"] == "test"
    # and, run here, ONNX Runtime predicts what scikit-learn does on those rows
    got = run(exported.model, held_back, inputs).ravel()
    want = pipeline.predict(held_back)
    if task == CLASSIFICATION:
        assert check["labels_equal"] is True
        assert list(got) == list(want)
    else:
        assert check["tolerance"] == {"rtol": RTOL, "atol": ATOL}
        # (the check ran single-threaded: a forest's sums may round otherwise here)
        assert 0 <= check["max_abs_diff"] <= ATOL + RTOL * np.abs(want).max()
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


def test_a_pipeline_that_cannot_convert_is_unavailable_with_the_reason(frame):
    # given a pipeline with a step skl2onnx has no converter for (a function of its own)
    pipeline = Pipeline(
        [
            ("twice", FunctionTransformer(lambda X: X * 2)),
            ("model", CATALOG["ridge"].build("regression", 0)),
        ]
    )
    numbers = frame[["count", "petal length (cm)"]]
    pipeline.fit(numbers.iloc[:N_TRAIN], target(frame, "regression")[:N_TRAIN])
    # when it is exported, then there is no file, and the reason names the step
    exported = export_onnx(pipeline, numbers.iloc[N_TRAIN:], "test")
    assert exported.model is None
    assert exported.info["available"] is False
    assert "FunctionTransformer" in exported.info["reason"]


def noise_svr() -> tuple[Pipeline, pd.DataFrame]:
    """An SVR with a huge C fitted to noise around 0: its prediction is a sum of large
    terms that cancel, which float32 (ONNX's SVMRegressor) cannot add up closely enough."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"x{i}": rng.normal(size=N_ROWS) for i in range(4)})
    profiles = [p.to_dict() for p in profile_columns(frame)]
    model = CATALOG["svm"].build("regression", 0).set_params(kernel="rbf", C=1e5, gamma=0.5)
    pipeline = Pipeline([("preprocess", build_preprocessor(plan_columns(profiles, N_ROWS)))])
    pipeline.steps.append(("model", model))
    pipeline.fit(frame.iloc[:N_TRAIN], rng.normal(size=N_ROWS)[:N_TRAIN] * 300)
    return pipeline, frame.iloc[N_TRAIN:]


def test_a_graph_that_predicts_otherwise_is_unavailable_with_the_check_that_failed():
    # given a pipeline that converts, but whose graph cannot predict like it
    pipeline, held_back = noise_svr()
    # when it is exported, then the check against scikit-learn refuses it, saying by how much
    exported = export_onnx(pipeline, held_back, "test")
    assert exported.model is None
    assert exported.info["available"] is False
    assert "differ from scikit-learn's beyond the tolerance" in exported.info["reason"]


def test_knn_weighted_by_distance_converts_with_its_weights(frame):
    # skl2onnx 1.20 alone gives the distances negated, weighting every neighbour alike
    for task in ("regression", CLASSIFICATION):
        pipeline = fitted("knn", task, frame, weights="distance", n_neighbors=7, p=1)
        exported = export_onnx(pipeline, frame.iloc[N_TRAIN:], "test")
        assert exported.info["available"], exported.info.get("reason")
        got = run(exported.model, frame.iloc[N_TRAIN:], exported.info["inputs"]).ravel()
        want = pipeline.predict(frame.iloc[N_TRAIN:])
        if task == CLASSIFICATION:
            assert list(got) == list(want)
        else:
            np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_missing_text_may_be_empty_or_any_missing_spelling_and_booleans_any_case(frame):
    pipeline = fitted("logistic_regression", CLASSIFICATION, frame)
    exported = export_onnx(pipeline, frame.iloc[N_TRAIN:], "test")
    session = onnxruntime.InferenceSession(exported.model, providers=["CPUExecutionProvider"])
    row = frame.iloc[[N_TRAIN]].copy()
    row[["colour", "city", "member"]] = np.nan
    feeds = onnx_inputs(row, exported.info["inputs"])
    assert feeds["colour"][0, 0] == ""  # how a missing text value is given
    want = session.run(["probabilities"], feeds)[0]
    for spelling in ("NA", "nan", "null"):
        feeds = feeds | {name: np.array([[spelling]], dtype=object) for name in ("colour", "city")}
        assert np.array_equal(session.run(["probabilities"], feeds)[0], want)
    # scikit-learn agrees with the missing row
    np.testing.assert_allclose(want, pipeline.predict_proba(row), rtol=1e-4, atol=1e-5)
    row["member"] = True
    feeds = onnx_inputs(row, exported.info["inputs"])
    yes = session.run(["probabilities"], feeds)[0]
    feeds["member"] = np.array([["true"]], dtype=object)
    assert np.array_equal(session.run(["probabilities"], feeds)[0], yes)


def test_the_check_uses_the_test_rows_or_else_a_bounded_sample_of_the_training_rows():
    train, test = table(50), table(10, seed=1)
    rows, source = check_rows(test, train)
    assert source == "test" and rows.equals(test)
    rows, source = check_rows(None, train)
    assert source == "training_sample" and len(rows) == 50
    rows, source = check_rows(None, table(CHECK_ROWS + 10))
    assert len(rows) == CHECK_ROWS


def test_save_model_stores_the_checked_onnx_file_and_describes_it(frame, tmp_path):
    # given a fitted pipeline and storage
    storage = LocalStorage(tmp_path)
    pipeline = fitted("hist_gradient_boosting", "regression", frame)
    # when it is saved with held-back rows
    metadata = save_model(
        pipeline,
        storage,
        "job_1",
        features=list(frame.columns),
        target="y",
        onnx_rows=(frame.iloc[N_TRAIN:], "test"),
    )
    # then the ONNX file is stored under the job's key, described by sha256 and size
    onnx = metadata["onnx"]
    assert onnx["available"] and onnx["check"]["passed"] and onnx["seconds"] >= 0
    path = storage.local_copy(model_key("job_1", ONNX_FORMAT))
    assert path.stat().st_size == onnx["size_bytes"]
    import hashlib

    assert hashlib.sha256(path.read_bytes()).hexdigest() == onnx["sha256"]
    assert onnx_file("job_1", metadata) is onnx
    # and it goes with the job's other files
    delete_model(storage, "job_1")
    assert not storage.exists(model_key("job_1", ONNX_FORMAT))


def test_a_model_without_an_onnx_file_says_why(tmp_path):
    storage = LocalStorage(tmp_path)
    pipeline, held_back = noise_svr()
    metadata = save_model(
        pipeline,
        storage,
        "job_1",
        features=list(held_back.columns),
        target="y",
        onnx_rows=(held_back, "test"),
    )
    assert metadata["onnx"]["available"] is False
    assert not storage.exists(model_key("job_1", ONNX_FORMAT))
    with pytest.raises(Conflict, match="has no onnx file: ONNX Runtime's values differ") as err:
        onnx_file("job_1", metadata)
    assert err.value.field == "format"
    # a model saved before ONNX files were written
    with pytest.raises(Conflict, match="saved before ONNX files"):
        onnx_file("job_1", {k: v for k, v in metadata.items() if k != "onnx"})


def test_a_model_too_large_to_convert_in_reasonable_time_is_not_tried(frame, tmp_path, monkeypatch):
    monkeypatch.setattr(artifacts, "ONNX_MAX_SOURCE_BYTES", 1000)
    metadata = save_model(
        fitted("random_forest", "regression", frame),
        LocalStorage(tmp_path),
        "job_1",
        features=list(frame.columns),
        target="y",
        onnx_rows=(frame.iloc[N_TRAIN:], "test"),
    )
    assert metadata["onnx"]["available"] is False
    assert "MiB as joblib; ONNX files are made for models up to 0 MiB" in metadata["onnx"]["reason"]
    assert not LocalStorage(tmp_path).exists(model_key("job_1", ONNX_FORMAT))


@pytest.mark.parametrize("task", ["regression", CLASSIFICATION])
def test_columns_named_like_the_graphs_outputs_keep_their_names(task):
    # given columns called like the graph's outputs, and one that is not a word
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "label": rng.normal(size=N_ROWS),
            "variable": rng.normal(size=N_ROWS),
            "probabilities": rng.choice(["x", "y"], N_ROWS),
            "a b": rng.normal(size=N_ROWS),
        }
    )
    profiles = [p.to_dict() for p in profile_columns(frame)]
    y = frame["label"] > 0 if task == CLASSIFICATION else frame["label"] * 2
    pipeline = Pipeline(
        [
            ("preprocess", build_preprocessor(plan_columns(profiles, N_ROWS))),
            ("model", CATALOG["knn"].build(task, 0)),  # its graph has a subgraph (Scan)
        ]
    ).fit(frame.iloc[:N_TRAIN], np.asarray(y)[:N_TRAIN])
    # when it is exported
    exported = export_onnx(pipeline, frame.iloc[N_TRAIN:], "test")
    # then the inputs are the columns; the outputs that share a name get an underscore
    assert exported.info["available"], exported.info.get("reason")
    session = onnxruntime.InferenceSession(exported.model, providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == list(frame.columns)
    outputs = [o.name for o in session.get_outputs()]
    assert outputs == (["label_", "probabilities_"] if task == CLASSIFICATION else ["variable_"])
