"""Pages of a list: ``items``, and the URL of the ``next`` page (null on the last)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from models.documents.datasets import DatasetSchema
from models.documents.jobs import JobSchema, TrialSchema

NEXT = {"description": "URL of the next page, or null"}


class DatasetPageSchema(ma.Schema):
    items = fields.List(fields.Nested(DatasetSchema), required=True)
    next = fields.String(required=True, allow_none=True, metadata=NEXT)


class JobPageSchema(ma.Schema):
    items = fields.List(fields.Nested(JobSchema), required=True)
    next = fields.String(required=True, allow_none=True, metadata=NEXT)


class TrialPageSchema(ma.Schema):
    items = fields.List(fields.Nested(TrialSchema), required=True)
    next = fields.String(required=True, allow_none=True, metadata=NEXT)
