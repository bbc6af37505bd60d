"""A job, its trials and its result, dumped straight from the store's records.

The same dump is the HTTP body, the webhook's ``job`` and the events' ``data``.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from models.documents.data_warnings import WarningList
from models.documents.extensions import ExtensionSchema, extensions_of
from models.documents.fields import Derived, Inline, Scalar, nullable_one_of, one_of, params_field
from models.documents.labels import TagList
from models.documents.specs import SCORER_NAMES, JobSpecSchema
from models.engine.evaluate import TrialState
from models.engine.preprocess import TREATMENTS
from models.store.artifacts import MODEL_FORMAT
from models.store.deliveries import DeliveryState, delivery_of
from models.store.jobs import duration_seconds, eta_seconds
from models.store.records import Job, JobStatus, RefitState, StoppedReason, Trial


class ProgressSchema(ma.Schema):
    """How far a job is (its own counters, and an estimate of the time left)."""

    trials_completed = fields.Integer(
        required=True, metadata={"description": "trials recorded, inherited ones included"}
    )
    trials_total = fields.Integer(
        required=True,
        metadata={"description": "trials planned: those inherited and the new ones to run"},
    )
    trials_inherited = fields.Integer(
        required=True,
        metadata={"description": "of trials_completed, those a warm start inherited (not run)"},
    )
    eta_s = fields.Function(
        eta_seconds,
        required=True,
        allow_none=True,
        metadata={
            "type": "number",
            "description": "estimated seconds left, from the trials so far (null until known)",
        },
    )


class WebhookDeliverySchema(ma.Schema):
    """Where the job's webhook delivery stands (see the README's webhooks section)."""

    state = fields.String(
        required=True,
        validate=one_of(DeliveryState),
        metadata={
            "description": "pending (no attempt yet), delivering (an attempt runs), "
            "retrying (another attempt at next_retry_at), or final: delivered, failed (every "
            "attempt failed) or refused (the target is on a private address)"
        },
    )
    attempts = fields.Integer(required=True, metadata={"description": "attempts begun"})
    last_status = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "the HTTP status the last attempt got (null: no answer)"},
    )
    last_error = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "why the last attempt failed (null once delivered)"},
    )
    delivered_at = fields.DateTime(required=True, allow_none=True)
    next_retry_at = fields.DateTime(
        required=True,
        allow_none=True,
        metadata={"description": "when the next attempt is due, while retrying"},
    )


class JobSchema(ma.Schema):
    """A search job (a :class:`~models.store.records.Job` row)."""

    id = fields.String(required=True)
    name = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "what the submit called it (null: no name)",
            "example": "knn, scaled, v2",
        },
    )
    tags = TagList()
    status = fields.String(required=True, validate=one_of(JobStatus))
    dataset_id = fields.String(required=True)
    dataset_name = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "the dataset's name when the job was submitted (null for jobs "
            "whose dataset was deleted before names were kept on jobs)",
            "example": "breast_cancer.csv",
        },
    )
    spec = fields.Nested(
        JobSpecSchema,
        required=True,
        metadata={"description": "what it searches: target, task, scoring, strategy, ..."},
    )
    progress = Inline(ProgressSchema, required=True)
    best_score = fields.Float(required=True, allow_none=True)
    best_params = params_field(required=True, allow_none=True)
    stopped_reason = nullable_one_of(
        StoppedReason,
        required=True,
        metadata={"description": "why the search stopped proposing candidates, once finished"},
    )
    error = fields.String(required=True, allow_none=True)
    attempts = fields.Integer(
        required=True,
        metadata={
            "description": "how many times the job was started: 0 while it waits, 1 once a "
            "worker took it up, one more each time its final refit had to be started again "
            "because the worker doing it stopped or died; trials that ran again after "
            "their worker was lost do not count (each trial runs on any worker)"
        },
    )
    webhook = Derived(
        WebhookDeliverySchema,
        of=delivery_of,
        required=True,
        allow_none=True,
        metadata={"description": "the webhook's delivery; null when the spec has no webhook_url"},
    )
    created_at = fields.DateTime(required=True)
    started_at = fields.DateTime(required=True, allow_none=True)
    finished_at = fields.DateTime(required=True, allow_none=True)
    duration_s = fields.Function(
        duration_seconds,
        required=True,
        allow_none=True,
        metadata={
            "type": "number",
            "description": "seconds from its start to its end (so far, while it runs); null "
            "until it starts",
            "example": 1.4,
        },
    )
    estimate = fields.Nested(
        "EstimateSchema",
        required=True,
        allow_none=True,
        metadata={
            "description": "what a dry run of the same spec estimated before the submit, "
            "to compare with duration_s (its seconds) and progress (its trials); null when "
            "no dry run preceded it in the API process that took the submit"
        },
    )
    warnings = WarningList(
        metadata={
            "description": "what checking the spec against the data found: possible_leak "
            "names a column that alone predicts the target almost perfectly (or whose "
            "missing cells do); warm_start_unfit names a parent's trials that do not fit "
            "the space (not inherited); empty when nothing"
        }
    )
    refit = nullable_one_of(
        RefitState,
        required=True,
        attribute="refit_state",
        metadata={
            "description": "a cancelled job's refit of its best candidate: refitting (the "
            "result and model are ready soon: /result answers 409 with Retry-After), done "
            "(it has a result and a model), stopped (a second cancel stopped it: no model), "
            "failed; null when there was nothing to refit or the job was not cancelled"
        },
    )
    deadline_at = fields.DateTime(
        required=True,
        allow_none=True,
        metadata={
            "description": "when the search stops starting trials, once an extension set it "
            "(null: started_at plus the spec's timeout_s)"
        },
    )
    extensions = Derived(
        ExtensionSchema,
        of=extensions_of,
        many=True,
        required=True,
        metadata={"description": "each POST /v1/jobs/{id}/extend, oldest first"},
    )


class MetricSchema(ma.Schema):
    """One metric of a trial, over its folds."""

    mean = fields.Float(required=True)
    std = fields.Float(required=True)
    fold_scores = fields.List(fields.Float(), required=True)


class InheritedFromSchema(ma.Schema):
    """Where an inherited trial was first scored."""

    job_id = fields.String(required=True)
    number = fields.Integer(required=True)


def inherited_from(trial: Trial) -> dict[str, Any] | None:
    """The origin of a trial a warm start inherited; ``None`` for the job's own."""
    if trial.inherited_job_id is None:
        return None
    return {"job_id": trial.inherited_job_id, "number": trial.inherited_number}


class TrialSchema(ma.Schema):
    """One evaluated candidate (a :class:`~models.store.records.Trial` row)."""

    number = fields.Integer(required=True)
    params = params_field(required=True)
    state = fields.String(required=True, validate=one_of(TrialState))
    # null for a fold whose score is not a number (a failed trial's)
    fold_scores = fields.List(fields.Float(allow_none=True), required=True)
    mean_score = fields.Float(required=True, allow_none=True)
    std_score = fields.Float(required=True, allow_none=True)
    fit_time_s = fields.Float(
        required=True,
        metadata={
            "description": "seconds fitting, every fold; the first trial of a job on a "
            "worker also fits the preprocessing each fold shares with the later ones"
        },
    )
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
    inherited_from = Derived(
        InheritedFromSchema,
        of=inherited_from,
        required=True,
        allow_none=True,
        metadata={
            "description": "a warm start's inherited trial: the job and number it was first "
            "scored as (not run again here; its scores and timings are that run's); null for "
            "the job's own trials"
        },
    )


class ScoreSchema(ma.Schema):
    """One metric of the best candidate: cross-validated, and on the held-out rows."""

    cv = fields.Float(required=True, allow_none=True, metadata={"description": "null: a fallback"})
    cv_std = fields.Float(required=True, allow_none=True)
    test = fields.Float(required=True, allow_none=True)


class EstimateSchema(ma.Schema):
    """How long a job should take, from a short calibration fit of its first candidate on
    subsamples of its training rows (see models/engine/estimate.py)."""

    seconds_per_trial = fields.Float(
        required=True, metadata={"description": "one trial: every fold's fit and score"}
    )
    seconds = fields.Float(
        required=True,
        metadata={"description": "every trial at the job's max_parallel, then the refit"},
    )
    trials_in_budget = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "how many trials fit in timeout_s (at most n_trials)"},
    )


class DryRunSchema(ma.Schema):
    """A dry run's answer: the spec passed every check a submit makes; no job was made."""

    estimate = fields.Nested(EstimateSchema, required=True)
    warnings = WarningList(metadata={"description": "what the job would have as its warnings"})


class FallbackSchema(ma.Schema):
    """The model of a job whose deadline came before any trial finished: the estimator's
    cheap configuration, fitted on at most 20,000 training rows (svm: 5,000), not a tuned
    candidate."""

    reason = fields.String(required=True)
    params = params_field(required=True)
    n_rows = fields.Integer(required=True, metadata={"description": "the rows it was fitted on"})


class ColumnTreatmentSchema(ma.Schema):
    """What preprocessing did with one input column, and why."""

    column = fields.String(required=True)
    treatment = fields.String(required=True, validate=one_of(TREATMENTS))
    reason = fields.String(required=True)


class SkopsFileSchema(ma.Schema):
    """The model in skops' format (``GET /v1/jobs/{id}/model?format=skops``)."""

    sha256 = fields.String(required=True)
    size_bytes = fields.Integer(required=True)
    trusted_types = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "exactly the types the file needs beyond skops' defaults, each "
            "scikit-learn's, numpy's or scipy's: skops.io.load(file, trusted=trusted_types)",
            "example": ["numpy.asarray", "numpy.dtype", "sklearn.tree._tree.Tree"],
        },
    )


class OnnxInputSchema(ma.Schema):
    """One input of the ONNX graph: a training column, shaped ``[rows, 1]``."""

    name = fields.String(required=True, metadata={"description": "the column's name"})
    type = fields.String(
        required=True,
        validate=one_of(["double", "string"]),
        metadata={
            "description": "double for a number column (missing: NaN); string for a text or "
            'boolean one ("True"/"False"; missing: "" or "NA")'
        },
    )


class OnnxToleranceSchema(ma.Schema):
    rtol = fields.Float(required=True)
    atol = fields.Float(required=True)


class OnnxCheckSchema(ma.Schema):
    """ONNX Runtime's predictions against scikit-learn's on held-back rows, at export."""

    rows = fields.Integer(required=True, metadata={"description": "rows compared"})
    source = fields.String(
        required=True,
        validate=one_of(["test", "training_sample"]),
        metadata={
            "description": "test: the job's test rows; training_sample: without a test "
            "split, a fixed sample of its training rows"
        },
    )
    labels_equal = fields.Boolean(metadata={"description": "a classifier's: every label equal"})
    max_abs_diff = fields.Float(metadata={"description": "a regressor's: the largest difference"})
    tolerance = fields.Nested(
        OnnxToleranceSchema,
        metadata={"description": "a regressor's: |onnx - sklearn| <= atol + rtol * |sklearn|"},
    )
    passed = fields.Boolean(required=True)


class OnnxFileSchema(ma.Schema):
    """The model as an ONNX graph (``GET /v1/jobs/{id}/model?format=onnx``), or why not."""

    available = fields.Boolean(required=True)
    reason = fields.String(
        metadata={"description": "when unavailable: why (the conversion's error, or the check)"}
    )
    sha256 = fields.String()
    size_bytes = fields.Integer()
    inputs = fields.List(
        fields.Nested(OnnxInputSchema),
        metadata={"description": "one named input per training column, in the table's order"},
    )
    check = fields.Nested(OnnxCheckSchema)
    opset = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={
            "description": 'the operator sets the graph uses, by domain ("" is ai.onnx)',
            "example": {"": 18, "ai.onnx.ml": 3},
        },
    )
    versions = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={
            "description": "what converted the graph and what checked it",
            "example": {"skl2onnx": "1.20.0", "onnx": "1.23.2", "onnxruntime": "1.32.0"},
        },
    )
    seconds = fields.Float(metadata={"description": "time the export and its check took"})


class ModelInfoSchema(ma.Schema):
    """The trained model: the joblib file (the default download), the skops file, and
    what loading either needs."""

    format = fields.String(
        required=True,
        validate=one_of([MODEL_FORMAT]),
        metadata={"example": MODEL_FORMAT, "description": "the default download's format"},
    )
    sha256 = fields.String(required=True, metadata={"description": "the joblib file's"})
    size_bytes = fields.Integer(required=True, metadata={"description": "the joblib file's"})
    sklearn_version = fields.String(required=True)
    joblib_version = fields.String(required=True)
    versions = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        allow_none=True,
        dump_default=None,
        metadata={
            "description": "the versions it was trained with, which loading it needs: python, "
            "scikit-learn, numpy, scipy, pandas, joblib, skops, and lightgbm or xgboost for "
            "their estimators (null: a model saved before they were recorded)",
            "example": {
                "python": "3.11.9",
                "scikit-learn": "1.9.1",
                "numpy": "2.4.6",
                "scipy": "1.17.1",
                "pandas": "3.1.1",
                "joblib": "1.6.0",
                "skops": "0.16.0",
            },
        },
    )
    skops = fields.Nested(
        SkopsFileSchema,
        required=True,
        allow_none=True,
        dump_default=None,
        metadata={"description": "null: a model saved before skops files were written"},
    )
    onnx = fields.Nested(
        OnnxFileSchema,
        required=True,
        allow_none=True,
        dump_default=None,
        metadata={"description": "null: a model saved before ONNX files were written"},
    )
    feature_columns = fields.List(fields.String(), required=True)
    target = fields.String(required=True)
    classes = fields.List(Scalar(), required=True, allow_none=True)


class FamilyResultSchema(ma.Schema):
    """How one model family did in an auto job."""

    estimator = fields.String(required=True, metadata={"example": "random_forest"})
    n_trials = fields.Integer(required=True)
    n_failed_trials = fields.Integer(required=True)
    best_trial = fields.Integer(required=True, allow_none=True)
    best_score = fields.Float(required=True, allow_none=True)
    best_params = fields.Dict(
        keys=fields.String(),
        required=True,
        allow_none=True,
        metadata={"description": "the family's own parameters (without its prefix)"},
    )
    mean_fit_time_s = fields.Float(required=True, allow_none=True)


class ResultSchema(ma.Schema):
    """What a succeeded job found: dumped from the job, whose ``result`` the run wrote."""

    job_id = fields.String(required=True)
    best_params = params_field(required=True)
    best_score = fields.Float(
        required=True, allow_none=True, metadata={"description": "null when it fell back"}
    )
    best_trial = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null when it fell back"}
    )
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
    estimator = fields.String(
        required=True,
        metadata={
            "description": "the estimator the model is: the spec's, or the family an auto "
            "job chose",
            "example": "hist_gradient_boosting",
        },
    )
    families = fields.List(
        fields.Nested(FamilyResultSchema),
        allow_none=True,
        required=True,
        metadata={
            "description": "an auto job: how each family did, in the order tried; null "
            "for one estimator"
        },
    )
    fallback = fields.Nested(
        FallbackSchema,
        allow_none=True,
        load_default=None,
        dump_default=None,
        metadata={
            "description": "set when the budget ran out before any trial finished: the model "
            "is then the estimator's cheap configuration, not the best of a search"
        },
    )

    @ma.pre_dump
    def _from_job(self, job: Job, **_: Any) -> dict[str, Any]:
        # Results stored before auto name no estimator: the spec's.
        defaults = {"estimator": (job.spec or {}).get("estimator"), "families": None}
        result = {k: v for k, v in job.result.items() if v is not None or k not in defaults}
        return {"job_id": job.id, "stopped_reason": job.stopped_reason, **defaults, **result}
