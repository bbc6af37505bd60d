"""The request arguments of the HTTP API that are not documents: paging and list filters.

Every document (request bodies and responses alike) is a schema in
:mod:`models.documents`, which the webhooks and event streams dump too.
"""

from __future__ import annotations

from marshmallow import fields, validate

from models.documents import HealthSchema, ProblemSchema
from models.documents.fields import StrictSchema, id_pattern, one_of
from models.store.artifacts import MODEL_FORMAT, MODEL_FORMATS
from models.store.records import JobStatus

__all__ = [
    "HealthSchema",
    "JobListArgsSchema",
    "ModelArgsSchema",
    "PageArgsSchema",
    "ProblemSchema",
]

MAX_PAGE = 100


class PageArgsSchema(StrictSchema):
    limit = fields.Integer(
        load_default=20,
        validate=validate.Range(1, MAX_PAGE),
        metadata={"description": f"items per page, 1 to {MAX_PAGE}"},
    )
    cursor = fields.String(metadata={"description": "the `next` cursor of the previous page"})


class JobListArgsSchema(PageArgsSchema):
    status = fields.String(validate=one_of(JobStatus))
    dataset_id = fields.String(metadata={"pattern": id_pattern("ds")})


class ModelArgsSchema(StrictSchema):
    format = fields.String(
        load_default=MODEL_FORMAT,
        validate=one_of(MODEL_FORMATS),
        metadata={
            "description": "joblib (a pickle: load only what you trust) or skops (loads "
            "without pickle, trusting the types the result's model.skops lists)"
        },
    )
