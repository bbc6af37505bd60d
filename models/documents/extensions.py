"""``POST /v1/jobs/{id}/extend``'s body, and the extensions a job lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from models.documents.fields import StrictSchema, WholeNumber


class ExtendSchema(StrictSchema):
    """More trials, more time, or both, for a job running or ended."""

    n_trials = WholeNumber(
        validate=validate.Range(1),
        metadata={
            "description": "trials to run beyond those recorded (a running job: beyond its "
            "plan); the job's plan stays at most TUNEFORGE_MAX_TRIALS. Not for halving; a "
            "grid goes on through the points it has left",
            "example": 10,
        },
    )
    timeout_s = WholeNumber(
        validate=validate.Range(1),
        metadata={
            "description": "an ended job: no trial starts after this many seconds from now "
            "(default: the spec's timeout_s); a running job: its deadline this much later. "
            "At most TUNEFORGE_MAX_JOB_SECONDS",
            "example": 600,
        },
    )

    @ma.validates_schema
    def _something(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("n_trials") is None and data.get("timeout_s") is None:
            raise ma.ValidationError("give n_trials, timeout_s, or both", "n_trials")


class ExtensionSchema(ma.Schema):
    """One extension of a job: when, and what it added."""

    at = fields.DateTime(required=True)
    n_trials = fields.Integer(required=True, allow_none=True)
    timeout_s = fields.Integer(required=True, allow_none=True)


def extensions_of(job: Any) -> list[dict[str, Any]]:
    """A job's extensions as :class:`ExtensionSchema` dumps them (stored as JSON, with
    ``at`` in RFC 3339)."""
    return [
        {**extension, "at": datetime.fromisoformat(extension["at"])}
        for extension in job.extensions or []
    ]
