"""A job's parameter importance (:class:`~models.engine.importance.Importance`)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from models.engine.importance import METHOD


class ParamImportanceSchema(ma.Schema):
    """One parameter's share of the score's variance."""

    param = fields.String(required=True, metadata={"example": "max_depth"})
    importance = fields.Float(
        required=True, metadata={"description": "between 0 and 1; the shares sum to 1"}
    )


class ImportanceSchema(ma.Schema):
    """How much each parameter mattered to a job's score so far (fANOVA over its scored
    trials, the best 1,000 at most); parameters that never varied are left out."""

    job_id = fields.String(required=True)
    method = fields.String(required=True, validate=ma.validate.OneOf([METHOD]))
    n_trials = fields.Integer(
        required=True, metadata={"description": "the scored trials weighed", "example": 37}
    )
    importances = fields.List(
        fields.Nested(ParamImportanceSchema),
        required=True,
        metadata={
            "description": "largest first; empty while it cannot be computed (see detail)",
            "example": [
                {"param": "max_depth", "importance": 0.71},
                {"param": "min_samples_leaf", "importance": 0.29},
            ],
        },
    )
    rung = fields.Integer(
        required=True,
        allow_none=True,
        metadata={
            "description": "for a successive-halving search, the rung whose trials were "
            "weighed: 0, the first, where every candidate ran on the same budget (scores on "
            "bigger budgets are not comparable with it); null for other searches",
            "example": None,
        },
    )
    detail = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "why importances is empty; null when it is not", "example": None},
    )
