"""Predictions over HTTP: the rows a client sends and the answer
(``POST /v1/jobs/{id}/predictions``; :mod:`models.predictions` computes it)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from models.documents.fields import Scalar


class PredictionRowsSchema(ma.Schema):
    """Rows to predict on, as JSON: one object per row, column name to value."""

    rows = fields.List(
        fields.Dict(keys=fields.String(), values=Scalar()),
        required=True,
        metadata={
            "description": "every column the model was trained on (null is a missing value; "
            'numbers may be written as text with the dataset\'s decimal mark, `"2,5"`); '
            "other columns are ignored and listed in `ignored_columns`. At most "
            "`TUNEFORGE_PREDICT_MAX_ROWS` rows (10,000 by default) in a body of at most 1 MiB: "
            "send CSV for more",
            "example": [{"age": 41, "income": "52.300,50", "plan": "pro", "member": True}],
        },
    )


def _answer_value(**kwargs: object) -> fields.Raw:
    """A class or a number (a list of types of its own: a shared one would be a YAML alias
    in openapi.yaml)."""
    return fields.Raw(metadata={"type": ["number", "string", "boolean"], **kwargs})


class PredictionsSchema(ma.Schema):
    """The model's answer for each row, in order."""

    predictions = fields.List(
        _answer_value(),
        required=True,
        metadata={"description": "one per row: a class, or a number", "example": ["yes"]},
    )
    classes = fields.List(
        _answer_value(),
        metadata={
            "description": "a classifier's classes, the order of each row's probabilities",
            "example": ["no", "yes"],
        },
    )
    probabilities = fields.List(
        fields.List(fields.Float()),
        metadata={
            "description": "per row, each class's probability in `classes` order (classifiers "
            "whose estimator gives them)",
            "example": [[0.18, 0.82]],
        },
    )
    ignored_columns = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "columns sent that the model does not take, ignored",
            "example": ["customer_id"],
        },
    )
