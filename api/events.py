"""``GET /v1/jobs/{id}/events``: a job's progress as Server-Sent Events.

Each stream is bounded (:data:`STREAM_SECONDS`) and starts with a ``retry:`` hint: a
watcher holds one gunicorn thread for at most that long, then its client reconnects with
``Last-Event-ID`` and resumes exactly where it was. That keeps the plain threaded WSGI
server (no async worker class, no extra dependency) while many clients watch.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from flask import Response, request, stream_with_context
from flask.views import MethodView

from api.auth import current_owner
from api.responses import errors
from api.services import db, services
from models import jobs
from models.events import Cursor, poll
from models.records import json_default

STREAM_SECONDS = 25  # the default of TUNEFORGE_EVENTS_STREAM_SECONDS
POLL_SECONDS = 0.5
RETRY_MS = 1000
RESPONSES = {
    "200": {
        "description": "A text/event-stream of `status` (the job), `trial` (each finished "
        "trial), `best` (each new best) and `end` events; ids are resume cursors. The stream "
        f"ends after at most {STREAM_SECONDS} s with a `retry:` hint, or after `end`.",
        "content": {
            "text/event-stream": {
                "schema": {"type": "string"},
                "example": 'retry: 1000\n\nid: 1.running.0\nevent: trial\ndata: {"number": 0}\n\n',
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


def _frame(kind: str, event_id: str, data: dict[str, Any]) -> str:
    return f"id: {event_id}\nevent: {kind}\ndata: {json.dumps(data, default=json_default)}\n\n"


def stream(owner: str, job_id: str, cursor: Cursor) -> Iterator[str]:
    sessions = services().sessions
    deadline = time.monotonic() + services().settings.events_stream_seconds
    yield f"retry: {RETRY_MS}\n\n"
    while True:
        with sessions() as session:
            events, cursor, ended = poll(session, owner, job_id, cursor)
        for event in events:
            yield _frame(event.kind, event.id, event.data)
        if ended or time.monotonic() >= deadline:
            return
        time.sleep(POLL_SECONDS)


def register(blp: Any) -> None:
    """Add the route to the jobs blueprint."""

    @blp.route("/<job_id>/events")
    class JobEvents(MethodView):
        @blp.doc(operationId="streamJobEvents", parameters=[LAST_EVENT_ID], responses=RESPONSES)
        @errors(blp, 404)
        def get(self, job_id: str) -> Response:
            """Follow a job live: Server-Sent Events, resumable with Last-Event-ID."""
            owner = current_owner()
            jobs.get_job(db(), owner, job_id)  # 404 before the stream starts
            cursor = Cursor.parse(request.headers.get("Last-Event-ID"))
            response = Response(
                stream_with_context(stream(owner, job_id, cursor)), mimetype="text/event-stream"
            )
            response.headers["Cache-Control"] = "no-cache"
            response.headers["X-Accel-Buffering"] = "no"
            return response
