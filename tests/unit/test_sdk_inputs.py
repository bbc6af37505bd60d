"""The SDK takes what people naturally write, against the real API (the app in this
process, on a SQLite file and a storage folder; jobs are run here with ``run_to_end``,
the worker's own loop): the objects calls return, a DataFrame, ``cv=5``, ``scipy.stats``
distributions, ``{"low", "high"}`` ranges; plain dicts back; and every mistake at once."""

from __future__ import annotations

import hashlib
import json

import httpx
import pandas as pd
import pytest
import tuneforge
from scipy.stats import loguniform, norm, randint, uniform
from sklearn.model_selection import KFold
from sklearn.neighbors import KNeighborsClassifier

from api.services import service

URL = "http://127.0.0.1"  # a loopback name: a service without keys answers only those


@pytest.fixture
def api(app) -> tuneforge.Client:
    """The SDK's client, its requests served by ``app`` in this process."""
    client = tuneforge.Client(URL)
    client._http = httpx.Client(base_url=URL, transport=httpx.WSGITransport(app=app))
    return client


@pytest.fixture
def cancer(breast_cancer: pd.DataFrame) -> pd.DataFrame:
    return breast_cancer.head(200)


def run(app, job) -> None:
    """What a worker does with the job, here."""
    with app.app_context():
        assert service().run_to_end(job.id, "test") == "succeeded"


def test_each_call_takes_the_object_the_previous_call_returned(api, app, cancer):
    # given a table uploaded as a DataFrame, and a search submitted on the Dataset object
    dataset = api.upload(cancer)
    job = api.submit(dataset_id=dataset, target="target", estimator="knn", n_trials=2, cv=3)
    run(app, job)
    # when the job, its result, trials and model are asked for with the objects
    done = api.wait(job, timeout=10)
    result = api.result(done)
    trials = list(api.trials(done))
    model = api.load_model(done)
    # then each is the job's
    assert done.status == "succeeded" and result.job_id == job.id
    assert sorted(t.number for t in trials) == [0, 1]
    assert model.predict(cancer.drop(columns="target").head(3)).shape == (3,)
    assert api.job(result).id == job.id
    assert api.dataset(dataset).id == dataset.id
    assert [j.id for j in api.jobs(dataset_id=dataset)] == [job.id]
    assert api.importance(job)["job_id"] == job.id


def test_a_call_given_something_else_says_what_it_takes(api):
    with pytest.raises(TypeError, match="expected a job id, a Job, a Result or a TuneResult"):
        api.wait({"id": "job_1"})
    with pytest.raises(TypeError, match="expected a dataset id, a Dataset or a TuneResult"):
        api.dataset(42)


def test_a_dataframe_uploads_as_its_csv_named_for_what_it_is(api, cancer):
    # when a DataFrame is uploaded
    dataset = api.upload(cancer)
    # then the service read its rows and columns, sent as CSV without the row numbers
    assert (dataset.name, dataset.n_rows, dataset.n_columns) == ("dataframe.csv", 200, 31)
    assert [c.name for c in dataset.columns] == list(cancer.columns)
    csv = cancer.to_csv(index=False).encode()
    assert dataset.sha256 == hashlib.sha256(csv).hexdigest()
    # and a named index is data (an id, a date): it is sent as a column, under a given name
    indexed = cancer.rename_axis("patient")
    named = api.upload(indexed, name="patients.csv")
    assert named.name == "patients.csv" and named.columns[0].name == "patient"


def test_best_params_and_the_other_maps_are_plain_dicts(api, app, cancer):
    # given a finished search
    dataset = api.upload(cancer)
    job = api.submit(dataset_id=dataset, target="target", estimator="knn", n_trials=2, cv=3)
    run(app, job)
    result, job = api.result(job), api.job(job)
    trial = next(api.trials(job))
    # then its maps are dicts: dict(), ** and json.dumps take them as they are
    best = dict(result.best_params)
    assert best and set(best) <= {"n_neighbors", "weights", "p"}
    assert (
        KNeighborsClassifier(**result.best_params).get_params()["n_neighbors"]
        == best["n_neighbors"]
    )
    assert json.loads(json.dumps(result.best_params)) == best
    assert json.loads(json.dumps(job.best_params)) == best
    assert json.loads(json.dumps(trial.params)) == dict(trial.params)
    assert isinstance(result.scores, dict) and set(result.scores) == {"roc_auc"}
    # and they still read as the generated models do
    assert result.best_params.to_dict() == best == dict(result.best_params.additional_properties)


def test_cv_5_means_five_folds_as_in_scikit_learn(api, cancer):
    dataset = api.upload(cancer)
    job = api.submit(dataset_id=dataset, target="target", estimator="knn", cv=5)
    assert (job.spec.cv.folds, job.spec.cv.kind) == (5, "stratified")


def test_scipy_distributions_are_the_ranges_scipy_samples_from(api, cancer):
    dataset = api.upload(cancer)
    # when a search is written as for RandomizedSearchCV
    job = api.submit(
        dataset_id=dataset,
        target="target",
        estimator="svm",
        param_space={
            "C": loguniform(1e-3, 1e2),
            "gamma": uniform(0.01, 0.5),
            "degree": randint(2, 5),
            "coef0": uniform,  # the generator itself: its standard form, 0 to 1
            "kernel": ["poly"],
        },
    )
    # then each is the range scipy draws from: randint's high is exclusive
    space = {name: dim.to_dict() for name, dim in job.spec.param_space.items()}
    assert space["C"] == {"type": "float", "low": 1e-3, "high": 100.0, "log": True}
    assert space["gamma"] == {"type": "float", "low": 0.01, "high": 0.51, "log": False}
    assert space["degree"] == {"type": "int", "low": 2, "high": 4, "log": False}
    assert space["coef0"] == {"type": "float", "low": 0.0, "high": 1.0, "log": False}


def test_a_low_high_range_takes_the_parameters_own_type(api, cancer):
    dataset = api.upload(cancer)
    job = api.submit(
        dataset_id=dataset,
        target="target",
        estimator="logistic_regression",
        param_space={
            "C": {"low": 1, "high": 100, "log": True},
            "max_iter": {"low": 100, "high": 300},
        },
    )
    space = {name: dim.to_dict() for name, dim in job.spec.param_space.items()}
    assert space["C"] == {"type": "float", "low": 1.0, "high": 100.0, "log": True}
    assert space["max_iter"] == {"type": "int", "low": 100, "high": 300, "log": False}


def test_what_has_no_single_meaning_is_refused_naming_each_field_before_sending(api, cancer):
    dataset = api.upload(cancer)
    # when a spec has a tuple, a distribution with no range, and a scikit-learn splitter
    with pytest.raises(tuneforge.SpecError) as refused:
        api.submit(
            dataset_id=dataset,
            target="target",
            estimator="knn",
            param_space={
                "n_neighbors": (8, 64),
                "p": norm(1, 2),
                "leaf_size": loguniform(1, 10, loc=1),
                "weights": ["uniform"],
            },
            cv=KFold(3),
        )
    # then one error names each, and says what to write instead
    assert set(refused.value.errors) == {
        "param_space.n_neighbors",
        "param_space.p",
        "param_space.leaf_size",
        "cv",
    }
    lines = str(refused.value).splitlines()
    assert lines[0] == "the spec cannot be sent as written"
    assert (
        "  param_space.n_neighbors: a tuple (8, 64) is ambiguous: use a list for choices or "
        '{"low": .., "high": ..} for a range'
    ) in lines
    assert any(
        line.startswith("  param_space.p: scipy.stats.norm cannot be searched") for line in lines
    )
    assert any(line.startswith("  cv: a scikit-learn splitter (KFold)") for line in lines)
    assert (
        "  param_space.leaf_size: loguniform with loc=1 is not log-uniform; leave loc out" in lines
    )
    # and nothing was sent
    assert list(api.jobs()) == []
    assert isinstance(refused.value, ValueError)


def test_a_spec_with_several_mistakes_is_refused_once_naming_each(api, cancer):
    dataset = api.upload(cancer)
    # when a spec has five mistakes the service finds against the dataset and its limits
    with pytest.raises(tuneforge.ValidationError) as refused:
        api.submit(
            dataset_id=dataset,
            target="targte",
            estimator="knnn",
            n_trials=10**6,
            timeout_s=10**9,
            exclude_columns=["id", "row"],
        )
    # then one 422 names each field, and its message lists them all
    fields = {"estimator", "target", "exclude_columns", "n_trials", "timeout_s"}
    assert set(refused.value.errors) == fields
    message = str(refused.value)
    assert message.startswith("422 Unprocessable Entity: the spec is invalid: ")
    assert all(f"\n  {field}: " in message for field in fields)
    assert "no column 'targte'" in message and "no columns 'id', 'row'" in message

    # and on a valid target, every other mistake: scorer, folds, two parameters
    with pytest.raises(tuneforge.ValidationError) as again:
        api.submit(
            dataset_id=dataset,
            target="target",
            estimator="knn",
            scoring="r2",
            cv={"folds": 1},
            param_space={"n_neighbors": {"type": "int", "low": 0, "high": 5}, "leaf": [1]},
        )
    assert set(again.value.errors) == {
        "scoring",
        "cv.folds",
        "param_space.n_neighbors",
        "param_space.leaf",
    }
