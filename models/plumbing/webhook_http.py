"""Webhooks: the job document POSTed to the spec's ``webhook_url`` when the job ends.

Each delivery is signed like Stripe's: ``X-Tuneforge-Signature: t=<unix time>,v1=<hex>``
where ``hex`` is HMAC-SHA256 over ``"<t>." + body`` with the service's webhook secret.
Receivers recompute it and reject old timestamps. Targets on private, loopback or
link-local addresses are refused unless ``TUNEFORGE_WEBHOOK_ALLOW_PRIVATE`` is set, so a
client cannot aim the worker at the service's own network.

The check is made on the address actually connected to: the connection resolves the host
once, refuses the target if any answer is not a global address, and connects to exactly
that answer (a name that answers a public address to a check and ``127.0.0.1`` to a
second lookup, DNS rebinding, gets nowhere). HTTPS still verifies the certificate against
the host name. No proxy is used and no redirect is followed (a 3xx is not a delivery).
One attempt, connect to answer, ends within ``timeout_s`` (``TUNEFORGE_WEBHOOK_TIMEOUT_SECONDS``)
however slowly the receiver writes: a receiver still dripping its answer at the deadline
has failed that attempt. Only the status line and headers are read, never the body.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import io
import ipaddress
import json
import os
import secrets
import socket
import ssl
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit

from models.store.records import json_default

SIGNATURE_HEADER = "X-Tuneforge-Signature"
TIMEOUT_SECONDS = 10


class DeliveryFailed(Exception):
    """Attempt ``attempt`` at job ``job_id``'s webhook failed, and may succeed if tried
    again (a network error, no complete answer in time, or a non-2xx answer)."""

    def __init__(self, job_id: str, attempt: int) -> None:
        super().__init__(job_id, attempt)  # the arguments, so that it pickles (Celery does)
        self.job_id = job_id
        self.attempt = attempt

    def __str__(self) -> str:
        return f"job {self.job_id}: webhook attempt {self.attempt} was not accepted"


class TargetRefused(Exception):
    """The webhook's host resolves to an address the worker must not connect to."""


@dataclass(frozen=True)
class Delivery:
    """The outcome of one attempt; ``refused`` targets are not worth retrying."""

    ok: bool
    status: int | None
    error: str | None
    refused: bool = False


def secret_for(data_dir: Path, configured: str) -> bytes:
    """The configured secret, or one generated once and kept in the data dir."""
    if configured:
        return configured.encode()
    path = Path(data_dir) / "webhook_secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def sign(secret: bytes, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: bytes, body: bytes, header: str, tolerance_s: int = 300) -> bool:
    """What a receiver does: recompute the signature and check the timestamp's age."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    expected = sign(secret, body, timestamp)
    return abs(time.time() - timestamp) <= tolerance_s and hmac.compare_digest(expected, header)


def deliver(
    url: str,
    document: dict[str, Any],
    secret: bytes,
    *,
    allow_private: bool,
    timeout_s: float = TIMEOUT_SECONDS,
) -> Delivery:
    """POST ``document`` to ``url``, signed; a 2xx answer is a delivery.

    Never raises for a network or HTTP failure: the outcome is the returned value.
    """
    event = f"job.{document['status']}"
    body = json.dumps({"event": event, "job": document}, default=json_default).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "tuneforge-webhook/1",
        "X-Tuneforge-Event": event,
        "X-Tuneforge-Delivery": str(uuid.uuid4()),
        SIGNATURE_HEADER: sign(secret, body, int(time.time())),
    }
    parts = urlsplit(url)
    deadline = time.monotonic() + timeout_s
    try:
        status = _post(parts, body, headers, deadline=deadline, allow_private=allow_private)
    except TargetRefused as exc:
        return Delivery(False, None, f"refused: {exc}", refused=True)
    except socket.gaierror as exc:
        return Delivery(False, None, f"cannot resolve {parts.hostname}: {exc}")
    except TimeoutError:  # a socket's timeout, the TLS handshake's, or the deadline's
        return Delivery(False, None, f"no complete answer within {timeout_s:g} s")
    except (OSError, ValueError, http.client.HTTPException) as exc:
        return Delivery(False, None, str(exc) or type(exc).__name__)
    if 200 <= status < 300:
        return Delivery(True, status, None)
    return Delivery(False, status, f"HTTP {status}")


def _post(
    parts: SplitResult,
    body: bytes,
    headers: dict[str, str],
    *,
    deadline: float,
    allow_private: bool,
) -> int:
    """The answer's status code; raises for anything that is not an answer."""
    connection = _CheckedConnection(parts, deadline=deadline, allow_private=allow_private)
    try:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", target, body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def _is_global(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the webhook receiver did not answer in time")
    return left


def _open_socket(host: str, port: int, deadline: float, *, allow_private: bool) -> socket.socket:
    """Resolve ``host`` once, check every answer, and connect to one of those answers."""
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not allow_private:
        for *_, sockaddr in answers:
            if not _is_global(sockaddr[0]):
                raise TargetRefused(f"{host} resolves to {sockaddr[0]}, not a public address")
    error: OSError = OSError(f"{host} has no address")
    for family, kind, proto, _, sockaddr in answers:
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(_remaining(deadline))
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    raise error


class _CheckedConnection(http.client.HTTPConnection):
    """An HTTP or HTTPS connection to the checked address, bounded by one deadline.

    ``connect`` is ``http.client``'s documented hook for opening the socket; overriding it
    is how the address check and the connection become one step.
    """

    def __init__(self, parts: SplitResult, *, deadline: float, allow_private: bool) -> None:
        tls = parts.scheme == "https"
        super().__init__(parts.hostname or "", parts.port or (443 if tls else 80))
        self._tls = ssl.create_default_context() if tls else None
        self._deadline = deadline
        self._allow_private = allow_private

    def connect(self) -> None:
        sock = _open_socket(self.host, self.port, self._deadline, allow_private=self._allow_private)
        if self._tls is not None:
            try:
                sock.settimeout(_remaining(self._deadline))  # the handshake, as a whole
                sock = self._tls.wrap_socket(sock, server_hostname=self.host)
            except OSError:
                sock.close()
                raise
        self.sock = _DeadlineSocket(sock, self._deadline)


class _DeadlineSocket:
    """The three socket methods ``http.client`` uses, each ending by ``deadline``.

    A socket timeout alone bounds each read, not their sum: a receiver writing one byte a
    second would never time out. Every read here is given only the time that is left.
    """

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def sendall(self, data: bytes) -> None:
        # Since Python 3.5 the timeout bounds the whole sendall, not each send.
        self._sock.settimeout(_remaining(self._deadline))
        self._sock.sendall(data)

    def makefile(self, mode: str) -> io.BufferedReader:
        if mode != "rb":
            raise ValueError(f"only reading is bounded, not mode {mode!r}")
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def close(self) -> None:
        self._sock.close()


class _DeadlineReader(io.RawIOBase):
    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._sock.settimeout(_remaining(self._deadline))
        return self._sock.recv_into(buffer)
