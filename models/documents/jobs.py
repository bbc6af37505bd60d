"""A job, its trials and its result, dumped straight from the store's records.

The same dump is the HTTP body, the webhook's ``job`` and the events' ``data``.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from models.documents.fields import Inline, Scalar, nullable_one_of, one_of, params_field
from models.documents.specs import SCORER_NAMES, JobSpecSchema
from models.engine.evaluate import TrialState
from models.engine.preprocess import TREATMENTS
from models.store.artifacts import MODEL_FORMAT
from models.store.jobs import eta_seconds
from models.store.records import Job, JobStatus, StoppedReason


class ProgressSchema(ma.Schema):
    """How far a job is (its own counters, and an estimate of the time left)."""

    trials_completed = fields.Integer(required=True)
    trials_total = fields.Integer(required=True)
    eta_s = fields.Function(
        eta_seconds,
        required=True,
        allow_none=True,
        metadata={
            "type": "number",
            "description": "estimated seconds left, from the trials so far (null until known)",
        },
    )


class JobSchema(ma.Schema):
    """A search job (a :class:`~models.store.records.Job` row)."""

    id = fields.String(required=True)
    status = fields.String(required=True, validate=one_of(JobStatus))
    dataset_id = fields.String(required=True)
    spec = fields.Nested(JobSpecSchema, required=True)
    progress = Inline(ProgressSchema, required=True)
    best_score = fields.Float(required=True, allow_none=True)
    best_params = params_field(required=True, allow_none=True)
    stopped_reason = nullable_one_of(
        StoppedReason,
        required=True,
        metadata={"description": "why the search stopped proposing candidates, once finished"},
    )
    error = fields.String(required=True, allow_none=True)
    attempts = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    started_at = fields.DateTime(required=True, allow_none=True)
    finished_at = fields.DateTime(required=True, allow_none=True)


class MetricSchema(ma.Schema):
    """One metric of a trial, over its folds."""

    mean = fields.Float(required=True)
    std = fields.Float(required=True)
    fold_scores = fields.List(fields.Float(), required=True)


class TrialSchema(ma.Schema):
    """One evaluated candidate (a :class:`~models.store.records.Trial` row)."""

    number = fields.Integer(required=True)
    params = params_field(required=True)
    state = fields.String(required=True, validate=one_of(TrialState))
    fold_scores = fields.List(fields.Float(), required=True)
    mean_score = fields.Float(required=True, allow_none=True)
    std_score = fields.Float(required=True, allow_none=True)
    fit_time_s = fields.Float(required=True)
    score_time_s = fields.Float(required=True)
    error = fields.String(required=True, allow_none=True)
    metrics = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(MetricSchema),
        required=True,
        metadata={"description": "every requested metric, by scorer name"},
    )
    rung = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "halving: the rung (0 is the first)"},
    )
    resource = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "halving: rows, or the budget parameter's value, this trial used"},
    )
    started_at = fields.DateTime(
        required=True, allow_none=True, metadata={"description": "null before fan-out"}
    )
    finished_at = fields.DateTime(required=True)
    worker = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "the worker that ran it: host name and process id"},
    )


class ScoreSchema(ma.Schema):
    """One metric of the best candidate: cross-validated, and on the held-out rows."""

    cv = fields.Float(required=True)
    cv_std = fields.Float(required=True)
    test = fields.Float(required=True, allow_none=True)


class ColumnTreatmentSchema(ma.Schema):
    """What preprocessing did with one input column, and why."""

    column = fields.String(required=True)
    treatment = fields.String(required=True, validate=one_of(TREATMENTS))
    reason = fields.String(required=True)


class ModelInfoSchema(ma.Schema):
    """The trained model file."""

    format = fields.String(
        required=True, validate=one_of([MODEL_FORMAT]), metadata={"example": MODEL_FORMAT}
    )
    sha256 = fields.String(required=True)
    size_bytes = fields.Integer(required=True)
    sklearn_version = fields.String(required=True)
    joblib_version = fields.String(required=True)
    feature_columns = fields.List(fields.String(), required=True)
    target = fields.String(required=True)
    classes = fields.List(Scalar(), required=True, allow_none=True)


class ResultSchema(ma.Schema):
    """What a succeeded job found: dumped from the job, whose ``result`` the run wrote."""

    job_id = fields.String(required=True)
    best_params = params_field(required=True)
    best_score = fields.Float(required=True)
    best_trial = fields.Integer(required=True)
    scoring = fields.String(required=True, validate=one_of(SCORER_NAMES))
    test_score = fields.Float(required=True, allow_none=True)
    scores = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(ScoreSchema),
        required=True,
        metadata={"description": "every metric of the best trial, by scorer name"},
    )
    n_trials = fields.Integer(required=True)
    n_failed_trials = fields.Integer(required=True)
    n_pruned_trials = fields.Integer(required=True)
    n_train_rows = fields.Integer(required=True)
    n_test_rows = fields.Integer(required=True)
    dropped_target_rows = fields.Integer(required=True)
    stopped_reason = nullable_one_of(StoppedReason, required=True)
    columns = fields.List(fields.Nested(ColumnTreatmentSchema), required=True)
    model = fields.Nested(ModelInfoSchema, required=True)

    @ma.pre_dump
    def _from_job(self, job: Job, **_: Any) -> dict[str, Any]:
        return {"job_id": job.id, "stopped_reason": job.stopped_reason, **job.result}
