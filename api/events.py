"""``GET /v1/jobs/{id}/events`` and ``GET /v1/studies/{id}/events``: a job's or a study's
progress as Server-Sent Events.

Both streams are one machinery over a "subject" (a job or a study): what differs is how
its events are read (a job's off its rows, a study's from its appended events) and
their schemas; the framing, resuming, bounds, watcher and revocation are the same.

Each stream is bounded (:data:`STREAM_SECONDS`) and starts with a ``retry:`` hint: after
at most that long its client reconnects with ``Last-Event-ID`` and resumes exactly where
it was, so no connection is held for ever and a load balancer may move it. Under the
gevent worker (``api/server.py``) an open stream is a greenlet, not a thread: hundreds
cost little. Nor does a stream poll the database: the process's :class:`SubjectWatch`
for jobs (another for studies, ``api/watch.py``) reads the progress of every followed job
in one query each :data:`POLL_SECONDS` and wakes the streams of the jobs that changed;
streams at the same point then share one read of their new events, rendered once.

The jobs' route belongs to their blueprint (``api/__init__.py`` imports this module before
registering it); the studies' is in ``api/studies.py``. Each event is dumped by its schema in
:data:`models.documents.EVENTS` (a study's, :data:`~models.documents.STUDY_EVENTS`), which
also describes it in the OpenAPI document.

A stream also ends, within seconds, when the key it was opened with stops giving this
tenant's data (revoked, or moved to another tenant; see ``api/key_watch.py``): its last
frame is an SSE comment saying so, and the client's reconnect is answered 401.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterator
from typing import Any

import marshmallow as ma
from flask import Flask, Response, current_app, request, stream_with_context
from flask.views import MethodView

from api.auth import current_owner
from api.jobs import blp
from api.key_watch import hold_for_request
from api.responses import errors
from api.services import EXTENSION, service
from api.watch import SubjectWatch
from models.documents import EVENTS, STUDY_EVENTS
from models.store.events import Cursor

STREAM_SECONDS = 25  # the default of TUNEFORGE_EVENTS_STREAM_SECONDS
POLL_SECONDS = 0.5
RETRY_MS = 1000
REVOKED = ": the API key this stream was opened with is no longer valid\n\n"
WATCH = "tuneforge.job_watch"
STUDY_WATCH = "tuneforge.study_watch"
EXAMPLE = (
    f"retry: {RETRY_MS}\n\n"
    'id: 1.-.-\nevent: trial\ndata: {"number": 0, "state": "succeeded", "mean_score": 0.96}\n\n'
    'id: 1.-.0\nevent: best\ndata: {"best_trial": 0, "best_score": 0.96}\n\n'
)
STUDY_EXAMPLE = (
    f"retry: {RETRY_MS}\n\n"
    'id: 1\nevent: suggested\ndata: {"numbers": [0, 1], '
    '"lease_expires_at": "2026-12-06T21:05:00+00:00"}\n\n'
    'id: 2\nevent: reported\ndata: {"number": 0, "state": "succeeded", "value": 0.25, '
    '"error": null}\n\n'
)


def _responses(
    schemas: dict[str, type[ma.Schema]], events: str, end: str, example: str
) -> dict[str, Any]:
    return {
        "200": {
            "description": f"A text/event-stream of {events} events; ids are resume cursors. "
            f"The stream ends after at most {STREAM_SECONDS} s with a `retry:` hint, or "
            f"after `{end}`, or within seconds of its key's revocation (after a `:` comment "
            "saying so; a reconnect is then a 401). The schema describes one event (as "
            "OpenAPI 3.1 tools read an event stream's schema): its `data` is a JSON "
            "document, the one its `contentSchema` names.",
            "content": {
                "text/event-stream": {
                    "schema": {"oneOf": list(schemas.values())},
                    "example": example,
                }
            },
        }
    }


RESPONSES = _responses(
    EVENTS,
    "`status` (the job), `trial` (each finished trial), `best` (each new best) and `end`",
    "end",
    EXAMPLE,
)
STUDY_RESPONSES = _responses(
    STUDY_EVENTS,
    "`suggested` (the trials each ask leased), `lapsed` (a lease that expired without a "
    "report, noticed by the ask that hands the trial out again), `reported` (each "
    "outcome), `best` (each new best) and `completed`",
    "completed",
    STUDY_EXAMPLE,
)
LAST_EVENT_ID = {
    "name": "Last-Event-ID",
    "in": "header",
    "required": False,
    "description": "resume after this event",
    "schema": {"type": "string"},
}


def _frame(schemas: dict[str, type[ma.Schema]], event: Any) -> str:
    """One event (a ``kind``, an ``id`` and a ``record``) as its SSE frame."""
    frame = schemas[event.kind]().dump({"event": event.kind, "id": event.id, "data": event.record})
    return f"id: {frame['id']}\nevent: {frame['event']}\ndata: {frame['data']}\n\n"


def stream(watch: SubjectWatch, owner: str, subject_id: str, cursor: Hashable) -> Iterator[str]:
    """The frames of one bounded stream of the subject ``watch`` follows, from ``cursor``."""
    deadline = time.monotonic() + service().settings.events_stream_seconds
    yield f"retry: {RETRY_MS}\n\n"
    with (
        watch.follow(owner, subject_id) as follower,
        hold_for_request(on_revoke=follower.changed.set) as grant,  # a revocation wakes it
    ):
        while True:
            frames, cursor, ended = follower.news(cursor)
            if frames:
                yield "".join(frames)  # one write (and one system call) for all of them
            left = deadline - time.monotonic()
            if ended or left <= 0:
                return
            follower.wait(left)
            if grant.revoked:
                yield REVOKED
                return


def news(owner: str, job_id: str, cursor: Cursor) -> tuple[list[str], Cursor, bool]:
    """The frames of what happened since ``cursor``, the cursor after them, and whether
    the job has ended: one read, which every follower at ``cursor`` shares."""
    events, after, ended = service().job_events(owner, job_id, cursor)
    return [_frame(EVENTS, event) for event in events], after, ended


def study_news(owner: str, study_id: str, cursor: int) -> tuple[list[str], int, bool]:
    """As :func:`news`, for a study."""
    events, after, ended = service().studies.events(owner, study_id, cursor)
    return [_frame(STUDY_EVENTS, event) for event in events], after, ended


def init_app(app: Flask) -> None:
    """Give ``app`` its watchers, which read through its service (``api.services``)."""
    svc = app.extensions[EXTENSION]
    app.extensions[WATCH] = SubjectWatch(svc.job_progress, news, POLL_SECONDS, "job-watch")
    app.extensions[STUDY_WATCH] = SubjectWatch(
        svc.studies.progress, study_news, POLL_SECONDS, "study-watch"
    )


def event_stream(watch: str, owner: str, subject_id: str, cursor: Hashable) -> Response:
    """The response streaming ``subject_id``'s events from ``cursor``, followed by the
    app's watcher named ``watch`` (:data:`WATCH` for jobs, :data:`STUDY_WATCH`)."""
    watcher = current_app.extensions[watch]
    response = Response(
        stream_with_context(stream(watcher, owner, subject_id, cursor)),
        mimetype="text/event-stream",
    )
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    return response


@blp.route("/<job_id>/events")
class JobEvents(MethodView):
    @blp.doc(operationId="streamJobEvents", parameters=[LAST_EVENT_ID], responses=RESPONSES)
    @errors(blp, 404)
    def get(self, job_id: str) -> Response:
        """Follow a job live: Server-Sent Events, resumable with Last-Event-ID."""
        owner = current_owner()
        service().get_job(owner, job_id)  # 404 before the stream starts
        cursor = Cursor.parse(request.headers.get("Last-Event-ID"))
        return event_stream(WATCH, owner, job_id, cursor)
