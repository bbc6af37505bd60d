"""One schema per document: every channel sends the same dump, and it is what the OpenAPI
document says (checked here with jsonschema; live, with schemathesis)."""

from __future__ import annotations

import dataclasses
import json

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from api.services import service
from models.documents import EVENTS, JobSchema, ResultSchema
from models.engine.training import SearchSummary
from models.store.records import DEFAULT_OWNER, Job
from tests.unit.test_events import parse
from tests.unit.test_openapi import generated

CSV = b"x,s,y\n" + b"".join(b"%d,%s,%d\n" % (i, b"ab"[i % 2 :][:1], i % 3 % 2) for i in range(40))
DOCUMENT = "urn:tuneforge:openapi"
DATA = {"status": "Job", "trial": "Trial", "best": "JobBest", "end": "JobEnd"}


@pytest.fixture
def succeeded_job(client, app) -> str:
    """A job the worker's code ran to the end: trials, a best, a result, a model."""
    dataset = client.post("/v1/datasets", data=CSV, content_type="text/csv").json
    job = client.post(
        "/v1/jobs",
        json={
            "dataset_id": dataset["id"],
            "target": "y",
            "estimator": "knn",
            "n_trials": 2,
            "cv": {"folds": 2},
            "scoring": ["roc_auc", "accuracy"],
        },
    ).json
    with app.app_context():
        assert service().run_to_end(job["id"], "test") == "succeeded"
    return job["id"]


@pytest.fixture
def conforms(app):
    """``conforms(value, name)``: whether ``value`` is a valid ``name`` component."""
    document = generated(app)
    registry = Registry().with_resource(
        DOCUMENT, Resource.from_contents(document, default_specification=DRAFT202012)
    )

    def check(value: object, name: str) -> None:
        schema = {"$ref": f"{DOCUMENT}#/components/schemas/{name}"}
        Draft202012Validator(schema, registry=registry).validate(value)

    return check


def test_webhooks_events_and_http_send_the_same_job_document(client, app, succeeded_job):
    served = client.get(f"/v1/jobs/{succeeded_job}").json
    with app.app_context():
        record = service().get_job(DEFAULT_OWNER, succeeded_job)
    # what tasks/webhooks.py posts as the job, once it is JSON
    assert json.loads(json.dumps(JobSchema().dump(record))) == served
    events = parse(client.get(f"/v1/jobs/{succeeded_job}/events").get_data(as_text=True))
    by_kind = {}
    for kind, _, data in events:
        by_kind.setdefault(kind, []).append(data)
    assert by_kind["status"] == [served]
    assert by_kind["trial"] == client.get(f"/v1/jobs/{succeeded_job}/trials").json["items"]
    best = {"best_trial": record.best_trial, "best_score": served["best_score"]}
    assert by_kind["best"] == [best | {"best_params": served["best_params"]}]
    assert by_kind["end"] == [{"status": "succeeded"}]


def test_every_served_document_is_what_the_openapi_document_describes(
    client, succeeded_job, conforms
):
    job = client.get(f"/v1/jobs/{succeeded_job}").json
    conforms(job, "Job")
    conforms(client.get("/v1/jobs").json, "JobPage")
    conforms(client.get(f"/v1/jobs/{succeeded_job}/trials").json, "TrialPage")
    conforms(client.get(f"/v1/jobs/{succeeded_job}/result").json, "Result")
    conforms(client.get(f"/v1/datasets/{job['dataset_id']}").json, "Dataset")
    conforms(client.get("/v1/datasets").json, "DatasetPage")
    conforms(client.get("/v1/estimators").json, "EstimatorList")
    body = client.get(f"/v1/jobs/{succeeded_job}/events").get_data(as_text=True)
    for kind, event_id, data in parse(body):
        name = EVENTS[kind].__name__.removesuffix("Schema")
        conforms({"event": kind, "id": event_id, "data": json.dumps(data)}, name)
        conforms(data, DATA[kind])


def test_a_queued_job_with_halving_and_holdout_is_described_too(client, conforms):
    dataset = client.post("/v1/datasets", data=CSV, content_type="text/csv").json
    job = client.post(
        "/v1/jobs",
        json={
            "dataset_id": dataset["id"],
            "target": "y",
            "estimator": "svm",
            "strategy": "halving",
            "halving": {"factor": 2, "n_candidates": 4, "min_resources": "exhaust"},
            "cv": {"kind": "holdout"},
            "test_size": 0,
        },
    )
    assert job.status_code == 202, job.json
    conforms(job.json, "Job")
    assert job.json["spec"]["cv"]["folds"] == 1 and job.json["stopped_reason"] is None


def test_the_result_document_is_the_stored_summary_with_the_job_id_and_stop_reason():
    # given the summary a finished run stores (results written before multi-metric scoring
    # lacked scores and n_pruned_trials: migration 7900d3c1ea0d fills them, see
    # test_migrations.py)
    summary = SearchSummary(
        best_params={"n_neighbors": 3},
        best_score=0.9,
        best_trial=0,
        scoring="roc_auc",
        test_score=None,
        scores={"roc_auc": {"cv": 0.9, "cv_std": 0.01, "test": None}},
        n_trials=1,
        n_failed_trials=0,
        n_pruned_trials=0,
        n_train_rows=30,
        n_test_rows=0,
        dropped_target_rows=0,
        columns=[],
        model={},
    )
    job = Job(id="job_1", stopped_reason="completed", result=dataclasses.asdict(summary))
    # when it is served
    document = ResultSchema().dump(job)
    # then every field of the summary is there, as stored
    assert {k: document[k] for k in dataclasses.asdict(summary) if k != "model"} == {
        k: v for k, v in dataclasses.asdict(summary).items() if k != "model"
    }
    assert document["job_id"] == "job_1" and document["stopped_reason"] == "completed"
