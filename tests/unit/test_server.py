"""The gunicorn workers' own error answers are problem+json; the gevent worker's request
head deadline.

``ProblemErrorsMixin.handle_error`` runs gunicorn's ``handle_error`` and rewrites the HTML
page it writes. These tests drive it directly with gunicorn's real exceptions and a
socketpair, serve connections with the gevent worker's own ``handle`` (on gevent sockets,
nothing monkey-patched), and pin the parts of gunicorn they rely on.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import resource
import socket
import time
from http import HTTPStatus

import gevent
import gevent.socket
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
from gunicorn.workers.base_async import AsyncWorker
from gunicorn.workers.ggevent import GeventWorker

from api import server
from api.server import ProblemGeventWorker, as_problem


def make_worker(cls, **settings):
    cfg = Config()
    for name, value in settings.items():
        cfg.set(name, value)
    return cls(0, os.getppid(), [], None, 30, cfg, Logger(cfg))


@pytest.fixture
def worker():
    made = make_worker(ProblemGeventWorker)
    yield made
    made.tmp.close()


def ok(environ, start_response):
    start_response("200 OK", [("Content-Length", "2")])
    return [b"ok"]


@pytest.fixture
def gevent_worker():
    """The gevent worker serving a tiny WSGI app, with a head deadline of 0.3 s."""
    made = make_worker(ProblemGeventWorker, keepalive=1)
    made.header_timeout = 0.3
    made.wsgi = ok
    yield made
    made.tmp.close()


def served(worker, send):
    """What a client that runs ``send(client_socket)`` receives before the worker closes
    the connection, and after how many seconds it was closed."""
    server_side, client_side = gevent.socket.socketpair()
    started = time.monotonic()
    handler = gevent.spawn(worker.handle, server_side, server_side, ("127.0.0.1", 50000))
    sender = gevent.spawn(send, client_side)  # a client reads its answer while it sends
    received = b""
    while chunk := client_side.recv(65536):
        received += chunk
    after = time.monotonic() - started
    sender.join(timeout=5)
    client_side.close()
    handler.join(timeout=5)
    return received, after


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
    # The hook overridden: its name and parameters, on the base and our worker.
    expected = ["self", "req", "client", "addr", "exc"]
    assert list(inspect.signature(Worker.handle_error).parameters) == expected
    assert GeventWorker.handle_error is Worker.handle_error
    assert list(inspect.signature(ProblemGeventWorker.handle_error).parameters) == expected


def test_a_connection_without_a_whole_head_in_time_gets_a_408_problem(gevent_worker):
    # given a client that sends half a request head, then nothing
    # when the head deadline passes
    answer, after = served(gevent_worker, lambda c: c.sendall(b"GET /healthz HTTP/1.1\r\nHo"))
    # then it is answered 408, as a problem, and closed
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert b"Content-Type: application/problem+json" in head and b"Connection: close" in head
    problem = json.loads(body)
    assert problem["status"] == 408 and "within 0.3 s" in problem["detail"]
    assert 0.25 < after < 2


def test_a_kept_alive_connection_that_goes_quiet_is_closed_without_an_answer(gevent_worker):
    # given a client whose request was answered, which then sends nothing
    answer, after = served(gevent_worker, lambda c: c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
    # then after gunicorn's keep-alive limit (1 s here) it is closed, with no 408 that it
    # could take for the answer to its next request
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and answer.endswith(b"\r\n\r\nok")
    assert 0.9 < after < 3


@pytest.fixture
def body_worker(app):
    """The gevent worker serving the API, with a body deadline of 0.3 s plus 1 s per 10 kB."""
    made = make_worker(ProblemGeventWorker, keepalive=1)
    made.body_timeout, made.min_body_rate = 0.3, 10_000
    made.wsgi = made.with_body_deadline(app.wsgi_app)
    yield made
    made.tmp.close()


def post_job(body: bytes, length: int | None = None) -> bytes:
    return (
        b"POST /v1/jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % (len(body) if length is None else length)
    )


def dripped(head: bytes, body: bytes, piece: int, every_s: float):
    """A client that sends ``head``, then ``body`` ``piece`` bytes at a time."""

    def send(client):
        client.sendall(head)
        for start in range(0, len(body), piece):
            try:
                client.sendall(body[start : start + piece])
            except OSError:
                return  # closed by the server
            gevent.sleep(every_s)

    return send


def parsed(answer: bytes) -> tuple[bytes, dict]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return head, json.loads(body)


def test_a_body_that_stops_coming_gets_a_408_problem_and_the_connection_closed(body_worker):
    # given a client that announces 1,000 bytes of body, sends ten, then nothing
    head = post_job(b"", length=1000)
    answer, after = served(body_worker, lambda c: c.sendall(head + b'{"target":'))
    # then at its deadline (0.3 s + 1,000 bytes at 10 kB/s) it is answered 408 and closed
    head, problem = parsed(answer)
    assert head.startswith(b"HTTP/1.1 408 ")
    assert b"Content-Type: application/problem+json" in head and b"Connection: close" in head
    assert problem["status"] == 408
    assert "came too slowly" in problem["detail"]
    assert "1000 bytes may take 0.4 s (0.3 s, plus 1 s per 10 KiB)" in problem["detail"]
    assert 0.35 < after < 2


def test_a_large_body_may_come_slowly_as_long_as_it_keeps_up_the_rate(body_worker):
    # given a 20 kB body sent at 20 kB/s: a second, more than the 0.3 s alone
    body = json.dumps({"target": "y", "padding": "x" * 20_000}).encode()
    answer, after = served(body_worker, dripped(post_job(body), body, 1000, 0.05))
    # then the API reads it all and answers it (the unknown field is a 422)
    head, problem = parsed(answer)
    assert head.startswith(b"HTTP/1.1 422 "), head
    assert "padding" in problem["errors"]
    assert after > 0.9


def test_a_large_body_slower_than_the_rate_is_cut_at_its_deadline(body_worker):
    # given the same body at 5 kB/s, which would take 4 s; its deadline is 0.3 + 2 s
    body = json.dumps({"target": "y", "padding": "x" * 20_000}).encode()
    answer, after = served(body_worker, dripped(post_job(body), body, 1000, 0.2))
    # then it is cut there, with a 408 saying how long it may take
    head, problem = parsed(answer)
    assert head.startswith(b"HTTP/1.1 408 "), head
    assert f"{len(body)} bytes may take 2.3 s" in problem["detail"]
    assert 2.2 < after < 3.5


CHUNKED = b"Transfer-Encoding: chunked\r\n\r\n"
CSV = b"x,y\n1,0\n2,1\n3,0\n4,1\n"
MULTIPART_HEAD = (
    b'--XX\r\nContent-Disposition: form-data; name="file"; filename="t.csv"\r\n'
    b"Content-Type: text/csv\r\n\r\n"
)


def request_head(path: bytes, content_type: bytes) -> bytes:
    return b"POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: %s\r\n" % (path, content_type)


BODY_TARGETS = {
    "json": request_head(b"/v1/jobs", b"application/json"),
    "csv": request_head(b"/v1/datasets?name=t", b"text/csv"),
    "multipart": request_head(b"/v1/datasets", b"multipart/form-data; boundary=XX"),
}
FIRST_BYTES = {"json": b'{"target": "y"', "csv": CSV, "multipart": MULTIPART_HEAD + CSV}
# Bodies whose framing gunicorn refuses while the app reads them (each was a 500): the
# body's first bytes, then the broken part; ``cut``: the client then stops sending.
MALFORMED_FRAMING = {
    "chunk size not hex (InvalidChunkSize)": (CHUNKED, b"%x\r\n{first}\r\nzz\r\n", False),
    "chunk without CRLF after it (ChunkMissingTerminator)": (
        CHUNKED,
        b"%x\r\n{first}XX0\r\n\r\n",
        False,
    ),
    "control character in a chunk extension (InvalidChunkExtension)": (
        CHUNKED,
        b"%x;\x01\r\n{first}\r\n0\r\n\r\n",
        False,
    ),
    "bare LF in the trailers (InvalidHeader)": (
        CHUNKED,
        b"%x\r\n{first}\r\n0\r\nX-Trailer: y\n\r\n",
        False,
    ),
    "chunked body cut short (NoMoreData)": (CHUNKED, b"%x\r\n{first}\r\n100\r\nab", True),
    "body shorter than its Content-Length": (b"Content-Length: 100000\r\n\r\n", b"{first}", True),
}


def framed(target: str, how: str) -> tuple[bytes, bool]:
    """The whole request: ``target``'s head, then its first bytes in broken framing."""
    headers, template, cut = MALFORMED_FRAMING[how]
    first = FIRST_BYTES[target]
    body = template.replace(b"{first}", first)
    if b"%x" in body:
        body = body.replace(b"%x", b"%x" % len(first))
    return BODY_TARGETS[target] + headers + body, cut


@pytest.mark.parametrize("target", list(BODY_TARGETS))
@pytest.mark.parametrize("how", list(MALFORMED_FRAMING))
def test_a_body_with_malformed_framing_is_a_400_problem_and_the_connection_closed(
    body_worker, client, target, how
):
    # given a request whose body gunicorn cannot frame, read by the app as it streams
    request, cut = framed(target, how)

    def send(connection):
        connection.sendall(request)
        if cut:
            connection.shutdown(socket.SHUT_WR)  # and nothing more comes

    # when the worker serves it
    answer, _ = served(body_worker, send)
    # then it is answered 400 as a problem saying what was wrong, and closed
    head, problem = parsed(answer)
    assert head.startswith(b"HTTP/1.1 400 "), head + b"\n" + json.dumps(problem).encode()
    assert b"Content-Type: application/problem+json" in head
    assert b"Connection: close" in head  # where the next request starts is unknown
    assert problem["status"] == 400
    assert problem["detail"].startswith("the request body "), problem["detail"]
    # and nothing of it was kept: no dataset from half a table, no job
    assert client.get("/v1/datasets").json["items"] == []
    assert client.get("/v1/jobs").json["items"] == []


def test_a_well_framed_chunked_upload_is_still_stored(body_worker, client):
    request = BODY_TARGETS["csv"] + CHUNKED + b"%x\r\n%s\r\n0\r\n\r\n" % (len(CSV), CSV)
    answer, _ = served(body_worker, lambda c: c.sendall(request))
    head, document = parsed(answer)
    assert head.startswith(b"HTTP/1.1 201 "), head
    assert document["n_rows"] == 4
    assert [d["id"] for d in client.get("/v1/datasets").json["items"]] == [document["id"]]


def test_gunicorn_reads_each_request_head_within_timeout_ctx():
    # What the deadline relies on: AsyncWorker.handle reads each head (next(parser)) inside
    # the worker's timeout_ctx() when keep-alive is on (the default, which we keep).
    source = inspect.getsource(AsyncWorker.handle)
    assert "with self.timeout_ctx():\n                            req = next(parser)" in source
    assert Config().keepalive > 0


def test_the_open_files_limit_is_raised_to_the_hard_limit_when_too_low(monkeypatch):
    limits = [(1024, 8192)]
    monkeypatch.setattr(resource, "getrlimit", lambda _which: limits[-1])
    monkeypatch.setattr(resource, "setrlimit", lambda _which, new: limits.append(new))
    server.raise_open_files_limit(1064, Logger(Config()))
    assert limits[-1] == (8192, 8192)
    server.raise_open_files_limit(100, Logger(Config()))  # enough already: unchanged
    assert len(limits) == 2


def test_no_module_attribute_of_gunicorn_is_replaced():
    from gunicorn import util

    assert util.write_error.__module__ == "gunicorn.util"


# Answers the app gives before it reads the request body, each with its request head.
EARLY_ANSWERS = {
    "421 (Host not loopback)": (BODY_TARGETS["json"].replace(b"localhost", b"x"), b"421"),
    "403 (foreign Origin)": (BODY_TARGETS["json"] + b"Origin: https://evil.example\r\n", b"403"),
    "422 (query parameter with a NUL)": (
        BODY_TARGETS["json"].replace(b"/v1/jobs", b"/v1/jobs?x=%00"),
        b"422",
    ),
    "200 (healthz ignores a body)": (b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n", b"200"),
}


def responses_in(answer: bytes) -> list[bytes]:
    """The status lines of each response in ``answer`` (every response starts with one)."""
    return re.findall(rb"HTTP/1\.1 \d{3} [^\r\n]*\r\n", answer)


@pytest.mark.parametrize("early", list(EARLY_ANSWERS))
@pytest.mark.parametrize("how", list(MALFORMED_FRAMING))
def test_a_request_answered_before_its_malformed_body_gets_one_answer_then_close(
    body_worker, early, how
):
    # given a request the app answers without reading its body, whose framing is broken
    head, status = EARLY_ANSWERS[early]
    headers, template, cut = MALFORMED_FRAMING[how]
    first = FIRST_BYTES["json"]
    body = template.replace(b"{first}", first).replace(b"%x", b"%x" % len(first))
    request = head + headers + body

    def send(connection):
        connection.sendall(request)
        if cut:
            connection.shutdown(socket.SHUT_WR)

    # when the worker serves it
    answer, _ = served(body_worker, send)
    # then exactly one response is on the wire, the app's, saying the connection closes
    assert responses_in(answer) == [answer.split(b"\r\n", 1)[0] + b"\r\n"], answer
    assert answer.startswith(b"HTTP/1.1 " + status + b" "), answer
    assert b"\r\nConnection: close\r\n" in answer.partition(b"\r\n\r\n")[0]


def test_a_well_framed_body_answered_early_closes_the_connection_after_its_answer(body_worker):
    # given a kept-alive connection: a request answered 421 before its chunked body (well
    # framed) is read, then a second request
    body = FIRST_BYTES["json"] + b"}"
    first = (
        EARLY_ANSWERS["421 (Host not loopback)"][0]
        + CHUNKED
        + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    )
    second = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
    answer, _ = served(body_worker, lambda c: c.sendall(first + second))
    # then the first is answered, saying the connection closes, and closed: its unread body
    # is not read to find where the next request starts, and the next is not answered
    assert len(responses_in(answer)) == 1, answer
    head = answer.partition(b"\r\n\r\n")[0]
    assert head.startswith(b"HTTP/1.1 421 ") and b"\r\nConnection: close\r\n" in head


def test_a_body_read_whole_keeps_the_connection_alive_for_the_next_request(body_worker):
    # given a chunked request the app reads whole (and refuses, 422), then a second request
    body = b'{"target": "y", "unknown": 1}'
    first = BODY_TARGETS["json"] + CHUNKED + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    second = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
    answer, _ = served(body_worker, lambda c: c.sendall(first + second))
    # then both are answered on the one connection
    statuses = [line.split()[1] for line in responses_in(answer)]
    assert statuses == [b"422", b"200"], answer


def test_an_error_draining_an_answered_body_sends_no_second_answer(gevent_worker):
    # given an app that answers without reading the body (no TimedBody to see it), and a
    # chunked body gunicorn then fails to drain for the next request
    request = b"POST / HTTP/1.1\r\nHost: x\r\n" + CHUNKED + b"zz\r\n"
    answer, _ = served(gevent_worker, lambda c: c.sendall(request))
    # then the one answer is the app's: the drain's error closes the connection quietly
    assert responses_in(answer) == [b"HTTP/1.1 200 OK\r\n"], answer


def test_a_malformed_head_after_an_answered_request_still_gets_its_own_answer(gevent_worker):
    # given a kept-alive connection whose second request head gunicorn cannot parse
    request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nBad Header\r\n\r\n"
    answer, _ = served(gevent_worker, lambda c: c.sendall(request))
    # then each request has its answer: the second one's is a 400 problem
    assert responses_in(answer) == [b"HTTP/1.1 200 OK\r\n", b"HTTP/1.1 400 Bad Request\r\n"]
