"""marshmallow schemas: they validate requests, shape responses, and write the OpenAPI document."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from models.catalog import TASKS
from models.records import JobStatus
from models.spec import CV_KINDS, STRATEGIES

MAX_PAGE = 100


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem document."""

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(metadata={"example": "Unprocessable Entity"})
    status = fields.Integer(metadata={"example": 422})
    detail = fields.String(metadata={"example": "the request is invalid: estimator"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={
            "description": "for validation errors: messages by field (dotted path)",
            "example": {"estimator": ["unknown estimator 'xgb'"]},
        },
    )


class PageArgsSchema(StrictSchema):
    limit = fields.Integer(
        load_default=20,
        validate=validate.Range(1, MAX_PAGE),
        metadata={"description": f"items per page, 1 to {MAX_PAGE}"},
    )
    cursor = fields.String(metadata={"description": "the `next` cursor of the previous page"})


class JobListArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf([s.value for s in JobStatus]))
    dataset_id = fields.String()


class ColumnSchema(ma.Schema):
    name = fields.String(required=True)
    dtype = fields.String(
        required=True, metadata={"description": "integer | float | boolean | string"}
    )
    n_missing = fields.Integer(required=True)
    n_unique = fields.Integer(required=True)


class DatasetSchema(ma.Schema):
    id = fields.String(required=True, metadata={"example": "ds_0190f3a2b7c41e2f9a0b3c4d5e6f7a8b"})
    name = fields.String(required=True)
    n_rows = fields.Integer(required=True)
    n_columns = fields.Integer(required=True)
    columns = fields.List(fields.Nested(ColumnSchema), required=True)
    sha256 = fields.String(required=True)
    size_bytes = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)


class DatasetPageSchema(ma.Schema):
    items = fields.List(fields.Nested(DatasetSchema), required=True)
    next = fields.String(
        required=True, allow_none=True, metadata={"description": "URL of the next page, or null"}
    )


class CVSchema(StrictSchema):
    folds = fields.Integer(validate=validate.Range(2, 20), metadata={"example": 5})
    kind = fields.String(
        validate=validate.OneOf(CV_KINDS),
        metadata={"description": "default: stratified for classification"},
    )
    shuffle = fields.Boolean(metadata={"description": "default true"})
    random_state = fields.Integer(allow_none=True, validate=validate.Range(0, 2**32 - 1))


class SearchSpecSchema(StrictSchema):
    """What to search. Omitted fields take the documented defaults."""

    dataset_id = fields.String(required=True)
    target = fields.String(required=True, metadata={"example": "target"})
    task = fields.String(
        validate=validate.OneOf(TASKS),
        metadata={"description": "default: inferred from the target column"},
    )
    estimator = fields.String(required=True, metadata={"example": "decision_tree"})
    strategy = fields.String(
        validate=validate.OneOf(STRATEGIES), metadata={"description": "default: random"}
    )
    param_space = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(allow_none=True),
        metadata={
            "description": "estimator parameter → dimension; default: the catalog's",
            "example": {
                "max_depth": [2, 4, 8, None],
                "min_samples_leaf": {"type": "int", "low": 1, "high": 20},
            },
        },
    )
    n_trials = fields.Integer(
        validate=validate.Range(1),
        metadata={"description": "random search: how many candidates (default 20)"},
    )
    timeout_s = fields.Integer(
        validate=validate.Range(1),
        metadata={"description": "no trial starts after this many seconds (default 3600)"},
    )
    cv = fields.Nested(CVSchema)
    scoring = fields.String(
        metadata={
            "description": "a scikit-learn scorer name; default roc_auc (binary), "
            "balanced_accuracy (multiclass), r2 (regression)"
        }
    )
    test_size = fields.Float(
        validate=validate.Range(0, 0.9),
        metadata={"description": "share of rows held out and scored once (default 0.2; 0: none)"},
    )
    random_state = fields.Integer(allow_none=True, validate=validate.Range(0, 2**32 - 1))


class ProgressSchema(ma.Schema):
    trials_completed = fields.Integer(required=True)
    trials_total = fields.Integer(required=True)


class JobSchema(ma.Schema):
    id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in JobStatus]))
    dataset_id = fields.String(required=True)
    spec = fields.Dict(required=True, metadata={"description": "the spec with defaults filled in"})
    progress = fields.Nested(ProgressSchema, required=True)
    best_score = fields.Float(required=True, allow_none=True)
    best_params = fields.Dict(required=True, allow_none=True)
    stopped_reason = fields.String(
        required=True, allow_none=True, metadata={"description": "completed | timeout | cancelled"}
    )
    error = fields.String(required=True, allow_none=True)
    attempts = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    started_at = fields.DateTime(required=True, allow_none=True)
    finished_at = fields.DateTime(required=True, allow_none=True)


class JobPageSchema(ma.Schema):
    items = fields.List(fields.Nested(JobSchema), required=True)
    next = fields.String(required=True, allow_none=True)


class TrialSchema(ma.Schema):
    number = fields.Integer(required=True)
    params = fields.Dict(required=True)
    state = fields.String(required=True, metadata={"description": "succeeded | failed"})
    fold_scores = fields.List(fields.Float(), required=True)
    mean_score = fields.Float(required=True, allow_none=True)
    std_score = fields.Float(required=True, allow_none=True)
    fit_time_s = fields.Float(required=True)
    score_time_s = fields.Float(required=True)
    error = fields.String(required=True, allow_none=True)
    finished_at = fields.DateTime(required=True)


class TrialPageSchema(ma.Schema):
    items = fields.List(fields.Nested(TrialSchema), required=True)
    next = fields.String(required=True, allow_none=True)


class ColumnTreatmentSchema(ma.Schema):
    column = fields.String(required=True)
    treatment = fields.String(
        required=True, metadata={"description": "numeric | one_hot | dropped"}
    )
    reason = fields.String(required=True)


class ModelInfoSchema(ma.Schema):
    format = fields.String(required=True, metadata={"example": "joblib"})
    sha256 = fields.String(required=True)
    size_bytes = fields.Integer(required=True)
    sklearn_version = fields.String(required=True)
    joblib_version = fields.String(required=True)
    feature_columns = fields.List(fields.String(), required=True)
    target = fields.String(required=True)
    classes = fields.List(fields.Raw(), required=True, allow_none=True)


class ResultSchema(ma.Schema):
    job_id = fields.String(required=True)
    best_params = fields.Dict(required=True)
    best_score = fields.Float(required=True)
    best_trial = fields.Integer(required=True)
    scoring = fields.String(required=True)
    test_score = fields.Float(required=True, allow_none=True)
    n_trials = fields.Integer(required=True)
    n_failed_trials = fields.Integer(required=True)
    n_train_rows = fields.Integer(required=True)
    n_test_rows = fields.Integer(required=True)
    dropped_target_rows = fields.Integer(required=True)
    stopped_reason = fields.String(required=True, allow_none=True)
    columns = fields.List(fields.Nested(ColumnTreatmentSchema), required=True)
    model = fields.Nested(ModelInfoSchema, required=True)


class EstimatorSchema(ma.Schema):
    name = fields.String(required=True)
    title = fields.String(required=True)
    tasks = fields.List(fields.String(), required=True)
    params = fields.Dict(
        required=True, metadata={"description": "task → parameter → {type, low, high, choices}"}
    )
    default_space = fields.Dict(required=True, metadata={"description": "task → space"})


class EstimatorListSchema(ma.Schema):
    items = fields.List(fields.Nested(EstimatorSchema), required=True)


class HealthSchema(ma.Schema):
    status = fields.String(required=True)
    checks = fields.Dict(keys=fields.String(), values=fields.String())
