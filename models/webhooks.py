"""Webhooks: the job document POSTed to the spec's ``webhook_url`` when the job ends.

Each delivery is signed like Stripe's: ``X-Tuneforge-Signature: t=<unix time>,v1=<hex>``
where ``hex`` is HMAC-SHA256 over ``"<t>." + body`` with the service's webhook secret.
Receivers recompute it and reject old timestamps. Targets on private, loopback or
link-local addresses are refused unless ``TUNEFORGE_WEBHOOK_ALLOW_PRIVATE`` is set, so a
client cannot aim the worker at the service's own network.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import os
import secrets
import socket
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from models.exceptions import SpecError
from models.records import json_default

SIGNATURE_HEADER = "X-Tuneforge-Signature"
MAX_URL_LENGTH = 2000
TIMEOUT_SECONDS = 10


def check_url(url: str) -> str:
    """Refuse anything but an absolute http(s) URL with a host (raises SpecError)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SpecError("must be an absolute http or https URL", field="webhook_url")
    if len(url) > MAX_URL_LENGTH or parts.username or parts.password:
        raise SpecError(
            f"must be at most {MAX_URL_LENGTH} characters, without credentials", field="webhook_url"
        )
    return url


def is_public(host: str) -> bool:
    """Whether every address ``host`` resolves to is a public one."""
    infos = socket.getaddrinfo(host, None)
    addresses = {ipaddress.ip_address(info[4][0]) for info in infos}
    return bool(addresses) and all(a.is_global for a in addresses)


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


@dataclass(frozen=True)
class Delivery:
    ok: bool
    status: int | None
    error: str | None


def deliver(url: str, document: dict[str, Any], secret: bytes, *, allow_private: bool) -> Delivery:
    """POST ``document`` to ``url``, signed; a 2xx answer is a delivery."""
    host = urlsplit(url).hostname or ""
    try:
        if not allow_private and not is_public(host):
            return Delivery(False, None, f"refused: {host} is not a public address")
    except (OSError, ValueError) as exc:
        return Delivery(False, None, f"cannot resolve {host}: {exc}")
    body = json.dumps(
        {"event": f"job.{document['status']}", "job": document}, default=json_default
    ).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "tuneforge-webhook/1",
            "X-Tuneforge-Event": f"job.{document['status']}",
            "X-Tuneforge-Delivery": str(uuid.uuid4()),
            SIGNATURE_HEADER: sign(secret, body, int(time.time())),
        },
    )
    try:
        # No redirects are followed: a 3xx is not a delivery.
        opener = urllib.request.build_opener(_NoRedirect)
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return Delivery(200 <= response.status < 300, response.status, None)
    except urllib.error.HTTPError as exc:
        return Delivery(False, exc.code, f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError) as exc:
        return Delivery(False, None, str(getattr(exc, "reason", exc)))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None
