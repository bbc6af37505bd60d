"""The gunicorn worker class the API runs under: gthread, with problem+json errors.

Gunicorn answers a request it cannot parse (a bad request line, a header with control
characters) itself, before the app sees it, with an HTML page. Every error of this
service is ``application/problem+json``, so those answers are too.
"""

from __future__ import annotations

import json
import socket
from http import HTTPStatus

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

from api.errors import PROBLEM_JSON


def write_problem(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """What gunicorn's ``util.write_error`` writes, as an RFC 9457 problem."""
    try:
        title = HTTPStatus(status_int).phrase
    except ValueError:
        title = reason
    body = json.dumps(
        {
            "type": "about:blank",
            "title": title,
            "status": status_int,
            "detail": f"the server could not read the request: {mesg}",
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: {PROBLEM_JSON}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin1") + body)


util.write_error = write_problem


class ProblemThreadWorker(ThreadWorker):
    """gunicorn's threaded worker; importing this module installs :func:`write_problem`."""
