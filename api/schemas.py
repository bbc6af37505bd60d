"""The request arguments of the HTTP API that are not documents: paging and list filters.

Every document (request bodies and responses alike) is a schema in
:mod:`models.documents`, which the webhooks and event streams dump too.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from models.documents import HealthSchema, ProblemSchema
from models.documents.fields import StrictSchema, id_pattern, one_of
from models.engine.catalog import CATALOG
from models.engine.labels import MAX_TAG, TAG_RULE
from models.store.artifacts import MODEL_FORMAT, MODEL_FORMATS
from models.store.list_order import DATASET_SORTS, JOB_SORTS, NEWEST
from models.store.records import JobStatus, TrialState
from models.store.trial_order import DEFAULT_SORT, TRIAL_SORTS

__all__ = [
    "DatasetDeleteArgsSchema",
    "DatasetListArgsSchema",
    "HealthSchema",
    "JobListArgsSchema",
    "ModelArgsSchema",
    "PageArgsSchema",
    "ProblemSchema",
    "TrialListArgsSchema",
    "TrialPageArgsSchema",
]

MAX_PAGE = 100


class PageArgsSchema(StrictSchema):
    limit = fields.Integer(
        load_default=20,
        validate=validate.Range(1, MAX_PAGE),
        metadata={"description": f"items per page, 1 to {MAX_PAGE}"},
    )
    cursor = fields.String(metadata={"description": "the `next` cursor of the previous page"})


class Several(fields.Field):
    """A filter given one value or several, comma-separated or the parameter repeated;
    loads as the list of them, in order and without repeats. Subclasses say in
    :meth:`_check` which values they take."""

    is_multiple = True  # webargs hands over every repeat of the parameter

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        given = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in given):
            raise ma.ValidationError("Not a valid string.")
        chosen = [part.strip() for v in given for part in v.split(",")]
        self._check(chosen)
        return list(dict.fromkeys(chosen))

    def _check(self, chosen: list[str]) -> None:
        """:class:`ma.ValidationError` when one of ``chosen`` is not a value this filter takes."""


class AnyOf(Several):
    """A filter taking one value of ``values``, or several: comma-separated
    (``state=failed,pruned``) or the parameter repeated; loads as the list of them.

    Documented as the single enum, which is what a generated client sends.
    """

    def __init__(self, values: type[Enum], **kwargs: Any) -> None:
        self.allowed = [str(v) for v in values]
        description = (
            f"one of {', '.join(self.allowed)}; several, comma-separated (or the parameter "
            "repeated), keep what matches any"
        )
        metadata = {"type": "string", "enum": self.allowed, "description": description}
        super().__init__(metadata=metadata, **kwargs)

    def _check(self, chosen: list[str]) -> None:
        unknown = [v for v in chosen if v not in self.allowed]
        if unknown:
            raise ma.ValidationError(
                f"unknown value {unknown[0]!r}; allowed: {', '.join(self.allowed)}"
            )


class AllOf(Several):
    """A filter taking one tag, or several: comma-separated (``tag=prod,v2``) or the
    parameter repeated; keeps what carries every one, and loads as the list of them."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {
            "type": "string",
            "description": "a tag; several, comma-separated (or the parameter repeated), keep "
            "what carries every one",
        }
        super().__init__(metadata=metadata, **kwargs)

    def _check(self, chosen: list[str]) -> None:
        if not all(0 < len(tag) <= MAX_TAG for tag in chosen):
            raise ma.ValidationError(TAG_RULE)


def sort_field(sorts: tuple[str, ...], description: str) -> fields.String:
    """A list's ``sort`` parameter: one of ``sorts``, newest first by default."""
    return fields.String(
        load_default=NEWEST,
        validate=validate.OneOf(
            sorts, error="must be one of " + ", ".join(sorts) + ", not {input!r}"
        ),
        metadata={"description": description},
    )


class DatasetListArgsSchema(PageArgsSchema):
    sort = sort_field(
        DATASET_SORTS,
        "-created_at (default: newest first), created_at, name or -name (ties newest first)",
    )


class DatasetDeleteArgsSchema(StrictSchema):
    cascade = fields.Boolean(
        load_default=False,
        metadata={
            "description": "true: delete the jobs made from the dataset too, with their "
            "trials and models (queued or running ones stop); false (the default): a 409 "
            "lists them"
        },
    )


class JobListArgsSchema(PageArgsSchema):
    status = AnyOf(JobStatus)
    dataset_id = fields.String(metadata={"pattern": id_pattern("ds")})
    tag = AllOf()
    sort = sort_field(
        JOB_SORTS,
        "-created_at (default: newest first), created_at, name, -name, -best_score (best "
        "first: every scorer is greater is better) or best_score; jobs without a name or a "
        "score come last in both orders of it, ties go newest first",
    )


class TrialPageArgsSchema(PageArgsSchema):
    """What a list of trials (a job's or a study's) is sorted by."""

    sort = fields.String(
        load_default=DEFAULT_SORT,
        validate=validate.OneOf(
            TRIAL_SORTS, error="must be one of " + ", ".join(TRIAL_SORTS) + ", not {input!r}"
        ),
        metadata={
            "description": "number (default: the order trials were proposed in), -number, "
            "mean_score or -mean_score (best first for -mean_score: every scorer is greater "
            "is better); trials without a score come last in both score orders, ties go by "
            "number"
        },
    )


class TrialListArgsSchema(TrialPageArgsSchema):
    state = AnyOf(TrialState)
    estimator = fields.String(
        validate=one_of(list(CATALOG)),
        metadata={"description": "an auto job: only the trials of this family"},
    )


class ModelArgsSchema(StrictSchema):
    format = fields.String(
        load_default=MODEL_FORMAT,
        validate=one_of(MODEL_FORMATS),
        metadata={
            "description": "joblib (a pickle: load only what you trust), skops (loads "
            "without pickle, trusting the types the result's model.skops lists) or onnx "
            "(the whole pipeline as an ONNX graph, one named input per column, as the "
            "result's model.onnx describes; 409 with the reason where it did not convert)"
        },
    )
