"""``GET /v1/jobs/{id}/events``: a job's progress as Server-Sent Events.

Each stream is bounded (:data:`STREAM_SECONDS`) and starts with a ``retry:`` hint: a
watcher holds one gunicorn thread for at most that long, then its client reconnects with
``Last-Event-ID`` and resumes exactly where it was. That keeps the plain threaded WSGI
server (no async worker class, no extra dependency) while many clients watch.

The route belongs to the jobs blueprint (``api/__init__.py`` imports this module before
registering it). Each event is dumped by its schema in :data:`models.documents.EVENTS`,
which also describes it in the OpenAPI document.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from flask import Response, request, stream_with_context
from flask.views import MethodView

from api.auth import current_owner
from api.jobs import blp
from api.responses import errors
from api.services import service
from models.documents import EVENTS
from models.store.events import Cursor, Event

STREAM_SECONDS = 25  # the default of TUNEFORGE_EVENTS_STREAM_SECONDS
POLL_SECONDS = 0.5
RETRY_MS = 1000
EXAMPLE = (
    f"retry: {RETRY_MS}\n\n"
    'id: 1.-.-\nevent: trial\ndata: {"number": 0, "state": "succeeded", "mean_score": 0.96}\n\n'
    'id: 1.-.0\nevent: best\ndata: {"best_trial": 0, "best_score": 0.96}\n\n'
)
RESPONSES = {
    "200": {
        "description": "A text/event-stream of `status` (the job), `trial` (each finished "
        "trial), `best` (each new best) and `end` events; ids are resume cursors. The stream "
        f"ends after at most {STREAM_SECONDS} s with a `retry:` hint, or after `end`. The "
        "schema describes one event (as OpenAPI 3.1 tools read an event stream's schema): "
        "its `data` is a JSON document, the one its `contentSchema` names.",
        "content": {
            "text/event-stream": {
                "schema": {"oneOf": list(EVENTS.values())},
                "example": EXAMPLE,
            }
        },
    }
}
LAST_EVENT_ID = {
    "name": "Last-Event-ID",
    "in": "header",
    "required": False,
    "description": "resume after this event",
    "schema": {"type": "string"},
}


def _frame(event: Event) -> str:
    frame = EVENTS[event.kind]().dump({"event": event.kind, "id": event.id, "data": event.record})
    return f"id: {frame['id']}\nevent: {frame['event']}\ndata: {frame['data']}\n\n"


def stream(owner: str, job_id: str, cursor: Cursor) -> Iterator[str]:
    """The frames of one bounded stream, from ``cursor`` on."""
    svc = service()
    deadline = time.monotonic() + svc.settings.events_stream_seconds
    yield f"retry: {RETRY_MS}\n\n"
    while True:
        events, cursor, ended = svc.job_events(owner, job_id, cursor)
        yield from (_frame(event) for event in events)
        if ended or time.monotonic() >= deadline:
            return
        time.sleep(POLL_SECONDS)


@blp.route("/<job_id>/events")
class JobEvents(MethodView):
    @blp.doc(operationId="streamJobEvents", parameters=[LAST_EVENT_ID], responses=RESPONSES)
    @errors(blp, 404)
    def get(self, job_id: str) -> Response:
        """Follow a job live: Server-Sent Events, resumable with Last-Event-ID."""
        owner = current_owner()
        service().get_job(owner, job_id)  # 404 before the stream starts
        cursor = Cursor.parse(request.headers.get("Last-Event-ID"))
        response = Response(
            stream_with_context(stream(owner, job_id, cursor)), mimetype="text/event-stream"
        )
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Accel-Buffering"] = "no"
        return response
