"""A job's progress as Server-Sent Events: one schema per event, its ``data`` a document.

:func:`models.store.events.poll` says which events happened and about which record;
:data:`EVENTS` dumps each one. The OpenAPI document describes every event from these
schemas (``GET /v1/jobs/{id}/events``), ``data`` included.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from models.documents.fields import JsonText, one_of, params_field
from models.documents.jobs import JobSchema, TrialSchema
from models.store.records import JobStatus


class JobBestSchema(ma.Schema):
    """A job's best trial so far (read from the job)."""

    best_trial = fields.Integer(required=True)
    best_score = fields.Float(required=True, allow_none=True)
    best_params = params_field(required=True, allow_none=True)


class JobEndSchema(ma.Schema):
    """How a job ended (read from the job)."""

    status = fields.String(required=True, validate=one_of(JobStatus))


def _kind(name: str) -> fields.String:
    return fields.String(required=True, validate=validate.Equal(name))


def _id() -> fields.String:
    return fields.String(
        required=True,
        metadata={
            "description": "a resume cursor: reconnect with it as Last-Event-ID",
            "example": "3.running.2",
        },
    )


class StatusEventSchema(ma.Schema):
    """``status``: the job, whenever its status changes."""

    event = _kind("status")
    id = _id()
    data = JsonText(JobSchema, required=True)


class TrialEventSchema(ma.Schema):
    """``trial``: each finished trial."""

    event = _kind("trial")
    id = _id()
    data = JsonText(TrialSchema, required=True)


class BestEventSchema(ma.Schema):
    """``best``: each new best trial."""

    event = _kind("best")
    id = _id()
    data = JsonText(JobBestSchema, required=True)


class EndEventSchema(ma.Schema):
    """``end``: the job has ended; the stream closes."""

    event = _kind("end")
    id = _id()
    data = JsonText(JobEndSchema, required=True)


# Event kind → its schema; dump ``{"event": kind, "id": cursor, "data": record}``.
EVENTS: dict[str, type[ma.Schema]] = {
    "status": StatusEventSchema,
    "trial": TrialEventSchema,
    "best": BestEventSchema,
    "end": EndEventSchema,
}
