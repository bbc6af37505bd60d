"""Every request measured and logged: the request-duration histogram and one access-log
line (``tuneforge.access``) per request.

The access line is written here rather than by gunicorn because only the app knows the
route template, the job a request is about and the tenant; gunicorn's own access log is
off (``models.plumbing.logs.dict_config``). The time runs from the first ``before_request`` hook
to the response's start (a streamed body, such as an event stream, is not included).

A request that says it is a poll (:data:`POLL_HEADER`: the dashboard's timed refreshes
and event-stream reconnections, ``tuneforge serve``'s readiness probe) is logged at
DEBUG when it succeeds: an open dashboard polls hundreds of times an hour, and the lines
buried everything else. Only a GET counts as a poll (a client cannot hide what it
changes), and one that fails (4xx, 5xx) is logged at INFO like any request.
"""

from __future__ import annotations

import logging
import re
import time

from flask import Flask, Response, g, request

from api import POLL_HEADER
from models.plumbing import metrics

log = logging.getLogger("tuneforge.access")

UNMATCHED = "<unmatched>"  # the route label of a request no route matched (404, 405)
_JOB_LOCATION = re.compile(r"/v1/jobs/(?P<job_id>[^/?]+)$")


def init_app(app: Flask) -> None:
    """Register the hooks; call before any other ``before_request`` hook is registered,
    since a hook that answers (a 401) skips the hooks after it."""

    @app.before_request
    def start_clock() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def measure(response: Response) -> Response:
        started = g.pop("request_started", None)
        seconds = time.perf_counter() - started if started is not None else 0.0
        route = request.url_rule.rule if request.url_rule is not None else UNMATCHED
        metrics.request_finished(request.method, route, response.status_code, seconds)
        poll = request.headers.get(POLL_HEADER) if request.method == "GET" else None
        polled = poll is not None and response.status_code < 400
        log.log(
            logging.DEBUG if polled else logging.INFO,
            "%s %s %d",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 2),
                "job_id": _job_id(response),
                "tenant": g.get("owner"),
                "remote_addr": request.remote_addr,
                "poll": poll,
            },
        )
        return response


def _job_id(response: Response) -> str | None:
    """The job a request is about: in its path, or the one it created (its Location)."""
    job_id = (request.view_args or {}).get("job_id")
    if job_id is None and (match := _JOB_LOCATION.search(response.headers.get("Location", ""))):
        job_id = match["job_id"]
    return job_id
