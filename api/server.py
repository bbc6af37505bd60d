"""The gunicorn worker class the API runs under: gthread, with problem+json errors.

Gunicorn answers a request it cannot parse (a bad request line, a header with control
characters, a line too long) itself, before the app sees it, with an HTML page. Every
error of this service is ``application/problem+json``, so those answers are too.

How: :meth:`ProblemThreadWorker.handle_error` overrides the method gunicorn's workers
document for subclasses. It lets gunicorn's own ``handle_error`` run against a stand-in
for the client socket, so gunicorn still decides the status, reason and message for each
of its exceptions (about twenty, growing with each release) and still writes its logs;
then it sends the same status as a problem instead of the page. Re-implementing that
mapping would be shorter today and wrong after the next gunicorn release. What this relies
on, the page's shape (``HTTP/1.1 <status> <reason>`` and the message between ``</h1>``
and ``</body>``), is pinned by ``tests/unit/test_server.py``; if it ever changes, the page
is sent as gunicorn wrote it and a warning is logged.
"""

from __future__ import annotations

import html
import re
import socket
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

from api.errors import PROBLEM_JSON, problem

_PAGE = re.compile(
    rb"HTTP/1\.1 (?P<status>\d{3}) (?P<reason>[^\r\n]*)\r\n.*?\r\n\r\n"
    rb".*?</h1>\s*(?P<message>.*?)\s*</body>",
    re.DOTALL,
)


class ProblemThreadWorker(ThreadWorker):
    """gunicorn's threaded worker, whose own error answers are RFC 9457 problems."""

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: BaseException) -> None:
        page = _Page()
        super().handle_error(req, page, addr, exc)
        answer = as_problem(bytes(page.data))
        if answer is None:
            self.log.warning("gunicorn's error page has an unknown shape; sent as it is")
            answer = bytes(page.data)
        try:
            util.write_nonblock(client, answer)
        except OSError:
            self.log.debug("Failed to send error message.")


def as_problem(page: bytes) -> bytes | None:
    """gunicorn's HTML error answer rewritten as problem+json; None if not recognised."""
    match = _PAGE.match(page)
    if match is None:
        return None
    status = int(match["status"])
    reason = match["reason"].decode("latin1")
    message = html.unescape(match["message"].decode("latin1"))
    try:
        detail = (
            f"the server could not read the request: {message}"
            if message
            else "an unexpected error occurred; it has been logged"
        )
        body = problem(status, detail).get_data()
    except ValueError:  # a status http.HTTPStatus does not know
        return None
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
        f"Content-Type: {PROBLEM_JSON}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin1") + body


class _Page:
    """Stands in for the client socket while gunicorn writes its error page: keeps it."""

    def __init__(self) -> None:
        self.data = bytearray()

    def gettimeout(self) -> float:
        return 0.0  # "non-blocking already": gunicorn then writes without toggling it

    def sendall(self, data: bytes) -> None:
        self.data += data

    def send(self, data: bytes) -> int:
        self.data += data
        return len(data)
