"""Every request measured and logged: the request-duration histogram and one access-log
line (``tuneforge.access``) per request.

The access line is written here rather than by gunicorn because only the app knows the
route template, the job a request is about and the tenant; gunicorn's own access log is
off (``models.plumbing.logs.dict_config``). The time runs from the first ``before_request`` hook
to the response's start (a streamed body, such as an event stream, is not included).
"""

from __future__ import annotations

import logging
import re
import time

from flask import Flask, Response, g, request

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
        log.info(
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
            },
        )
        return response


def _job_id(response: Response) -> str | None:
    """The job a request is about: in its path, or the one it created (its Location)."""
    job_id = (request.view_args or {}).get("job_id")
    if job_id is None and (match := _JOB_LOCATION.search(response.headers.get("Location", ""))):
        job_id = match["job_id"]
    return job_id
