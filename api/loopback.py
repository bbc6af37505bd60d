"""What a service without API keys answers: requests for a loopback host name, and no
state change that a browser says another site asked for.

Without keys, the service is open to anyone who can reach its loopback address (the CLI
refuses any other address then). A browser on the same machine can, on behalf of any page
its user visits, in two ways:

- **DNS rebinding.** A page at ``http://evil.example:8000`` whose name then resolves to
  127.0.0.1 reads the API as its own origin. Its requests carry ``Host:
  evil.example:8000``: only loopback names are answered (``localhost`` and any
  ``*.localhost``, which browsers resolve to loopback themselves; ``127.0.0.0/8``;
  ``[::1]``; with any port, in any case, with or without a trailing dot) and those of
  ``TUNEFORGE_ALLOWED_HOSTS``. Others get **421 Misdirected Request**: RFC 9110 §15.5.20
  defines it for a request "directed at a server that is unable or unwilling to produce
  an authoritative response for the target URI", which is exactly this; a 400 would say
  the request is malformed, a 403 that the caller lacks a right, and neither is the case.
- **Cross-site requests (CSRF).** A form or ``fetch`` on another site can post to
  ``http://127.0.0.1:8000`` (a multipart upload, a job, a delete) without reading the
  answer. A browser says where such a request comes from: ``Sec-Fetch-Site`` (Chrome,
  Firefox, Safari) and ``Origin`` (on every POST, PUT, PATCH and DELETE). A request with a
  method that may change state is refused (**403**) when ``Sec-Fetch-Site`` is
  ``cross-site`` or ``same-site`` or its ``Origin`` is not the origin it was sent to (or
  is ``null``: a sandboxed frame, a ``file://`` page). The dashboard's requests are
  same-origin; curl, the SDK and the CLI send neither header and are not browsers. Reads
  (GET, HEAD, OPTIONS) are left alone: another site's page cannot read their answers
  (the service sends no CORS headers), and with the Host check it cannot become this
  site either.

Both apply to the routes that need a key once keys exist (``api/auth.py`` asks
:func:`refusal` where it would ask for a key): the public ones (``/healthz``, ``/readyz``,
``/metrics``, the documents, the dashboard's static files) hold no data and are answered
to anyone in a keyed service too; they also answer without reading the database.

**With keys, neither check applies.** A browser never attaches an API key by itself: the
dashboard keeps its key in the tab's ``sessionStorage``, which only this origin's scripts
can read, and adds it only to its own same-origin calls; another site's page has no key
to send, and a cross-origin request that sets ``Authorization`` or ``X-API-Key`` needs a
CORS preflight this service never grants. A forged or rebound request is therefore a 401
already, and a keyed service may rightly be reached by any name (a LAN address, a proxy
that rewrites ``Host``), which the Host check would refuse.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from flask import Response, request

from api.errors import problem

# Methods that only read (RFC 9110 §9.2.1); any other may change state.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CROSS_SITE = frozenset({"cross-site", "same-site"})
DEFAULT_PORTS = {"http": 80, "https": 443}
_AUTHORITY = re.compile(r"(?P<name>\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(?P<port>[0-9]{1,5}))?")


def split_authority(value: str) -> tuple[str, int | None] | None:
    """``Host: LocalHost.:8000`` → ``("localhost", 8000)``: the name lowercased, without a
    trailing dot or IPv6 brackets, and the port if given; ``None`` if it is malformed."""
    match = _AUTHORITY.fullmatch(value.strip().lower())
    if match is None:
        return None
    name, port = match["name"], match["port"]
    if port is not None and int(port) > 65535:
        return None
    name = name[1:-1] if name.startswith("[") else name.removesuffix(".")
    return name, int(port) if port is not None else None


def is_loopback(name: str) -> bool:
    """True for ``localhost``, ``*.localhost`` and loopback addresses (an IPv4-mapped
    IPv6 one too)."""
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def _wrong_host(host: str, allowed: frozenset[str]) -> Response | None:
    authority = split_authority(host)
    if authority is not None and (is_loopback(authority[0]) or authority[0] in allowed):
        return None
    names = "localhost, *.localhost, 127.0.0.1, [::1]" + "".join(f", {n}" for n in allowed)
    reason = f"not a loopback host name ({names}) nor one of TUNEFORGE_ALLOWED_HOSTS"
    return problem(
        421,
        f"this service runs without API keys, so it answers only requests for a loopback "
        f"host name, and Host {host!r} is {reason}: a web page could otherwise reach it "
        "through DNS rebinding. Use http://127.0.0.1:<port>, add the name to "
        "TUNEFORGE_ALLOWED_HOSTS, or create an API key (tuneforge keys create)",
        {"Host": [reason]},
    )


def _cross_site(host: str | None) -> tuple[str, str] | None:
    """The header that shows this request comes from another site, and what it says."""
    fetch_site = request.headers.get("Sec-Fetch-Site", "").strip().lower()
    if fetch_site in CROSS_SITE:
        return "Sec-Fetch-Site", f"the browser says it comes from another site ({fetch_site})"
    origin = request.headers.get("Origin")
    if origin is None:
        return None  # not a browser, or one that says nothing: the Host check stands
    if not _same_authority(origin, host):
        return "Origin", f"it comes from another site ({origin}), not from {host or 'here'}"
    return None


def _same_authority(origin: str, host: str | None) -> bool:
    """Whether ``origin`` names the host and port the request was sent to (``host``, its
    port defaulting to that of the origin's scheme: a TLS proxy that keeps the Host)."""
    if host is None or origin.strip() == "null":
        return False
    try:
        parts = urlsplit(origin.strip())
        theirs = ((parts.hostname or "").removesuffix("."), parts.port)
    except ValueError:
        return False
    ours = split_authority(host)
    if ours is None or parts.scheme not in DEFAULT_PORTS or parts.path or parts.username:
        return False
    default = DEFAULT_PORTS[parts.scheme]
    return (theirs[0], theirs[1] or default) == (ours[0], ours[1] or default)


def allowed_names(allowed_hosts: tuple[str, ...]) -> frozenset[str]:
    """``TUNEFORGE_ALLOWED_HOSTS`` as the names :func:`refusal` compares with."""
    return frozenset(name.strip().lower().removesuffix(".") for name in allowed_hosts)


def refusal(allowed: frozenset[str]) -> Response | None:
    """The answer to the current request if a service without keys must refuse it (a
    Host that is not a loopback name nor in ``allowed``, or a state change from another
    site); ``None`` if it may go on. ``api/auth.py`` asks, for the routes it guards."""
    host = request.headers.get("Host")
    if host is not None and (wrong := _wrong_host(host, allowed)) is not None:
        return wrong
    if request.method in SAFE_METHODS:
        return None
    cross = _cross_site(host)
    if cross is None:
        return None
    header, reason = cross
    return problem(
        403,
        f"a {request.method} from another site is refused: {reason}. This service "
        "runs without API keys, so a web page could otherwise act on it through the "
        "user's browser (CSRF). Use the dashboard on this host, a client that is not "
        "a browser (curl, the SDK), or create an API key (tuneforge keys create)",
        {header: [reason]},
    )
