"""The search spec: what a client submits, and what a job stores once it is resolved.

:class:`SearchSpecSchema` checks the request's shape; :func:`models.engine.spec.resolve_spec`
then checks what needs the catalog and the dataset (an estimator's parameters, scorers per
task, the target column) and fills in every default. The request schema declares those
rules too (``enum``, ``pattern``, bounds), so a client or a generated test knows them up
front. :class:`JobSpecSchema` is the resolved spec as a job carries it:
:meth:`models.engine.spec.SearchSpec.to_dict`, field for field.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from models.documents.fields import (
    SCALAR_TYPES,
    CountOrObject,
    Number,
    Scalar,
    StrictSchema,
    WholeNumber,
    id_pattern,
    one_of,
)
from models.documents.labels import name_field, tags_field
from models.engine.auto import AUTO
from models.engine.catalog import CATALOG, TASKS
from models.engine.space import DIMENSION_TYPES
from models.engine.spec import CV_KINDS, MAX_URL_LENGTH, SCORERS, STRATEGIES
from models.engine.warm_start import MAX_PARENTS

ESTIMATORS = [*CATALOG, AUTO]
SCORER_NAMES = list(dict.fromkeys(name for names in SCORERS.values() for name in names))
HALVING_RESOURCES = [
    "n_samples",
    *sorted({name for entry in CATALOG.values() for name in entry.resource_params}),
]
MAX_SCORERS = 10
# An absolute http(s) URL with a host (a name, or an address), no credentials, and
# printable ASCII without spaces, as models/engine/spec.py check_url accepts (which also
# checks each label of the name, the address and the port's range).
WEBHOOK_URL_PATTERN = r"^https?://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?([/?#][!-~]*)?$"
MAX_SEED = 2**32 - 1

# JSON Schema for what a request may write for one parameter (models/engine/space.py).
_SCALAR = {"type": [*SCALAR_TYPES, "null"]}
_CHOICES = {"type": "array", "items": _SCALAR, "minItems": 1}
_WHEN = {
    "type": "object",
    "description": "search this parameter only while these categorical parameters take "
    "one of the listed values",
    "additionalProperties": _CHOICES,
    "minProperties": 1,
}
REQUEST_DIMENSION = {
    "oneOf": [
        {**_CHOICES, "description": "the values to try (shorthand for a categorical)"},
        {
            "type": "object",
            "required": ["type", "choices"],
            "additionalProperties": False,
            "properties": {
                "type": {"type": "string", "enum": ["categorical"]},
                "choices": _CHOICES,
                "when": _WHEN,
            },
        },
        {
            "type": "object",
            "required": ["low", "high"],
            "additionalProperties": False,
            "properties": {
                "type": {
                    "type": "string",
                    "enum": ["int", "float"],
                    "description": "default: the parameter's own (see GET /v1/estimators)",
                },
                "low": {"type": "number"},
                "high": {"type": "number"},
                "log": {"type": "boolean", "description": "sample on a log scale (low > 0)"},
                "when": _WHEN,
            },
        },
    ]
}
MIN_RESOURCES = [
    {"type": "integer", "minimum": 1},
    {"type": "string", "enum": ["smallest", "exhaust"]},
]


class CVSchema(StrictSchema):
    """How to split the training rows for cross-validation."""

    folds = WholeNumber(
        validate=validate.Range(1, 20),
        metadata={"example": 5, "description": "at least 2, except for kind holdout (1 split)"},
    )
    kind = fields.String(
        validate=one_of(CV_KINDS),
        metadata={"description": "default: stratified for classification"},
    )
    shuffle = fields.Boolean(
        metadata={"description": "default true (false for group and timeseries)"}
    )
    random_state = WholeNumber(allow_none=True, validate=validate.Range(0, MAX_SEED))
    group_column = fields.String(
        allow_none=True,
        validate=validate.Length(min=1),
        metadata={
            "description": "kind group: rows sharing a value "
            "stay in one fold (the column is not a feature)"
        },
    )
    validation_size = fields.Float(
        allow_none=True,
        validate=validate.Range(0.05, 0.9),
        metadata={"description": "kind holdout: share of training rows scored (default 0.2)"},
    )


class HalvingSchema(StrictSchema):
    """Successive halving, with HalvingRandomSearchCV's meaning."""

    resource = fields.String(
        metadata={
            # checked against the estimator by resolve_spec, which names the allowed ones
            "enum": HALVING_RESOURCES,
            "description": "n_samples (default), or an estimator budget such as n_estimators or "
            "max_iter (see the catalog's resource_params)",
        }
    )
    factor = WholeNumber(
        validate=validate.Range(2, 10),
        metadata={
            "description": "keep the best 1/factor of each rung, with factor times the resource "
            "(default 3)"
        },
    )
    min_resources = fields.Raw(
        allow_none=True,
        metadata={
            "description": "the first rung's resource: a number, smallest or exhaust (default, "
            "or null: smallest, or exhaust when n_candidates is given)",
            "oneOf": [*MIN_RESOURCES, {"type": "null"}],
        },
    )
    max_resources = WholeNumber(
        allow_none=True,
        validate=validate.Range(1),
        metadata={"description": "default: every training row, or the parameter's budget"},
    )
    n_candidates = WholeNumber(
        allow_none=True,
        validate=validate.Range(2),
        metadata={
            "description": "first-rung candidates (default: max_resources // min_resources, "
            "at most 81)"
        },
    )

    @ma.validates("min_resources")
    def _min_resources(self, value: object, **_: object) -> None:
        ok = (
            value is None
            or value in ("smallest", "exhaust")
            or (isinstance(value, int) and not isinstance(value, bool) and value >= 1)
        )
        if not ok:
            raise ma.ValidationError("must be a positive integer, smallest or exhaust")


class WarmStartSchema(StrictSchema):
    """The jobs whose scored trials seed a new one (see the README's warm start section)."""

    job_ids = fields.List(
        fields.String(validate=validate.Length(1, 64), metadata={"pattern": id_pattern("job")}),
        required=True,
        validate=validate.Length(
            1, MAX_PARENTS, error=f"give 1 to {MAX_PARENTS} parent jobs (SageMaker's limit)"
        ),
        metadata={
            "description": "the parent jobs, this tenant's, on the same dataset, target, "
            "estimator, scorer, rows and folds; their succeeded trials that fit this job's "
            "space become its first trials, not run again",
            "example": ["job_0190f3a2b7c41e2f9a0b3c4d5e6f"],
        },
    )


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
            and len(value) <= MAX_SCORERS
            and all(isinstance(v, str) and v for v in value)
        ):
            return value
        raise ma.ValidationError(f"must be a scorer name or a list of up to {MAX_SCORERS} of them")


class SearchSpecSchema(StrictSchema):
    """What to search. Omitted fields take the documented defaults.

    A job's ``spec`` (:class:`JobSpecSchema`) is a valid request as it is: submitted again
    unchanged it makes a job with the same spec. Its derived fields are checked, not
    ignored: ``n_classes`` must be what the target has, and ``metrics`` must agree with
    ``scoring``.
    """

    dataset_id = fields.String(
        required=True,
        # the dataset must exist: resolve_spec answers "no dataset ..." for any other id
        metadata={"pattern": id_pattern("ds"), "example": "ds_0190f3a2b7c41e2f9a0b3c4d5e6f"},
    )
    target = fields.String(
        required=True, validate=validate.Length(min=1), metadata={"example": "target"}
    )
    task = fields.String(
        validate=one_of(TASKS),
        metadata={"description": "default: inferred from the target column"},
    )
    estimator = fields.String(
        required=True,
        # checked by resolve_spec, whose message lists the catalog
        metadata={"enum": ESTIMATORS, "example": "decision_tree"},
    )
    strategy = fields.String(
        validate=one_of(STRATEGIES), metadata={"description": "default: random"}
    )
    cheap_first = fields.Boolean(
        metadata={
            "description": "start with the estimator's cheap configuration (random and "
            "bayesian only); default: the service decides at submit, true when a trial may "
            "take over a quarter of timeout_s"
        }
    )
    param_space = fields.Dict(
        keys=fields.String(),  # the values are parsed by models/engine/space.py
        metadata={
            "description": "estimator parameter → the values to try; default: the catalog's "
            "space (see GET /v1/estimators)",
            "additionalProperties": REQUEST_DIMENSION,
            "minProperties": 1,
            "example": {
                "max_depth": [2, 4, 8, None],
                "min_samples_leaf": {"type": "int", "low": 1, "high": 20},
            },
        },
    )
    n_trials = WholeNumber(
        validate=validate.Range(1),
        metadata={
            "description": "random and bayesian search: how many candidates (default 20; at "
            "most TUNEFORGE_MAX_TRIALS)"
        },
    )
    timeout_s = WholeNumber(
        validate=validate.Range(1),
        metadata={
            "description": "no trial starts after this many seconds (default 3600; at most "
            "TUNEFORGE_MAX_JOB_SECONDS)"
        },
    )
    cv = CountOrObject(
        CVSchema,
        key="folds",
        count={"type": "integer", "minimum": 1, "maximum": 20, "description": "folds"},
        metadata={
            "description": "a number of folds (as scikit-learn's cv=5), or how to split; "
            "default: 5 folds, shuffled, stratified for classification"
        },
    )
    scoring = ScoringField(
        metadata={
            "description": "a scikit-learn scorer name, or a list of them (every trial "
            "reports each); default roc_auc (binary), balanced_accuracy (multiclass), "
            "r2 (regression)",
            "oneOf": [
                {"type": "string", "enum": SCORER_NAMES},
                {
                    "type": "array",
                    "items": {"type": "string", "enum": SCORER_NAMES},
                    "minItems": 1,
                    "maxItems": MAX_SCORERS,
                },
            ],
        }
    )
    refit = fields.String(
        metadata={
            "enum": SCORER_NAMES,
            "description": "with several scorers: the one that ranks candidates (default: first)",
        }
    )
    halving = fields.Nested(HalvingSchema, allow_none=True)
    pruning = fields.Boolean(
        metadata={
            "description": "bayesian: stop a candidate after a fold whose running mean is below "
            "the median of earlier trials (default false)"
        }
    )
    webhook_url = fields.String(
        allow_none=True,
        validate=validate.Length(max=MAX_URL_LENGTH),
        metadata={
            "description": "POSTed the job (signed, see the README) when it ends",
            "pattern": WEBHOOK_URL_PATTERN,
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
    random_state = WholeNumber(allow_none=True, validate=validate.Range(0, MAX_SEED))
    max_parallel = WholeNumber(
        validate=validate.Range(1, 1000),
        metadata={
            "description": "trials of this job running at once, on any workers (default: "
            "the slots the live workers report, or TUNEFORGE_WORKER_SLOTS where set; at "
            "most TUNEFORGE_MAX_PARALLEL)"
        },
    )
    metrics = fields.List(
        fields.String(validate=one_of(SCORER_NAMES)),
        validate=validate.Length(1, MAX_SCORERS),
        metadata={
            "description": "every metric each trial reports, as a job's spec lists them (the "
            "same as a list of scorers); with scoring, they must contain it, or be the same "
            "scorers"
        },
    )
    n_classes = WholeNumber(
        allow_none=True,
        validate=validate.Range(2),
        metadata={
            "description": "derived from the target (a job's spec carries it): when given, "
            "it must be the target's number of classes (null for regression)"
        },
    )
    warm_start = fields.Nested(
        WarmStartSchema,
        allow_none=True,
        metadata={
            "description": "seed the search with earlier jobs' scored trials: n_trials new "
            "ones run after them (not with halving)"
        },
    )
    # What people call the job, kept on the job beside its spec (not in it): a job's
    # echoed spec submitted again makes an unnamed job.
    name = name_field(
        description="a name to tell the job from the others (the job's `name`)",
        example="knn, scaled, v2",
    )
    tags = tags_field(example=["baseline", "v2"])
    # Not part of the spec: asks how long the job would take instead of running it.
    dry_run = fields.Boolean(
        # no load_default: a default in openapi.yaml would make the generated client send
        # "dry_run": false with every spec
        metadata={
            "description": "true: check the spec, time one short calibration fit and answer "
            "200 with the `estimate`, creating no job (default: false)"
        },
    )


# The resolved spec ------------------------------------------------------------------------


class DimensionSchema(ma.Schema):
    """One parameter's values to try, resolved: a range or a list of choices."""

    type = fields.String(required=True, validate=one_of(DIMENSION_TYPES))
    low = Number(metadata={"description": "int and float: the smallest value"})
    high = Number(metadata={"description": "int and float: the largest value"})
    log = fields.Boolean(metadata={"description": "int and float: sampled on a log scale"})
    choices = fields.List(Scalar(), metadata={"description": "categorical: every value"})
    when = fields.Dict(
        keys=fields.String(),
        values=fields.List(Scalar()),
        metadata={"description": "searched only while these parameters take one of these values"},
    )


class JobSpecCVSchema(ma.Schema):
    """The cross-validation a job runs."""

    folds = fields.Integer(required=True, metadata={"description": "1 for kind holdout"})
    kind = fields.String(required=True, validate=one_of(CV_KINDS))
    shuffle = fields.Boolean(required=True)
    random_state = fields.Integer(required=True, allow_none=True)
    group_column = fields.String(required=True, allow_none=True)
    validation_size = fields.Float(required=True, allow_none=True)


class JobSpecHalvingSchema(ma.Schema):
    """Successive halving's options, resolved."""

    resource = fields.String(required=True, validate=one_of(HALVING_RESOURCES))
    factor = fields.Integer(required=True)
    min_resources = fields.Raw(
        required=True,
        allow_none=True,
        metadata={
            "description": "null: smallest, or exhaust when n_candidates is given",
            "oneOf": [*MIN_RESOURCES, {"type": "null"}],
        },
    )
    max_resources = fields.Integer(required=True, allow_none=True)
    n_candidates = fields.Integer(required=True, allow_none=True)


class JobSpecWarmStartSchema(ma.Schema):
    """The parent jobs of a warm start, as the job's spec keeps them."""

    job_ids = fields.List(fields.String(), required=True)


class JobSpecSchema(ma.Schema):
    """The spec with every default filled in, as the job's worker runs it."""

    dataset_id = fields.String(required=True)
    target = fields.String(required=True)
    task = fields.String(required=True, validate=one_of(TASKS))
    estimator = fields.String(required=True, validate=one_of(ESTIMATORS))
    strategy = fields.String(required=True, validate=one_of(STRATEGIES))
    param_space = fields.Dict(
        keys=fields.String(), values=fields.Nested(DimensionSchema), required=True
    )
    n_trials = fields.Integer(required=True)
    timeout_s = fields.Integer(required=True)
    cv = fields.Nested(JobSpecCVSchema, required=True)
    scoring = fields.String(
        required=True,
        validate=one_of(SCORER_NAMES),
        metadata={"description": "the metric that ranks candidates"},
    )
    test_size = fields.Float(required=True)
    random_state = fields.Integer(required=True, allow_none=True)
    n_classes = fields.Integer(
        required=True, allow_none=True, metadata={"description": "classification: the classes"}
    )
    metrics = fields.List(
        fields.String(validate=one_of(SCORER_NAMES)),
        required=True,
        metadata={"description": "every metric each trial reports, scoring first"},
    )
    halving = fields.Nested(JobSpecHalvingSchema, required=True, allow_none=True)
    pruning = fields.Boolean(required=True)
    exclude_columns = fields.List(fields.String(), required=True)
    webhook_url = fields.String(required=True, allow_none=True)
    max_parallel = fields.Integer(
        required=True, metadata={"description": "trials of this job running at once"}
    )
    warm_start = fields.Nested(
        JobSpecWarmStartSchema,
        required=True,
        allow_none=True,
        dump_default=None,
        metadata={"description": "the jobs whose trials it inherited (null: none)"},
    )
    cheap_first = fields.Boolean(
        required=True,
        dump_default=False,
        metadata={
            "description": "whether its first trial is the estimator's cheap configuration "
            "(decided at submit: a trial was estimated at over a quarter of timeout_s)"
        },
    )
