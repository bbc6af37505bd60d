"""A job's and a study's progress as Server-Sent Events: one schema per event, its
``data`` a document.

:func:`models.store.events.poll` says which events of a job happened and about which
record, :func:`models.store.study_events.poll` those of a study; :data:`EVENTS` and
:data:`STUDY_EVENTS` dump each one. The OpenAPI document describes every event from these
schemas (``GET /v1/jobs/{id}/events``, ``GET /v1/studies/{id}/events``), ``data``
included.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from models.documents.fields import JsonText, one_of, params_field
from models.documents.jobs import JobSchema, TrialSchema
from models.store.records import JobStatus, StudyState, StudyTrialState


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


def _id(example: str = "3.running.2") -> fields.String:
    return fields.String(
        required=True,
        metadata={
            "description": "a resume cursor: reconnect with it as Last-Event-ID",
            "example": example,
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


# A study's events (models/store/study_events.py): each one's data as it was appended.


class StudySuggestedSchema(ma.Schema):
    """The trials one ask leased, and when the last of those leases lapses."""

    numbers = fields.List(fields.Integer(), required=True)
    lease_expires_at = fields.DateTime(required=True)


class StudyLapsedSchema(ma.Schema):
    """A trial whose lease lapsed without a report; the ask that noticed it hands it out
    again (a ``suggested`` event follows)."""

    number = fields.Integer(required=True)
    lease_expires_at = fields.DateTime(required=True, allow_none=True)


class StudyReportedSchema(ma.Schema):
    """A trial's outcome, as its client reported it."""

    number = fields.Integer(required=True)
    state = fields.String(
        required=True, validate=one_of(s for s in StudyTrialState if s != "leased")
    )
    value = fields.Float(required=True, allow_none=True)
    error = fields.String(required=True, allow_none=True)


class StudyNewBestSchema(ma.Schema):
    """A study's best trial so far, in the metric's own sense."""

    best_trial = fields.Integer(required=True)
    best_value = fields.Float(required=True)
    best_params = params_field(required=True)


class StudyCompletedSchema(ma.Schema):
    """How a study ended: every trial recorded (or a grid with every point tried)."""

    state = fields.String(required=True, validate=one_of(StudyState))
    trials_completed = fields.Integer(required=True)
    best_trial = fields.Integer(required=True, allow_none=True)
    best_value = fields.Float(required=True, allow_none=True)
    best_params = params_field(required=True, allow_none=True)


def _study_event(kind: str, data: type[ma.Schema], doc: str) -> type[ma.Schema]:
    """The schema of a study's ``kind`` event, its data a ``data`` document."""
    name = f"Study{kind.capitalize()}EventSchema"
    attrs = {"event": _kind(kind), "id": _id("7"), "data": JsonText(data, required=True)}
    return type(name, (ma.Schema,), {**attrs, "__doc__": doc})


# Event kind → its schema; dump ``{"event": kind, "id": number, "data": dict}``.
STUDY_EVENTS: dict[str, type[ma.Schema]] = {
    "suggested": _study_event("suggested", StudySuggestedSchema, "``suggested``: an ask's leases."),
    "lapsed": _study_event("lapsed", StudyLapsedSchema, "``lapsed``: a lease lapsed."),
    "reported": _study_event("reported", StudyReportedSchema, "``reported``: a trial's outcome."),
    "best": _study_event("best", StudyNewBestSchema, "``best``: a new best trial."),
    "completed": _study_event(
        "completed", StudyCompletedSchema, "``completed``: the study is done; the stream closes."
    ),
}
