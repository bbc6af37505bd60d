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
    shuffle = fields.Boolean(
        metadata={"description": "default true (false for group and timeseries)"}
    )
    random_state = fields.Integer(allow_none=True, validate=validate.Range(0, 2**32 - 1))
    group_column = fields.String(
        metadata={
            "description": "kind group: rows sharing a value "
            "stay in one fold (the column is not a feature)"
        }
    )
    validation_size = fields.Float(
        validate=validate.Range(0.05, 0.9),
        metadata={"description": "kind holdout: share of training rows scored (default 0.2)"},
    )


class HalvingSchema(StrictSchema):
    """Successive halving, with HalvingRandomSearchCV's meaning."""

    resource = fields.String(
        metadata={
            "description": "n_samples (default), or an estimator budget such as n_estimators or "
            "max_iter (see the catalog's resource_params)"
        }
    )
    factor = fields.Integer(
        validate=validate.Range(2, 10),
        metadata={
            "description": "keep the best 1/factor of each rung, with factor times the resource "
            "(default 3)"
        },
    )
    min_resources = fields.Raw(
        metadata={
            "description": "the first rung's resource: a number, smallest or exhaust (default: "
            "smallest, or exhaust when n_candidates is given)",
            "oneOf": [
                {"type": "integer", "minimum": 1},
                {"type": "string", "enum": ["smallest", "exhaust"]},
            ],
        }
    )
    max_resources = fields.Integer(
        validate=validate.Range(1),
        metadata={"description": "default: every training row, or the parameter's budget"},
    )
    n_candidates = fields.Integer(
        validate=validate.Range(2),
        metadata={
            "description": "first-rung candidates (default: max_resources // min_resources, "
            "at most 81)"
        },
    )

    @ma.validates("min_resources")
    def _min_resources(self, value: object, **_: object) -> None:
        ok = value in ("smallest", "exhaust") or (
            isinstance(value, int) and not isinstance(value, bool) and value >= 1
        )
        if not ok:
            raise ma.ValidationError("must be a positive integer, smallest or exhaust")


class ScoringField(fields.Raw):
    """A scorer name, or a list of them."""

    def _deserialize(
        self, value: object, attr: str | None, data: object, **kwargs: object
    ) -> str | list[str]:
        if isinstance(value, str) and value:
            return value
        if (
            isinstance(value, list)
            and value
            and len(value) <= 10
            and all(isinstance(v, str) and v for v in value)
        ):
            return value
        raise ma.ValidationError("must be a scorer name or a list of up to 10 of them")


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
    scoring = ScoringField(
        metadata={
            "description": "a scikit-learn scorer name, or a list of them (every trial "
            "reports each); default roc_auc (binary), balanced_accuracy (multiclass), "
            "r2 (regression)",
            "oneOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 10},
            ],
        }
    )
    refit = fields.String(
        metadata={
            "description": "with several scorers: the one that ranks candidates (default: first)"
        }
    )
    halving = fields.Nested(HalvingSchema)
    pruning = fields.Boolean(
        metadata={
            "description": "bayesian: stop a candidate after a fold whose running mean is below "
            "the median of earlier trials (default false)"
        }
    )
    webhook_url = fields.String(
        validate=validate.Length(max=2000),
        metadata={
            "description": "POSTed the job (signed, see the README) when it ends",
            "example": "https://example.com/hooks/tuneforge",
        },
    )
    exclude_columns = fields.List(
        fields.String(),
        validate=validate.Length(max=2000),
        metadata={"description": "columns that are not features"},
    )
    test_size = fields.Float(
        validate=validate.Range(0, 0.9),
        metadata={"description": "share of rows held out and scored once (default 0.2; 0: none)"},
    )
    random_state = fields.Integer(allow_none=True, validate=validate.Range(0, 2**32 - 1))


class ProgressSchema(ma.Schema):
    trials_completed = fields.Integer(required=True)
    trials_total = fields.Integer(required=True)
    eta_s = fields.Float(
        required=True,
        allow_none=True,
        metadata={
            "description": "estimated seconds left, from the trials so far (null until known)"
        },
    )


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
    state = fields.String(required=True, metadata={"description": "succeeded | failed | pruned"})
    fold_scores = fields.List(fields.Float(), required=True)
    mean_score = fields.Float(required=True, allow_none=True)
    std_score = fields.Float(required=True, allow_none=True)
    fit_time_s = fields.Float(required=True)
    score_time_s = fields.Float(required=True)
    error = fields.String(required=True, allow_none=True)
    metrics = fields.Dict(
        required=True, metadata={"description": "every requested metric: {mean, std, fold_scores}"}
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
    finished_at = fields.DateTime(required=True)


class TrialPageSchema(ma.Schema):
    items = fields.List(fields.Nested(TrialSchema), required=True)
    next = fields.String(required=True, allow_none=True)


class ColumnTreatmentSchema(ma.Schema):
    column = fields.String(required=True)
    treatment = fields.String(
        required=True,
        metadata={"description": "numeric | one_hot | one_hot_top | ordinal | dropped"},
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
    scores = fields.Dict(
        required=True,
        metadata={"description": "every metric of the best trial: {cv, cv_std, test}"},
    )
    n_trials = fields.Integer(required=True)
    n_failed_trials = fields.Integer(required=True)
    n_pruned_trials = fields.Integer(required=True)
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
    resource_params = fields.Dict(
        required=True,
        metadata={
            "description": "parameters halving may use as its resource, with their full budget"
        },
    )


class EstimatorListSchema(ma.Schema):
    items = fields.List(fields.Nested(EstimatorSchema), required=True)


class HealthSchema(ma.Schema):
    status = fields.String(required=True)
    checks = fields.Dict(keys=fields.String(), values=fields.String())


# Examples for the OpenAPI document, by field name, wherever a field has none of its own.
FIELD_EXAMPLES = {
    "id": "job_019b2c4d5e6f7a8b9c0d1e2f3a4b",
    "job_id": "job_019b2c4d5e6f7a8b9c0d1e2f3a4b",
    "dataset_id": "ds_019b2c4d5e6f7a8b9c0d1e2f3a4b",
    "name": "breast_cancer.csv",
    "dtype": "float",
    "n_rows": 569,
    "n_columns": 31,
    "n_missing": 0,
    "n_unique": 456,
    "sha256": "5c6bd4d4c1e96d7db295b91bae812ad349346229c5c9a55bdf6c9cdc8508a8f1",
    "size_bytes": 122_354,
    "created_at": "2026-11-27T02:36:34.365000+00:00",
    "started_at": "2026-11-27T02:36:34.410000+00:00",
    "finished_at": "2026-11-27T02:36:35.808000+00:00",
    "status": "succeeded",
    "trials_completed": 15,
    "trials_total": 15,
    "eta_s": None,
    "best_score": 0.9626,
    "best_params": {"max_depth": 3, "min_samples_leaf": 10},
    "params": {"max_depth": 3, "min_samples_leaf": 10},
    "stopped_reason": "completed",
    "error": None,
    "attempts": 1,
    "number": 5,
    "state": "succeeded",
    "fold_scores": [0.95, 0.97, 0.96, 0.98, 0.95],
    "mean_score": 0.9626,
    "std_score": 0.0117,
    "fit_time_s": 0.042,
    "score_time_s": 0.011,
    "metrics": {
        "roc_auc": {"mean": 0.9626, "std": 0.0117, "fold_scores": [0.95, 0.97, 0.96, 0.98, 0.95]}
    },
    "rung": None,
    "resource": None,
    "column": "mean radius",
    "treatment": "numeric",
    "reason": "median-imputed and standardised",
    "sklearn_version": "1.9.1",
    "joblib_version": "1.6.0",
    "feature_columns": ["mean radius", "mean texture"],
    "target": "target",
    "classes": [0, 1],
    "best_trial": 5,
    "scoring": "roc_auc",
    "test_score": None,
    "scores": {"roc_auc": {"cv": 0.9626, "cv_std": 0.0117, "test": None}},
    "n_trials": 15,
    "n_failed_trials": 0,
    "n_pruned_trials": 0,
    "n_train_rows": 569,
    "n_test_rows": 0,
    "dropped_target_rows": 0,
    "title": "Decision tree",
    "tasks": ["classification", "regression"],
    "next": None,
    "checks": {"database": "ok", "broker": "ok"},
}


def _add_examples() -> None:
    for schema in (
        ColumnSchema,
        DatasetSchema,
        ProgressSchema,
        JobSchema,
        TrialSchema,
        ColumnTreatmentSchema,
        ModelInfoSchema,
        ResultSchema,
        EstimatorSchema,
        HealthSchema,
        DatasetPageSchema,
        JobPageSchema,
        TrialPageSchema,
    ):
        for name, field in schema._declared_fields.items():
            if "example" not in field.metadata and name in FIELD_EXAMPLES:
                field.metadata["example"] = FIELD_EXAMPLES[name]


_add_examples()
