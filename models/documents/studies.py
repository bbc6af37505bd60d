"""A study (ask and tell over HTTP), its suggestions and reports, and its trials.

See ``api/studies.py`` for the calls and the README's "Studies" section for a walk-through.
"""

from __future__ import annotations

import math
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from models.documents.fields import StrictSchema, WholeNumber, one_of, params_field
from models.documents.importance import ImportanceSchema
from models.documents.specs import REQUEST_DIMENSION
from models.engine.study import DIRECTIONS, MAX_SUGGESTIONS, STRATEGIES
from models.store.records import StudyState, StudyTrialState

MAX_NAME = 255
MAX_ERROR = 4000
MAX_STEP = 10**9


class FiniteNumber(fields.Float):
    """A finite number: NaN, infinities, strings and booleans are refused (naming the
    field), where marshmallow's ``Float`` would take ``"1.5"`` and ``true``."""

    default_error_messages = {"finite": "must be a finite number"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("finite")
        try:
            number = float(value)
        except OverflowError:
            raise self.make_error("finite") from None
        if not math.isfinite(number):
            raise self.make_error("finite")
        return number


class NewStudySchema(StrictSchema):
    """A study to create: the space to search and how, for an objective the client computes."""

    name = fields.String(validate=validate.Length(max=MAX_NAME), allow_none=True)
    space = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={
            "description": "parameter → its values, written as a job's param_space (a list, "
            "or {type: int|float|categorical, low, high, log, choices, when})",
            "additionalProperties": REQUEST_DIMENSION,
            "minProperties": 1,
            "example": {
                "x": {"type": "float", "low": -5, "high": 5},
                "kind": ["a", "b"],
            },
        },
    )
    metric = fields.String(
        load_default="value",
        validate=validate.Length(min=1, max=MAX_NAME),
        metadata={"description": "what the reported value measures (a label); default value"},
    )
    direction = fields.String(required=True, validate=one_of(DIRECTIONS))
    strategy = fields.String(
        load_default="bayesian",
        validate=one_of(STRATEGIES),
        metadata={"description": "bayesian (TPE, default), random or grid"},
    )
    random_state = WholeNumber(allow_none=True, validate=validate.Range(0, 2**32 - 1))
    n_trials = WholeNumber(
        required=True,
        validate=validate.Range(min=1),
        metadata={"description": "trials to run (at most TUNEFORGE_STUDY_MAX_TRIALS)"},
    )
    lease_s = WholeNumber(
        validate=validate.Range(min=1),
        metadata={
            "description": "seconds a suggested trial is the caller's before it is handed "
            "out again; default 300 (at most TUNEFORGE_STUDY_MAX_LEASE_SECONDS)"
        },
    )


class StudyBestSchema(ma.Schema):
    number = fields.Integer(required=True)
    params = params_field(required=True)
    value = fields.Float(required=True)


class StudyCountsSchema(ma.Schema):
    """Trials by state: leased (being evaluated), lapsed (leased, lease over, to be handed
    out again), succeeded, failed, pruned; not_started were never handed out."""

    leased = fields.Integer(required=True)
    lapsed = fields.Integer(required=True)
    succeeded = fields.Integer(required=True)
    failed = fields.Integer(required=True)
    pruned = fields.Integer(required=True)
    not_started = fields.Integer(required=True)


def _best(progress: Any) -> dict[str, Any] | None:
    study = progress.study
    if study.best_trial is None:
        return None
    return {"number": study.best_trial, "params": study.best_params, "value": study.best_value}


def _counts(progress: Any) -> dict[str, int]:
    counts = dict(progress.counts)
    handed = sum(counts.values())
    return {**counts, "not_started": max(0, progress.study.trials_total - handed)}


def _links(progress: Any) -> dict[str, str]:
    base = f"/v1/studies/{progress.study.id}"
    return {
        "self": base,
        "suggestions": f"{base}/suggestions",
        "trials": f"{base}/trials",
        "importance": f"{base}/importance",
    }


class StudySchema(ma.Schema):
    """A study: its spec, where it stands, and its best trial so far."""

    id = fields.Function(lambda p: p.study.id, required=True, metadata={"type": "string"})
    name = fields.Function(
        lambda p: p.study.name, required=True, allow_none=True, metadata={"type": "string"}
    )
    state = fields.Function(
        lambda p: p.study.state,
        required=True,
        metadata={
            "type": "string",
            "enum": [str(s) for s in StudyState],
            "description": "running (trials are suggested) or completed (every trial "
            "recorded, or a grid with every point tried)",
        },
    )
    spec = fields.Function(lambda p: p.study.spec, required=True, metadata={"type": "object"})
    trials_total = fields.Function(
        lambda p: p.study.trials_total, required=True, metadata={"type": "integer"}
    )
    trials_completed = fields.Function(
        lambda p: p.study.trials_completed,
        required=True,
        metadata={"type": "integer", "description": "trials reported (any outcome)"},
    )
    counts = fields.Function(_counts, required=True, metadata={"type": "object"})
    best = fields.Function(
        _best,
        required=True,
        allow_none=True,
        metadata={"type": "object", "description": "{number, params, value}; null until one"},
    )
    created_at = fields.Function(
        lambda p: p.study.created_at.isoformat(),
        required=True,
        metadata={"type": "string", "format": "date-time"},
    )
    finished_at = fields.Function(
        lambda p: p.study.finished_at.isoformat() if p.study.finished_at else None,
        required=True,
        allow_none=True,
        metadata={"type": "string", "format": "date-time"},
    )
    links = fields.Function(_links, required=True, metadata={"type": "object"})


class StudyPageSchema(ma.Schema):
    items = fields.List(fields.Nested(StudySchema), required=True)
    next = fields.String(required=True, allow_none=True)


class SuggestionsRequestSchema(StrictSchema):
    count = WholeNumber(
        load_default=1,
        validate=validate.Range(1, MAX_SUGGESTIONS),
        metadata={"description": f"trials the caller will evaluate now, 1 to {MAX_SUGGESTIONS}"},
    )


class SuggestionSchema(ma.Schema):
    number = fields.Integer(required=True)
    params = params_field(required=True)
    lease_expires_at = fields.DateTime(
        required=True,
        metadata={"description": "report before then, or the trial is handed out again"},
    )


class SuggestionsSchema(ma.Schema):
    """Trials leased to the caller. With no items: ``state`` completed means the study is
    done (stop asking); running means every trial left is leased to someone: ask again
    after ``retry_after_s``."""

    items = fields.List(fields.Nested(SuggestionSchema), required=True)
    state = fields.String(required=True, validate=one_of(StudyState))
    remaining = fields.Integer(
        required=True,
        metadata={"description": "trials neither recorded nor leased now (after this answer)"},
    )
    retry_after_s = fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": "with no items while running: seconds to wait; else null"},
    )


class IntermediateSchema(StrictSchema):
    step = WholeNumber(required=True, validate=validate.Range(0, MAX_STEP))
    value = FiniteNumber(required=True)


class ReportSchema(StrictSchema):
    """A trial's outcome (``value``; or ``state`` failed with an ``error``, or pruned), or
    an intermediate value to ask the pruner about."""

    value = FiniteNumber(metadata={"description": "the objective's value (finite)"})
    state = fields.String(
        validate=one_of(("succeeded", "failed", "pruned")),
        metadata={"description": "default succeeded (with a value)"},
    )
    error = fields.String(validate=validate.Length(max=MAX_ERROR), allow_none=True)
    intermediate = fields.Nested(IntermediateSchema)

    @ma.validates_schema
    def _one_kind(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "intermediate" in data and len(data) > 1:
            raise ma.ValidationError(
                "an intermediate report carries nothing else", field_name="intermediate"
            )
        if "intermediate" not in data and "value" not in data and "state" not in data:
            raise ma.ValidationError("give a value, a state or an intermediate", "value")


class ShouldStopSchema(ma.Schema):
    should_stop = fields.Boolean(required=True)


class StudyTrialSchema(ma.Schema):
    """A trial handed out (a :class:`~models.store.records.StudyTrial` row)."""

    number = fields.Integer(required=True)
    params = params_field(required=True)
    state = fields.String(
        required=True,
        validate=one_of(StudyTrialState),
        metadata={"description": "leased (being evaluated), succeeded, failed or pruned"},
    )
    value = fields.Float(required=True, allow_none=True)
    intermediate = fields.List(
        fields.List(fields.Float()),
        required=True,
        metadata={"description": "[[step, value], ...] as reported"},
    )
    error = fields.String(required=True, allow_none=True)
    lease_expires_at = fields.DateTime(required=True, allow_none=True)
    leases = fields.Integer(
        required=True, metadata={"description": "times handed out (more than 1: a lease lapsed)"}
    )
    started_at = fields.DateTime(required=True)
    finished_at = fields.DateTime(required=True, allow_none=True)


class StudyTrialPageSchema(ma.Schema):
    items = fields.List(fields.Nested(StudyTrialSchema), required=True)
    next = fields.String(required=True, allow_none=True)


class StudyImportanceSchema(ImportanceSchema):
    """How much each parameter mattered to a study's value so far (fANOVA over its
    succeeded trials, as a job's importance; ``rung`` is always null)."""

    class Meta:
        exclude = ("job_id",)

    study_id = fields.String(required=True)
