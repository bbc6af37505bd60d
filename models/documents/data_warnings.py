"""What the data made tuneforge guess or suspect: a dataset's and a job's ``warnings``."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields


class DataWarningSchema(ma.Schema):
    """One thing the reader guessed about the table, or the spec check found in it."""

    code = fields.String(
        required=True,
        metadata={
            "description": "what kind: encoding, nul_removed, dialect_guessed, sep_line, "
            "decimal_comma, decimal_point, column_decimal_comma, column_decimal_point, "
            "thousands_separator, odd_cells_missing, "
            "column_dropped (datasets); "
            "target_missing, similar_classes, possible_leak, warm_start_unfit, "
            "warm_start_unscored, warm_start_limit, auto_family_left_out (jobs). "
            "More codes may come.",
            "example": "decimal_comma",
        },
    )
    message = fields.String(
        required=True,
        metadata={
            "description": "what was done, in words for people",
            "example": "Numbers are written with a decimal comma, found from the first rows: "
            "2,5 was read as 2.5, and 1.234,5 as 1234.5.",
        },
    )
    column = fields.String(
        metadata={"description": "the column it is about, if it is about one", "example": "price"}
    )
    job_id = fields.String(
        metadata={"description": "warm_start_*: the parent job it is about"},
    )
    trials = fields.List(
        fields.Integer(),
        metadata={"description": "warm_start_unfit: the parent's trial numbers left out"},
    )


class WarningList(fields.List):
    """The ``warnings`` of a record: a list, empty for records stored before warnings."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(fields.Nested(DataWarningSchema), required=True, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize(value or [], attr, obj, **kwargs)
