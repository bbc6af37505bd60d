"""Local HTTP servers that record the webhooks they receive (tests only)."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer


class Receiver:
    """A local HTTP server that records requests and answers with scripted statuses.

    With ``tls`` (a server-side context holding a certificate) it speaks HTTPS.
    """

    def __init__(self, statuses: list[int], tls: ssl.SSLContext | None = None) -> None:
        self.statuses = list(statuses)
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_port
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}/hook"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Connection:
    """One request a :class:`SlowReceiver` took: when, what, and when the client hung up
    (``time.monotonic()`` values)."""

    accepted_at: float
    body: bytes = b""
    closed_at: float | None = None


class SlowReceiver:
    """A receiver that drips its answer, one byte a second, to each of its first ``slow``
    requests (a 200 that would take ``len(ANSWER)`` seconds), then answers 503 at once."""

    ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"

    def __init__(self, slow: int = 1) -> None:
        self.slow = slow
        self.connections: list[Connection] = []
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/hook"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:  # closed
                return
            record = Connection(time.monotonic())
            self.connections.append(record)
            slow = len(self.connections) <= self.slow
            threading.Thread(target=self._serve, args=(conn, record, slow), daemon=True).start()

    def _serve(self, conn: socket.socket, record: Connection, slow: bool) -> None:
        with conn:
            try:
                record.body = _read_request(conn)
                if slow:
                    self._drip(conn)
                else:
                    conn.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
                    conn.recv(1)  # until the client hangs up
            except OSError:
                pass
            record.closed_at = time.monotonic()

    def _drip(self, conn: socket.socket) -> None:
        conn.settimeout(0.05)
        for byte in self.ANSWER:
            next_byte = time.monotonic() + 1
            while time.monotonic() < next_byte:
                if self._stop.is_set():
                    return
                try:
                    if conn.recv(1) == b"":  # the client hung up
                        return
                except TimeoutError:
                    pass
            conn.sendall(bytes([byte]))

    def close(self) -> None:
        self._stop.set()
        self._listener.close()


def _read_request(conn: socket.socket) -> bytes:
    """The body of the HTTP request on ``conn`` (its headers read and dropped)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionError("the client hung up mid-request")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += conn.recv(65536)
    return body
