"""The gunicorn worker class of the API: gevent (what ``tuneforge api`` runs), answering
with problem+json when gunicorn itself answers.

**gevent.** :class:`ProblemGeventWorker` serves each connection in a greenlet, so a client
that is slow to send its request, or that follows a job's events for 25 s, costs a little
memory and a file descriptor, not one of a few threads (the README says why, with the
figures). Up to ``TUNEFORGE_API_CONNECTIONS`` connections per process; beyond that the
kernel's backlog queues them. A connection's first request head must arrive within
``TUNEFORGE_HEADER_TIMEOUT_SECONDS``, or it is answered 408 and closed: gunicorn's gevent
worker reads every head inside its ``timeout_ctx()`` hook, which is only its keep-alive
limit (2 s, closing quietly); that stays the limit between the requests of a kept-alive
connection, where an unasked-for 408 could be read as the answer to the client's next
request. A request body must then keep coming: it may take ``TUNEFORGE_BODY_TIMEOUT_SECONDS``
plus a second per MIN_BODY_RATE bytes (an upload of 100 MB over a link of 512 kbit/s), or
it is answered 408 (a problem, from the app) and the connection closed.

**Errors as problems.** Gunicorn answers a request it cannot parse (a bad request line, a
header with control characters, a line too long) itself, before the app sees it, with an
HTML page. Every error of this service is ``application/problem+json``, so those answers
are too. :meth:`ProblemErrorsMixin.handle_error` overrides the method gunicorn's workers
document for subclasses. It lets gunicorn's own ``handle_error`` run against a stand-in
for the client socket, so gunicorn still decides the status, reason and message for each
of its exceptions (about twenty, growing with each release) and still writes its logs;
then it sends the same status as a problem instead of the page. Re-implementing that
mapping would be shorter today and wrong after the next gunicorn release. What this relies
on, the page's shape (``HTTP/1.1 <status> <reason>`` and the message between ``</h1>``
and ``</body>``), is pinned by ``tests/unit/test_server.py``; if it ever changes, the page
is sent as gunicorn wrote it and a warning is logged. A body's framing errors come later,
while the app reads it: :class:`TimedBody` answers those (400).

**One answer per request.** After an answer, gunicorn reads the rest of the request's
body to find the next request; when the app answered before reading the body (a 421, a
403, ``/healthz``) and its framing is broken, that read raised, and ``handle_error``
wrote a second answer (400) after one that had said ``Connection: keep-alive``. Now an
answer given before the body was read to its end says ``Connection: close``, and the
connection is closed after it, the rest of the body discarded unparsed (:func:`linger`);
and ``handle_error`` writes nothing for a request that was already answered.
"""

from __future__ import annotations

import html
import re
import resource
import socket
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import gevent
from gevent.local import local
from gevent.monkey import MonkeyPatchWarning
from gunicorn import util
from gunicorn.http.errors import LimitRequestHeaders, NoMoreData, ParseException
from gunicorn.workers.ggevent import GeventWorker
from werkzeug.exceptions import (
    BadRequest,
    ClientDisconnected,
    RequestHeaderFieldsTooLarge,
    RequestTimeout,
)

from api.errors import PROBLEM_JSON, problem
from models.settings import Settings

_PAGE = re.compile(
    rb"HTTP/1\.1 (?P<status>\d{3}) (?P<reason>[^\r\n]*)\r\n.*?\r\n\r\n"
    rb".*?</h1>\s*(?P<message>.*?)\s*</body>",
    re.DOTALL,
)
# gevent's warning when the only module it names is redis's asyncio client (see patch()).
_ONLY_REDIS_ASYNCIO = (
    r"(?s)Monkey-patching ssl after ssl.*NOT patched\): "
    r"\['redis\.asyncio\.connection \([^)]*\)'\]\. ?$"
)
# A request body's slowest average rate, in bytes a second, after its first
# TUNEFORGE_BODY_TIMEOUT_SECONDS.
MIN_BODY_RATE = 64 * 1024
# Descriptors a worker needs beside its connections: the listener, database and broker
# connections, log and metrics files, an upload's reader pipe.
SPARE_FILES = 64
# After an answer to a request whose body was not read, how long and how much of the rest
# the server discards before it closes (see linger()).
LINGER_SECONDS = 2.0
LINGER_BYTES = 1024 * 1024


class ProblemErrorsMixin:
    """A gunicorn worker whose own error answers are RFC 9457 problems."""

    log: Any

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: BaseException) -> None:
        page = _Page()
        super().handle_error(req, page, addr, exc)  # type: ignore[misc]
        answer = as_problem(bytes(page.data))
        if answer is None:
            self.log.warning("gunicorn's error page has an unknown shape; sent as it is")
            answer = bytes(page.data)
        _send(client, answer, self.log)


class HeadTimeout(Exception):
    """The client did not send a complete request head in time."""


class ProblemGeventWorker(ProblemErrorsMixin, GeventWorker):
    """gunicorn's gevent worker, whose own error answers are problems, and which answers
    408 to a connection that has not sent its first request head in time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = Settings.from_env()
        self.header_timeout = settings.header_timeout_seconds
        self.body_timeout = settings.body_timeout_seconds
        self.min_body_rate = MIN_BODY_RATE
        # Each connection is served by a greenlet of its own: its state is greenlet-local.
        self._connection = local()

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self.wsgi = self.with_body_deadline(self.wsgi)

    def with_body_deadline(self, app: Any) -> Any:
        """``app`` reading its request bodies under :class:`TimedBody`'s deadline; a
        connection whose body was too slow is closed after the answer."""

        def timed(environ: dict[str, Any], start_response: Any) -> Any:
            request = getattr(self._connection, "request", None)

            def close_after() -> None:
                if request is not None:
                    request.must_close = True  # the rest of the body never comes

            length = environ.get("CONTENT_LENGTH")
            body = TimedBody(
                environ["wsgi.input"],
                int(length) if length and length.isdigit() else None,
                self.body_timeout,
                self.min_body_rate,
                close_after,
                chunked="chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower(),
            )
            environ["wsgi.input"] = body

            def answer_then_close_if_unread(*args: Any) -> Any:
                # Answered before its body was read to its end: gunicorn would read the
                # rest to find the next request, and a body whose framing is broken would
                # then get a second answer. The connection closes after this one instead.
                if not body.finished:
                    self._connection.unread_body = True
                    close_after()
                return start_response(*args)

            return app(environ, answer_then_close_if_unread)

        return timed

    def init_process(self) -> None:
        raise_open_files_limit(self.worker_connections + SPARE_FILES, self.log)
        super().init_process()

    def patch(self) -> None:
        """gevent's monkey-patching, which gunicorn does here, in the worker, after the
        master imported the app. gevent then warns about each module that bound ssl's
        classes at import; the one it names here, redis's asyncio client (which optuna
        imports), is never used: the broker's Redis transport is the synchronous client.
        A warning that names any other module is still logged."""
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", _ONLY_REDIS_ASYNCIO, MonkeyPatchWarning)
            super().patch()

    def timeout_ctx(self) -> gevent.Timeout:
        """The limit on reading one request head (gunicorn's hook around it)."""
        if getattr(self._connection, "served", False):
            return super().timeout_ctx()  # kept alive, between requests: closed quietly
        return gevent.Timeout(self.header_timeout, HeadTimeout())

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> Any:
        self._connection.served = True
        self._connection.request = req
        self._connection.answered = None
        self._connection.unread_body = False
        try:
            kept_alive = super().handle_request(listener_name, req, sock, addr)
        except StopIteration:
            if self._connection.unread_body:
                linger(sock, self.log)
            raise
        self._connection.answered = req
        return kept_alive

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: BaseException) -> None:
        answered = getattr(self._connection, "answered", None)
        if req is None and answered is not None and getattr(answered.body, "failed", False):
            # gunicorn read the rest of an answered request's body, to find the next
            # request, and could not frame it: that request has had its one answer.
            self.log.debug("Closing connection: the answered request's body is malformed: %s", exc)
            return
        if not isinstance(exc, HeadTimeout):
            super().handle_error(req, client, addr, exc)
            return
        self.log.info(
            "Request head from ip=%s incomplete after %s s: answered 408",
            (addr or ("",))[0],
            self.header_timeout,
        )
        detail = f"the request head did not arrive within {self.header_timeout} s"
        _send(client, _answer(408, "Request Timeout", problem(408, detail).get_data()), self.log)


class TimedBody:
    """A request body (``wsgi.input``) that must arrive in time and whole.

    In time: by ``timeout`` seconds after the first read plus a second per ``rate`` bytes
    received and asked for. A read that would end later is cut there with a 408
    (:class:`RequestTimeout`, which the app answers as a problem).

    Whole: gunicorn frames the body as the app reads it, so its framing errors (a chunk
    size that is not hex, a chunk without its CRLF, a bad chunk extension or trailer, a
    connection closed mid-chunk: ``InvalidChunkSize``, ``ChunkMissingTerminator``,
    ``InvalidChunkExtension``, ``InvalidHeader``, ``NoMoreData``, any socket error) are
    raised inside the app, where they were 500s; each is a 400 problem here (a 431 for
    trailers over gunicorn's limit). A body that ends before its ``Content-Length``, which
    gunicorn hands over short without a word (an upload would have been stored cut), is a
    400 too. After any of these, or a 408, ``on_failure`` is called: the connection is
    closed after the answer, since where a next request would start is unknown.
    """

    def __init__(
        self,
        body: Any,
        length: int | None,
        timeout: float,
        rate: float,
        on_failure: Callable[[], None],
        *,
        chunked: bool = False,
    ) -> None:
        self._body = body
        self._chunked = chunked
        self._ended = False
        self._length = length
        self._timeout = timeout
        self._rate = rate
        self._on_failure = on_failure
        self._started: float | None = None
        self._received = 0

    @property
    def finished(self) -> bool:
        """Whether the body was read to its end (a request without one has)."""
        if self._length is not None:
            return self._received >= self._length
        return self._ended or not self._chunked

    def read(self, size: int | None = -1) -> bytes:
        return self._timed(self._body.read, size, whole=True)

    def readline(self, size: int | None = -1) -> bytes:
        return self._timed(self._body.readline, size, whole=False)

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        return list(iter(self.readline, b""))

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")

    def _timed(
        self, read: Callable[[int | None], bytes], size: int | None, *, whole: bool
    ) -> bytes:
        """``read(size)`` under the deadline; ``whole``: it returns fewer bytes than asked
        only at the body's end (gunicorn's ``read``, not ``readline``)."""
        if self._started is None:
            self._started = time.monotonic()
        # The bytes this read waits for: what it asks, at most what the body has left.
        remaining = None if self._length is None else self._length - self._received
        asked = size if size is not None and size >= 0 else (remaining or 1 << 30)
        if remaining is not None:
            asked = min(asked, remaining)
        deadline = self._started + self._timeout + (self._received + asked) / self._rate
        timer = gevent.Timeout(max(0.0, deadline - time.monotonic()))
        timer.start()
        try:
            data = read(size)
        except gevent.Timeout as exc:
            if exc is not timer:
                raise
            self._on_failure()
            allowed = f"{self._timeout} s, plus 1 s per {self._rate / 1024:.0f} KiB"
            if self._length is not None:
                total = self._timeout + self._length / self._rate
                allowed = f"{self._length} bytes may take {total:.1f} s ({allowed})"
            raise RequestTimeout(
                f"the request body came too slowly: it stopped arriving or fell behind; {allowed}"
            ) from None
        except LimitRequestHeaders as exc:
            self._on_failure()
            raise RequestHeaderFieldsTooLarge(f"the request body's trailers: {exc}") from None
        except ParseException as exc:
            self._on_failure()
            raise BadRequest(f"the request body is malformed: {exc}") from None
        except OSError as exc:  # gunicorn's NoMoreData, a reset: the client stopped sending
            self._on_failure()
            why = "the connection was closed" if isinstance(exc, NoMoreData) else str(exc)
            raise ClientDisconnected(
                f"the request body ended before it was complete: {why or type(exc).__name__} "
                f"after {self._received} bytes"
            ) from None
        finally:
            timer.close()
        self._received += len(data)
        if not data or (whole and (size is None or size < 0 or len(data) < size)):
            self._ended = True  # gunicorn's read returns less than asked only at the end
        expected = asked if whole else 1
        if remaining is not None and remaining > 0 and len(data) < min(expected, remaining):
            self._on_failure()
            raise ClientDisconnected(
                f"the request body ended after {self._received} of the {self._length} bytes "
                "its Content-Length announced"
            )
        return data


def linger(sock: socket.socket, log: Any) -> None:
    """Close ``sock``'s sending side after an answer, then discard what the client still
    sends, for at most LINGER_SECONDS and LINGER_BYTES. Closing a socket with unread data
    sends a reset, which may destroy the answer before the client reads it (RFC 9112,
    section 9.6); the discarded bytes are not parsed."""
    try:
        sock.shutdown(socket.SHUT_WR)
        discarded = 0
        with gevent.Timeout(LINGER_SECONDS, False):
            while discarded < LINGER_BYTES and (data := sock.recv(65536)):
                discarded += len(data)
    except OSError as exc:
        log.debug("Closing connection after an answer: %s", exc)


def raise_open_files_limit(needed: int, log: Any) -> None:
    """Raise this process's soft limit on open files to the hard limit when ``needed``
    is above it (many distributions start processes at 1,024)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    target = needed if hard == resource.RLIM_INFINITY else hard
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < needed:
        log.warning(
            "open files limited to %d; %d connections need about %d",
            target,
            needed - SPARE_FILES,
            needed,
        )


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
    return _answer(status, reason, body)


def _answer(status: int, reason: str, body: bytes) -> bytes:
    """A whole HTTP answer carrying a problem document, after which the server closes."""
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
        f"Content-Type: {PROBLEM_JSON}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin1") + body


def _send(client: socket.socket, answer: bytes, log: Any) -> None:
    try:
        util.write_nonblock(client, answer)
    except OSError:
        log.debug("Failed to send error message.")


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
