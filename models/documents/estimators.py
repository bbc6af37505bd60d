"""The catalog as clients read it: each estimator, its tunable parameters, its spaces,
and the scorers of each task."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from models.documents.fields import Number, Scalar, one_of
from models.documents.specs import DimensionSchema
from models.engine.catalog import PARAM_KINDS, TASKS, Param, describe_param


class ParamSchema(ma.Schema):
    """A tunable parameter: its kind, bounds and allowed non-numeric values."""

    type = fields.String(required=True, validate=one_of(PARAM_KINDS))
    low = Number(metadata={"description": "int and float: the smallest value allowed"})
    high = Number(metadata={"description": "int and float: the largest value allowed"})
    choices = fields.List(
        Scalar(),
        metadata={"description": "choice: every value; int and float: values allowed besides"},
    )
    doc = fields.String()

    @ma.pre_dump
    def _describe(self, param: Param, **_: Any) -> dict[str, Any]:
        return describe_param(param)


def _by_task(values: fields.Field, description: str) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=one_of(TASKS)),
        values=fields.Dict(keys=fields.String(), values=values),
        required=True,
        metadata={"description": description},
    )


class EstimatorSchema(ma.Schema):
    """One catalog entry (a :class:`~models.engine.catalog.Estimator`)."""

    name = fields.String(required=True, metadata={"example": "decision_tree"})
    title = fields.String(required=True)
    tasks = fields.List(fields.String(validate=one_of(TASKS)), required=True)
    params = _by_task(fields.Nested(ParamSchema), "task → parameter → what it accepts")
    default_space = _by_task(
        fields.Nested(DimensionSchema), "task → the space searched when a spec gives none"
    )
    resource_params = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={
            "description": "parameters halving may use as its resource, with their full budget"
        },
    )
    max_train_rows = fields.Integer(
        required=True,
        allow_none=True,
        metadata={
            "description": "the most training rows a job with it may have (null: no limit but "
            "the service's)"
        },
    )


class EstimatorListSchema(ma.Schema):
    """The catalog, and the scorers a job of each task may rank by."""

    items = fields.List(fields.Nested(EstimatorSchema), required=True)
    scorers = fields.Dict(
        keys=fields.String(validate=one_of(TASKS)),
        values=fields.List(fields.String()),
        required=True,
        metadata={
            "description": "task → the scikit-learn scorer names a spec of that task may use "
            "(some need a binary target; scorers named neg_* are errors, negated so that "
            "higher is better)"
        },
    )
