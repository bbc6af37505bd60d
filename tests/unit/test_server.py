"""The gunicorn worker's own error answers are problem+json.

``ProblemThreadWorker.handle_error`` runs gunicorn's ``handle_error`` and rewrites the
HTML page it writes. These tests drive it directly with gunicorn's real exceptions and a
socketpair, and pin the parts of gunicorn it relies on.
"""

from __future__ import annotations

import inspect
import json
import os
import socket
from http import HTTPStatus

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger
from gunicorn.http.errors import (
    ForbiddenProxyRequest,
    InvalidHeader,
    InvalidRequestLine,
    LimitRequestHeaders,
    LimitRequestLine,
)
from gunicorn.workers.base import Worker
from gunicorn.workers.gthread import ThreadWorker

from api.server import ProblemThreadWorker, as_problem


@pytest.fixture
def worker():
    cfg = Config()
    made = ProblemThreadWorker(0, os.getppid(), [], None, 30, cfg, Logger(cfg))
    yield made
    made.tmp.close()


def answer_to(worker, exc):
    """What a client receives when the worker handles ``exc`` on its connection."""
    server_side, client_side = socket.socketpair()
    with server_side, client_side:
        worker.handle_error(None, server_side, ("127.0.0.1", 50000), exc)
        server_side.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := client_side.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return status_line, headers, body


@pytest.mark.parametrize(
    ("exc", "status_line", "in_detail"),
    [
        (InvalidHeader("X-Bad"), "HTTP/1.1 400 Bad Request", "Invalid HTTP Header: 'X-Bad'"),
        (
            LimitRequestLine(9000, 4094),
            "HTTP/1.1 414 URI Too Long",
            "Request Line is too large (9000 > 4094)",
        ),
        (InvalidRequestLine("GET"), "HTTP/1.1 400 Bad Request", "Invalid HTTP request line"),
        (
            LimitRequestHeaders("too many headers"),
            "HTTP/1.1 431 Request Header Fields Too Large",
            "too many headers",
        ),
        (ForbiddenProxyRequest("10.0.0.1"), "HTTP/1.1 403 Forbidden", "Request forbidden"),
    ],
    ids=["invalid-header", "line-too-long", "invalid-request-line", "too-many-headers", "proxy"],
)
def test_a_request_gunicorn_cannot_parse_is_answered_with_a_problem(
    worker, exc, status_line, in_detail
):
    # given gunicorn failed to parse a request with ``exc``
    # when the worker handles the error
    line, headers, body = answer_to(worker, exc)
    # then the answer has gunicorn's status, as a problem+json document
    status = int(status_line.split()[1])
    assert line == status_line
    assert headers["Content-Type"] == "application/problem+json"
    assert headers["Content-Length"] == str(len(body))
    assert headers["Connection"] == "close"
    problem = json.loads(body)
    assert problem["type"] == "about:blank" and problem["status"] == status
    assert problem["title"] == HTTPStatus(status).phrase
    assert problem["detail"].startswith("the server could not read the request: ")
    assert in_detail in problem["detail"]


def test_an_unexpected_error_is_a_500_problem_that_does_not_show_the_exception(worker):
    # given an error gunicorn does not attribute to the client
    exc = RuntimeError("secret internals")
    # when the worker handles it
    line, headers, body = answer_to(worker, exc)
    # then the answer is a 500 problem that does not repeat the exception's text
    assert line == "HTTP/1.1 500 Internal Server Error"
    assert headers["Content-Type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == 500 and "secret" not in body.decode()


def test_a_page_of_an_unknown_shape_is_not_rewritten():
    assert as_problem(b"HTTP/1.1 400 Bad Request\r\n\r\nno html here") is None
    assert as_problem(b"") is None


def test_gunicorn_still_offers_handle_error_to_worker_subclasses():
    # The hook overridden: its name and parameters, on the base and the threaded worker.
    expected = ["self", "req", "client", "addr", "exc"]
    assert list(inspect.signature(Worker.handle_error).parameters) == expected
    assert ThreadWorker.handle_error is Worker.handle_error
    assert list(inspect.signature(ProblemThreadWorker.handle_error).parameters) == expected


def test_no_module_attribute_of_gunicorn_is_replaced():
    from gunicorn import util

    assert util.write_error.__module__ == "gunicorn.util"
