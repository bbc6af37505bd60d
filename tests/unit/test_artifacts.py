"""Model files: every catalog estimator's pipeline is saved as joblib and as skops, and the
skops file loads trusting only the types its metadata lists, all scikit-learn's or numpy's."""

from __future__ import annotations

import joblib
import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from models.engine.catalog import CATALOG, CLASSIFICATION
from models.engine.preprocess import MAX_ONE_HOT, build_preprocessor, plan_columns
from models.store.artifacts import (
    SKOPS_FORMAT,
    TRUSTED_MODULES,
    delete_model,
    model_key,
    save_model,
    trusted_types,
)
from models.store.storage import LocalStorage

N_ROWS = 120
CITIES = MAX_ONE_HOT + 10  # more than one-hot takes: the top few, or an integer for trees
ENTRY_TASKS = [(name, task) for name, entry in CATALOG.items() for task in entry.tasks]
# Where the boosting libraries' models need more: their own types, LightGBM an ordered dict
# and XGBoost's classifier our subclass that codes its labels (models.engine.boosters).
LIBRARIES = {"lightgbm": {"lightgbm", "collections"}, "xgboost": {"xgboost", "models"}}


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    """Numbers, few- and many-valued text and booleans, each with gaps."""
    rng = np.random.default_rng(0)
    gaps = rng.random((N_ROWS, 4)) < 0.1
    return pd.DataFrame(
        {
            "num": np.where(gaps[:, 0], np.nan, rng.normal(size=N_ROWS)),
            "colour": pd.Series(rng.choice(["red", "green", "blue"], N_ROWS)).mask(gaps[:, 1]),
            "city": pd.Series([f"city{i % CITIES}" for i in range(N_ROWS)]).mask(gaps[:, 2]),
            "member": pd.Series(rng.random(N_ROWS) > 0.5, dtype=object).mask(gaps[:, 3]),
        }
    )


def profiles(frame: pd.DataFrame) -> list[dict]:
    dtypes = {"num": "float", "colour": "string", "city": "string", "member": "boolean"}
    return [
        {
            "name": name,
            "dtype": dtypes[name],
            "n_missing": int(frame[name].isna().sum()),
            "n_unique": int(frame[name].nunique()),
        }
        for name in frame.columns
    ]


def fitted(name: str, task: str, frame: pd.DataFrame) -> Pipeline:
    entry = CATALOG[name]
    plan = plan_columns(profiles(frame), len(frame), tree_based=entry.tree_based)
    # Small budgets (trees, iterations): what a file holds does not depend on them.
    model = entry.build(task, 0).set_params(**{p: 5 for p in entry.resource_params})
    pipeline = Pipeline([("preprocess", build_preprocessor(plan)), ("model", model)])
    num = frame["num"].fillna(0)
    y = np.where(num > 0, "yes", "no") if task == CLASSIFICATION else num * 3 + 1
    return pipeline.fit(frame, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # 5 iterations
@pytest.mark.parametrize(("name", "task"), ENTRY_TASKS, ids=[f"{n}-{t}" for n, t in ENTRY_TASKS])
def test_every_estimators_model_loads_from_skops_trusting_only_the_listed_types(
    name, task, frame, tmp_path
):
    # given a fitted pipeline of the estimator
    pipeline = fitted(name, task, frame)
    storage = LocalStorage(tmp_path)
    # when it is saved
    metadata = save_model(pipeline, storage, "job_1", features=list(frame.columns), target="y")
    # then the skops file is the one described, needs trusting only the types listed, all
    # from the libraries, and predicts as the joblib file does
    path = storage.local_copy(model_key("job_1", SKOPS_FORMAT))
    skops_file = metadata["skops"]
    assert skops_file["size_bytes"] == path.stat().st_size
    assert skops_file["trusted_types"] == sorted(skops.io.get_untrusted_types(file=path))
    allowed = {"sklearn", "numpy", "scipy"} | LIBRARIES.get(name, set())
    assert {t.split(".")[0] for t in skops_file["trusted_types"]} <= allowed
    loaded = skops.io.load(path, trusted=skops_file["trusted_types"])
    pickled = joblib.load(storage.local_copy(model_key("job_1")))
    np.testing.assert_array_equal(loaded.predict(frame), pickled.predict(frame))
    assert metadata["versions"]["scikit-learn"] == metadata["sklearn_version"]
    # and a model of a library beyond scikit-learn records that library's version too
    assert {"lightgbm", "xgboost"} & set(metadata["versions"]) == {name} & {"lightgbm", "xgboost"}


def test_a_type_from_outside_the_libraries_is_refused_not_listed(frame, tmp_path):
    # given a pipeline holding a function the service never puts in one
    pipeline = Pipeline([("odd", FunctionTransformer(len))])
    path = tmp_path / "model.skops"
    skops.io.dump(pipeline, path)
    # when its trusted types are asked for, then it is refused, naming the type
    assert "builtins" not in TRUSTED_MODULES
    with pytest.raises(ValueError, match=r"builtins\.len"):
        trusted_types(path)


def test_delete_model_removes_every_format(frame, tmp_path):
    storage = LocalStorage(tmp_path)
    save_model(fitted("ridge", CLASSIFICATION, frame), storage, "job_1", features=[], target="y")

    delete_model(storage, "job_1")

    assert not storage.exists(model_key("job_1"))
    assert not storage.exists(model_key("job_1", SKOPS_FORMAT))
