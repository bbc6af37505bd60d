"""Webhook signing, target checks, and deliveries to real local HTTP(S) receivers.

Name resolution is faked where a test needs a name (``hook.example``) or a public address;
every connection is a real socket to a receiver on 127.0.0.1.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from urllib.parse import urlsplit

import pytest

from models.engine.spec import check_url
from models.exceptions import SpecError
from models.plumbing import webhook_http
from tests.receiver import Receiver

SECRET = b"s3cret"


HOST = "hook.example"
PUBLIC = "93.184.216.34"  # a global address; connections to it are routed locally
DOCUMENT = {"id": "job_1", "status": "succeeded"}


@pytest.fixture
def receiver():
    made = []

    def make(statuses=(), tls=None):
        made.append(Receiver(list(statuses), tls))
        return made[-1]

    yield make
    for r in made:
        r.close()


def fake_dns(monkeypatch, *answers, name=HOST):
    """Resolve ``name`` to the next of ``answers`` at each lookup (the last one repeats).

    Each answer is a list of addresses. Returns the answers given, one per lookup.
    """
    real = socket.getaddrinfo
    given = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != name:
            return real(host, port, *args, **kwargs)
        given.append(answers[min(len(given), len(answers) - 1)])
        return [
            (
                socket.AF_INET6 if ipaddress.ip_address(a).version == 6 else socket.AF_INET,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
                "",
                (a, port),
            )
            for a in given[-1]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return given


def route(monkeypatch, address, to):
    """Connections to ``address`` reach ``to`` instead (a stand-in for a public host)."""
    real = socket.socket.connect

    def connect(sock, sockaddr):
        return real(sock, to if sockaddr[0] == address else sockaddr)

    monkeypatch.setattr(socket.socket, "connect", connect)


class Dripper:
    """A receiver that reads a request, writes ``prefix``, then ``drip`` one byte a second."""

    def __init__(self, prefix: bytes, drip: bytes) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/hook"
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, args=(prefix, drip), daemon=True)
        self.thread.start()

    def _serve(self, prefix: bytes, drip: bytes) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:  # closed before anyone connected
            return
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(prefix)
                for byte in drip:
                    if self.stop.wait(1.0):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:  # the client hung up: what the tests want
                return

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
        self.thread.join(5)


@pytest.fixture
def dripper():
    made = []

    def make(prefix, drip):
        made.append(Dripper(prefix, drip))
        return made[-1]

    yield make
    for d in made:
        d.close()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for ``hook.example`` and its key (made with openssl)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    command += ["-keyout", str(key), "-out", str(cert), "-subj", f"/CN={HOST}"]
    command += ["-addext", f"subjectAltName=DNS:{HOST}"]
    subprocess.run(command, check=True, capture_output=True)
    return cert, key


@pytest.fixture
def tls_receiver(receiver, certificate, monkeypatch):
    """An HTTPS receiver for ``hook.example``, whose certificate the worker trusts."""
    cert, key = certificate
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    real = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **k: real(cafile=str(cert)))
    return receiver([200], tls=server_side)


def test_a_signature_verifies_and_a_tampered_body_does_not():
    now = int(time.time())
    header = webhook_http.sign(SECRET, b'{"a":1}', now)
    assert webhook_http.verify(SECRET, b'{"a":1}', header)
    assert not webhook_http.verify(SECRET, b'{"a":2}', header)
    assert not webhook_http.verify(b"other", b'{"a":1}', header)
    assert not webhook_http.verify(
        SECRET, b'{"a":1}', webhook_http.sign(SECRET, b'{"a":1}', now - 999)
    )
    assert not webhook_http.verify(SECRET, b"x", "garbage")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "example.com/hook",
        "http://",
        "https://user:pw@example.com/",
        "http://e.com/" + "x" * 2000,
        # malformed hosts and ports: a 422 naming the field, never a 500 (found by
        # schemathesis from outside)
        "http://[Cae4CcC]:8864?x",
        "http://[::1",
        "http://example.com:99999/",
        "http://example.com:port/",
        "http://example.com:0/",
        # what no delivery could send (each was accepted, then failed 9 attempts): white
        # space, control characters, a lone surrogate, text outside ASCII, a host that is
        # no name
        "https://example.com/a b",
        "https://example.com/a\r\nX-Injected: 1",
        "https://example.com/\n",
        "https://example.com/\t",
        "https://example.com/a\x7f",
        "https://example.com/a\x85",
        "https://example.com/a\u00a0b",
        "https://example.com/\udfff",
        "https://exa\udfffmple.com/",
        "https://example.com/caf\u00e9",
        "https://b\u00fccher.example/",
        " https://example.com/",
        "https://example.com/ ",
        "https://exa mple.com/",
        "https://exa%41mple.com/",
        "https://a..b/",
        "https://-a.example/",
        "https://a-.example/",
        "https://" + "a" * 64 + ".example/",
        "https://example.com:65536/",
        "https://example.com:-1/",
        "https://example.com:+80/",
        "https://example.com:/",
        "https://[::1]x/",
    ],
)
def test_only_absolute_http_urls_without_credentials_are_accepted(url):
    with pytest.raises(SpecError) as info:
        check_url(url)
    assert info.value.field == "webhook_url"
    assert "\udfff" not in info.value.detail  # the reason is text any JSON reader takes


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/hooks/tuneforge",
        "http://127.0.0.1:8080/x?a=1&b=%20c#frag",
        "http://[::1]:1/",
        "https://xn--bcher-kva.example/",
        "https://hook.example",
        "https://a-b.c-d.example:65535/p/a%2Fb;x=1?q=~!$&'()*+,;=:@",
    ],
)
def test_a_url_a_delivery_can_send_is_accepted_as_given(url):
    assert check_url(url) == url


def test_every_url_check_url_accepts_can_be_sent_by_a_delivery():
    # The property behind the list above, over many strings: what check_url accepts,
    # http.client takes as a request target and a Host (it refuses control characters and
    # anything outside ASCII only when the request is made, attempt after attempt).
    from hypothesis import given, settings
    from hypothesis import strategies as st

    pieces = st.sampled_from(
        ["https://", "http://", "example.com", "[::1]", ":", "80", "/", "?", "#", "%20", "a"]
    )
    urls = st.lists(pieces | st.text(max_size=3), max_size=8).map("".join)

    @settings(max_examples=300, deadline=None)
    @given(url=urls)
    def check(url):
        try:
            check_url(url)
        except SpecError:
            return
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.putrequest("POST", target)  # raises on what it cannot send

    check()


def test_delivery_posts_the_signed_job(receiver):
    target = receiver([200])
    document = {"id": "job_1", "status": "succeeded", "best_score": 0.9}
    result = webhook_http.deliver(target.url, document, SECRET, allow_private=True)
    assert result.ok and result.status == 200
    headers, body = target.requests[0]
    assert json.loads(body) == {"event": "job.succeeded", "job": document}
    assert headers["X-Tuneforge-Event"] == "job.succeeded"
    assert webhook_http.verify(SECRET, body, headers[webhook_http.SIGNATURE_HEADER])


def test_a_failing_receiver_is_reported(receiver):
    target = receiver([503])
    result = webhook_http.deliver(target.url, {"status": "failed"}, SECRET, allow_private=True)
    assert not result.ok and result.status == 503 and result.error == "HTTP 503"


def test_private_targets_are_refused_unless_allowed(receiver):
    target = receiver([200])
    result = webhook_http.deliver(target.url, {"status": "succeeded"}, SECRET, allow_private=False)
    assert not result.ok and result.error.startswith("refused")
    assert target.requests == []


def test_an_unreachable_target_is_an_error_not_an_exception():
    result = webhook_http.deliver(
        "http://127.0.0.1:1/hook", {"status": "succeeded"}, SECRET, allow_private=True
    )
    assert not result.ok and result.status is None and result.error


def test_the_secret_is_generated_once_and_kept(tmp_path):
    first = webhook_http.secret_for(tmp_path, "")
    assert first == webhook_http.secret_for(tmp_path, "") and len(first) == 64
    assert (tmp_path / "webhook_secret").stat().st_mode & 0o777 == 0o600
    assert webhook_http.secret_for(tmp_path, "configured") == b"configured"


def test_a_name_is_resolved_once_and_the_answer_is_the_address_connected_to(receiver, monkeypatch):
    # given a name that resolves to the local receiver, private targets allowed
    target = receiver([200])
    lookups = fake_dns(monkeypatch, ["127.0.0.1"])
    # when a delivery is made to the name
    url = f"http://{HOST}:{target.port}/hook"
    result = webhook_http.deliver(url, DOCUMENT, SECRET, allow_private=True)
    # then one lookup served both the check and the connection, and the name is the Host
    assert result.ok and lookups == [["127.0.0.1"]]
    headers, _ = target.requests[0]
    assert headers["Host"] == f"{HOST}:{target.port}"


def test_a_name_rebound_to_loopback_after_a_public_answer_never_reaches_loopback(
    receiver, monkeypatch
):
    # given a name that answers a public address first and 127.0.0.1 afterwards
    inside = receiver([200])  # the service's own network
    outside = receiver([200])  # what the public address reaches
    fake_dns(monkeypatch, [PUBLIC], ["127.0.0.1"])
    route(monkeypatch, PUBLIC, ("127.0.0.1", outside.port))
    # when a delivery is made without private targets allowed
    url = f"http://{HOST}:{inside.port}/hook"
    result = webhook_http.deliver(url, DOCUMENT, SECRET, allow_private=False)
    # then it went to the public address that was checked, never to loopback
    assert inside.requests == []
    assert result.ok and len(outside.requests) == 1


@pytest.mark.parametrize(
    "addresses",
    [["127.0.0.1"], [PUBLIC, "127.0.0.1"], ["::ffff:127.0.0.1"], ["10.0.0.8"]],
    ids=["loopback", "public-and-loopback", "ipv4-mapped-loopback", "private"],
)
def test_a_name_resolving_to_a_private_address_is_refused_when_connecting(
    receiver, monkeypatch, addresses
):
    # given a name whose answer, at connect time, holds a non-global address
    target = receiver([200])
    fake_dns(monkeypatch, addresses)
    route(monkeypatch, PUBLIC, ("127.0.0.1", target.port))
    # when a delivery is made without private targets allowed
    url = f"http://{HOST}:{target.port}/hook"
    result = webhook_http.deliver(url, DOCUMENT, SECRET, allow_private=False)
    # then it is refused (final, not to be retried) and nothing was sent
    assert not result.ok and result.refused and result.error.startswith("refused")
    assert target.requests == []


def test_a_name_that_does_not_resolve_is_a_retryable_error():
    result = webhook_http.deliver(
        "http://no-such-host.invalid/hook", DOCUMENT, SECRET, allow_private=True
    )
    assert not result.ok and not result.refused and result.error.startswith("cannot resolve")


def test_a_redirect_is_not_followed_and_is_not_a_delivery(receiver):
    target = receiver([302])
    result = webhook_http.deliver(target.url, DOCUMENT, SECRET, allow_private=True)
    assert not result.ok and result.status == 302 and len(target.requests) == 1


def test_a_receiver_dripping_its_answer_is_abandoned_at_the_deadline(dripper):
    # given a receiver that writes its status line one byte a second
    target = dripper(b"", b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    # when a delivery with a 2 s bound is made
    started = time.monotonic()
    result = webhook_http.deliver(target.url, DOCUMENT, SECRET, allow_private=True, timeout_s=2)
    elapsed = time.monotonic() - started
    # then it gives up after about 2 s in total (each read alone would have been in time)
    assert 1.5 <= elapsed < 3.5, elapsed
    assert not result.ok and not result.refused and result.status is None
    assert result.error == "no complete answer within 2 s"


def test_a_receiver_dripping_its_body_does_not_delay_the_delivery(dripper):
    # given a receiver that answers 200 at once, then drips a 1000-byte body
    target = dripper(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", b"x" * 1000)
    # when a delivery is made
    started = time.monotonic()
    result = webhook_http.deliver(target.url, DOCUMENT, SECRET, allow_private=True, timeout_s=2)
    # then the status is all it waits for: the body is never read
    assert result.ok and result.status == 200
    assert time.monotonic() - started < 1


def test_https_verifies_the_certificate_against_the_name_while_connecting_to_the_address(
    tls_receiver, monkeypatch
):
    # given an HTTPS receiver with a certificate for hook.example, reached by that name
    fake_dns(monkeypatch, ["127.0.0.1"])
    # when a delivery is made
    url = f"https://{HOST}:{tls_receiver.port}/hook"
    result = webhook_http.deliver(url, DOCUMENT, SECRET, allow_private=True)
    # then the certificate matched the name and the receiver got the job
    assert result.ok and len(tls_receiver.requests) == 1


def test_https_refuses_a_certificate_issued_for_another_name(tls_receiver, monkeypatch):
    # given the same receiver reached by a name its certificate does not hold
    fake_dns(monkeypatch, ["127.0.0.1"], name="other.example")
    # when a delivery is made
    url = f"https://other.example:{tls_receiver.port}/hook"
    result = webhook_http.deliver(url, DOCUMENT, SECRET, allow_private=True)
    # then the handshake fails and nothing is sent
    assert not result.ok and "certificate" in result.error.lower()
    assert tls_receiver.requests == []
