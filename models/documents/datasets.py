"""A dataset: the uploaded table's profile."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from models.documents.data_warnings import WarningList
from models.documents.fields import one_of
from models.documents.labels import TagList
from models.engine.catalog import TASKS
from models.engine.spec import as_target
from models.engine.tables import DTYPES


class ColumnSchema(ma.Schema):
    """One column of the table, as profiled."""

    name = fields.String(required=True, metadata={"example": "mean radius"})
    dtype = fields.String(required=True, validate=one_of(DTYPES))
    n_missing = fields.Integer(required=True)
    n_unique = fields.Integer(required=True)
    # What a search with this column as its target would take when its spec names no task
    # and no scorer: the rule is models/engine/spec.py's, so a client (the dashboard's
    # form) need not copy it.
    target_task = fields.Function(
        lambda column: as_target(column)[0],
        required=True,
        validate=one_of(TASKS),
        metadata={
            "type": "string",
            "description": "the task a search with this column as its target infers when "
            "the spec names none: classification for text, boolean and integer columns of "
            "at most 20 distinct values, regression otherwise",
        },
    )
    target_scoring = fields.Function(
        lambda column: as_target(column)[1],
        required=True,
        metadata={
            "type": "string",
            "description": "the scorer such a search ranks by when the spec names none: "
            "roc_auc for two classes, balanced_accuracy for more, r2 for regression",
        },
    )


class DatasetSchema(ma.Schema):
    """An uploaded table (a :class:`~models.store.records.Dataset` row)."""

    id = fields.String(required=True, metadata={"example": "ds_0190f3a2b7c41e2f9a0b3c4d5e6f"})
    name = fields.String(
        required=True,
        metadata={
            "description": "the name the upload gave, else the uploaded file's name, else the "
            "dataset's id"
        },
    )
    tags = TagList()
    n_rows = fields.Integer(required=True)
    n_columns = fields.Integer(required=True)
    columns = fields.List(fields.Nested(ColumnSchema), required=True)
    sha256 = fields.String(required=True)
    size_bytes = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    warnings = WarningList(
        metadata={
            "description": "what the reader had to guess or change to read the table (the "
            "encoding, the separator, a decimal comma, thousands separators, NUL bytes, "
            "odd cells in a column of numbers); empty when nothing. A header that repeats a "
            "name is refused (422), not renamed."
        }
    )
