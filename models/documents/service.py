"""Documents about the service itself: its health, and problems (RFC 9457 errors)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem document."""

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(metadata={"example": "Unprocessable Entity"})
    status = fields.Integer(metadata={"example": 422})
    detail = fields.String(metadata={"example": "the request is invalid: estimator"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={
            "description": "for validation errors: messages by field (dotted path)",
            "example": {"estimator": ["unknown estimator 'xgb'"]},
        },
    )


class HealthSchema(ma.Schema):
    status = fields.String(required=True, metadata={"example": "ok"})
    checks = fields.Dict(keys=fields.String(), values=fields.String())
