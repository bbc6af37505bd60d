"""``GET /v1/jobs/{id}/events``: a job's progress as Server-Sent Events.

Each stream is bounded (:data:`STREAM_SECONDS`) and starts with a ``retry:`` hint: after
at most that long its client reconnects with ``Last-Event-ID`` and resumes exactly where
it was, so no connection is held for ever and a load balancer may move it. Under the
gevent worker (``api/server.py``) an open stream is a greenlet, not a thread: hundreds
cost little. Nor does a stream poll the database: the process's :class:`JobWatch`
(``api/job_watch.py``) reads the progress of every followed job in one query each
:data:`POLL_SECONDS` and wakes the streams of the jobs that changed; streams at the same
point then share one read of their new events, rendered once.

The route belongs to the jobs blueprint (``api/__init__.py`` imports this module before
registering it). Each event is dumped by its schema in :data:`models.documents.EVENTS`,
which also describes it in the OpenAPI document.

A stream also ends, within seconds, when the key it was opened with stops giving this
tenant's data (revoked, or moved to another tenant; see ``api/key_watch.py``): its last
frame is an SSE comment saying so, and the client's reconnect is answered 401.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from flask import Flask, Response, current_app, request, stream_with_context
from flask.views import MethodView

from api.auth import current_owner
from api.job_watch import JobWatch
from api.jobs import blp
from api.key_watch import hold_for_request
from api.responses import errors
from api.services import EXTENSION, service
from models.documents import EVENTS
from models.store.events import Cursor, Event

STREAM_SECONDS = 25  # the default of TUNEFORGE_EVENTS_STREAM_SECONDS
POLL_SECONDS = 0.5
RETRY_MS = 1000
REVOKED = ": the API key this stream was opened with is no longer valid\n\n"
WATCH = "tuneforge.job_watch"
EXAMPLE = (
    f"retry: {RETRY_MS}\n\n"
    'id: 1.-.-\nevent: trial\ndata: {"number": 0, "state": "succeeded", "mean_score": 0.96}\n\n'
    'id: 1.-.0\nevent: best\ndata: {"best_trial": 0, "best_score": 0.96}\n\n'
)
RESPONSES = {
    "200": {
        "description": "A text/event-stream of `status` (the job), `trial` (each finished "
        "trial), `best` (each new best) and `end` events; ids are resume cursors. The stream "
        f"ends after at most {STREAM_SECONDS} s with a `retry:` hint, or after `end`, or "
        "within seconds of its key's revocation (after a `:` comment saying so; a "
        "reconnect is then a 401). The "
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
    deadline = time.monotonic() + service().settings.events_stream_seconds
    yield f"retry: {RETRY_MS}\n\n"
    with (
        job_watch().follow(owner, job_id) as follower,
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
    return [_frame(event) for event in events], after, ended


def job_watch() -> JobWatch:
    """The watcher of the app handling this request."""
    return current_app.extensions[WATCH]


def init_app(app: Flask) -> None:
    """Give ``app`` its watcher, which reads through its service (``api.services``)."""
    svc = app.extensions[EXTENSION]
    app.extensions[WATCH] = JobWatch(svc.job_progress, news, POLL_SECONDS)


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
