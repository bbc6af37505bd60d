"""``/v1/studies``: ask and tell over HTTP, for objectives the client computes.

A client creates a study (a space, a direction, a strategy, a budget), asks for
suggestions (each trial leased to it for the study's ``lease_s``), evaluates them
wherever it likes and reports each value. The strategies are the jobs' own
(:mod:`models.engine.study`). Under the API's gevent server the CPU work of a suggestion
(telling TPE the new trials, proposing) runs in a planner process beside each API process
(:class:`models.study_planners.ProcessPlanners`): in this one it held the GIL the event
loop needs, and every other request waited (``bench/studies.py``). Elsewhere (a threaded
server, tests) the planners stay in this process.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from flask import Response, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import current_owner
from api.events import LAST_EVENT_ID, STUDY_RESPONSES, STUDY_WATCH, event_stream
from api.idempotency import PARAMETER as IDEMPOTENCY_KEY
from api.idempotency import idempotent, json_body_fingerprint
from api.predictions import under_gevent
from api.responses import errors, page_body
from api.schemas import AnyOf, PageArgsSchema, TrialPageArgsSchema, sort_field
from api.services import service
from models.documents.studies import (
    NewStudySchema,
    ReportSchema,
    ShouldStopSchema,
    StudyImportanceSchema,
    StudyPageSchema,
    StudySchema,
    StudyTrialPageSchema,
    StudyTrialSchema,
    SuggestionsRequestSchema,
    SuggestionsSchema,
)
from models.exceptions import NotFound
from models.store import idempotency, study_events
from models.store.records import StudyState, StudyTrialState
from models.store.studies import STUDY_SORTS
from models.study_planners import Planners, ProcessPlanners
from models.study_service import Progress

blp = Blueprint(
    "studies",
    __name__,
    url_prefix="/v1/studies",
    description="Ask and tell: the service suggests parameters, the client evaluates them "
    "and reports the value.",
)


class StudyListArgsSchema(PageArgsSchema):
    state = AnyOf(StudyState)
    sort = sort_field(STUDY_SORTS, "-created_at (default: newest first), created_at, name or -name")


class StudyTrialListArgsSchema(TrialPageArgsSchema):
    state = AnyOf(StudyTrialState)


# This process's planner process (started at its first ask), by pid: a forked process
# starts its own.
_PLANNERS: dict[int, ProcessPlanners] = {}


def planners() -> Planners | None:
    """Where this process's studies plan: a process of their own under gevent, else the
    service's (``None``)."""
    if not under_gevent():
        return None
    pid = os.getpid()
    if pid not in _PLANNERS:
        _PLANNERS[pid] = ProcessPlanners()
    _PLANNERS[pid].start()  # at once if running; before the study's lock if not
    return _PLANNERS[pid]


def _in_path_fingerprint() -> str:
    """A POST's fingerprint: the study and trial it names, and its body."""
    return idempotency.fingerprint_json(
        {"path": request.path, "body": request.get_json(silent=True)}
    )


@blp.route("")
class Studies(MethodView):
    @blp.doc(operationId="listStudies")
    @blp.arguments(StudyListArgsSchema, location="query")
    @blp.response(200, StudyPageSchema)
    @errors(blp, 422)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List studies, newest first unless sorted; filter by state."""
        page = service().studies.list(
            current_owner(), args["limit"], args.get("cursor"), args.get("state"), args["sort"]
        )
        return page_body(page, args)

    @idempotent("createStudy", fingerprint=json_body_fingerprint)
    @blp.doc(operationId="createStudy", parameters=[IDEMPOTENCY_KEY])
    @blp.arguments(
        NewStudySchema,
        example={
            "space": {"x": {"type": "float", "low": -5, "high": 5}, "kind": ["a", "b"]},
            "metric": "loss",
            "direction": "minimize",
            "strategy": "bayesian",
            "n_trials": 30,
        },
    )
    @blp.response(
        201,
        StudySchema,
        headers={"Location": {"description": "the study's URL", "schema": {"type": "string"}}},
    )
    @errors(blp, 400, 409, 415, 422, 429)
    def post(self, body: dict[str, Any]) -> Any:
        """Create a study; then ask for suggestions and report their values."""
        progress = service().studies.create(current_owner(), body)
        return progress, 201, {"Location": f"/v1/studies/{progress.study.id}"}


@blp.route("/<study_id>")
class StudyById(MethodView):
    @blp.doc(operationId="getStudy")
    @blp.response(200, StudySchema)
    @errors(blp, 404)
    def get(self, study_id: str) -> Progress:
        """One study: its trials counted by state, and the best so far."""
        return service().studies.get(current_owner(), study_id)

    @blp.doc(operationId="deleteStudy")
    @blp.response(204)
    @errors(blp, 404)
    def delete(self, study_id: str) -> None:
        """Delete a study with its trials; reports for it are then 404."""
        service().studies.delete(current_owner(), study_id)


@blp.route("/<study_id>/suggestions")
class StudySuggestions(MethodView):
    @idempotent("suggestTrials", fingerprint=_in_path_fingerprint)
    @blp.doc(operationId="suggestTrials", parameters=[IDEMPOTENCY_KEY])
    @blp.arguments(SuggestionsRequestSchema, example={"count": 2})
    @blp.response(200, SuggestionsSchema)
    @errors(blp, 400, 404, 409, 415, 422)
    def post(self, body: dict[str, Any], study_id: str) -> dict[str, Any]:
        """Lease up to `count` trials to the caller.

        Trials whose lease lapsed without a report come first (same number and params),
        then new ones from the strategy. Two callers never get the same trial. An empty
        `items` with `state` completed: the study is done; with `state` running: every
        trial left is leased to someone, ask again after `retry_after_s`.
        """
        found = service().studies.suggest(current_owner(), study_id, body["count"], planners())
        return dataclasses.asdict(found)


@blp.route("/<study_id>/trials/<number>")
class StudyTrialReport(MethodView):
    @idempotent("reportTrial", fingerprint=_in_path_fingerprint)
    @blp.doc(operationId="reportTrial", parameters=[IDEMPOTENCY_KEY])
    @blp.arguments(ReportSchema, example={"value": 0.25})
    @blp.response(200, StudyTrialSchema)
    @errors(blp, 400, 404, 409, 415, 422)
    def post(self, body: dict[str, Any], study_id: str, number: str) -> Any:
        """Report trial `number`: `{"value": v}`, `{"state": "failed", "error": ...}` or
        `{"state": "pruned"}` (200 with the trial); `{"intermediate": {"step", "value"}}`
        answers `{"should_stop": bool}` (200), the strategy's pruner's verdict (bayesian
        only; random and grid never stop a trial).

        The same report again is answered as the first; another outcome for a trial
        already reported is 409. A report after the trial's lease lapsed is taken as long
        as the trial was not reported: the value is the same whoever evaluated it.
        """
        svc = service().studies
        if not (number.isascii() and number.isdigit() and len(number) <= 9):
            raise NotFound(f"no trial {number!r}: a trial number is a whole number")
        trial = int(number)
        if "intermediate" in body:
            step, value = body["intermediate"]["step"], body["intermediate"]["value"]
            stop = svc.intermediate(current_owner(), study_id, trial, step, value, planners())
            # not the trial: a Response passes the 200's schema by
            return jsonify(ShouldStopSchema().dump({"should_stop": stop}))
        recorded, _ = svc.report(current_owner(), study_id, trial, body)
        return recorded


@blp.route("/<study_id>/trials")
class StudyTrials(MethodView):
    @blp.doc(operationId="listStudyTrials")
    @blp.arguments(StudyTrialListArgsSchema, location="query")
    @blp.response(200, StudyTrialPageSchema)
    @errors(blp, 404, 422)
    def get(self, args: dict[str, Any], study_id: str) -> dict[str, Any]:
        """A study's trials, by number unless sorted (`-mean_score`: highest value first,
        `mean_score`: lowest first); filter by state."""
        page = service().studies.list_trials(
            current_owner(),
            study_id,
            args["limit"],
            args.get("cursor"),
            args["sort"],
            args.get("state"),
        )
        return page_body(page, args)


@blp.route("/<study_id>/importance")
class StudyImportance(MethodView):
    @blp.doc(operationId="getStudyImportance")
    @blp.response(200, StudyImportanceSchema)
    @errors(blp, 404)
    def get(self, study_id: str) -> dict[str, Any]:
        """How much each parameter mattered to the value (fANOVA, as a job's)."""
        found = service().studies.importance(current_owner(), study_id)
        return {"study_id": study_id, **dataclasses.asdict(found)}


@blp.route("/<study_id>/events")
class StudyEvents(MethodView):
    @blp.doc(operationId="streamStudyEvents", parameters=[LAST_EVENT_ID], responses=STUDY_RESPONSES)
    @errors(blp, 404)
    def get(self, study_id: str) -> Response:
        """Follow a study live: Server-Sent Events, resumable with Last-Event-ID.

        `suggested`, `lapsed`, `reported`, `best`, then `completed`, the last: each ask's,
        report's and completion's events in the order they happened (the stream machinery
        of a job's `/events`).
        """
        owner = current_owner()
        service().studies.get(owner, study_id)  # 404 before the stream starts
        cursor = study_events.parse_cursor(request.headers.get("Last-Event-ID"))
        return event_stream(STUDY_WATCH, owner, study_id, cursor)
