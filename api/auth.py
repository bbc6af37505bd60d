"""Who is calling, and how often: API keys, each bound to one tenant; a rate per key.

Keys come from ``TUNEFORGE_API_KEYS`` (``tenant:key`` pairs; a bare ``key`` belongs to the
``default`` tenant) and from the database (``tuneforge keys create``); see
:mod:`models.plumbing.keyring`. While there are none, authentication is off and every caller is
the default tenant; the CLI then refuses to listen on anything but a loopback address.
Every query is scoped through :func:`current_owner`. A response that outlives its
request's start (an event stream, a download) re-checks the key it was opened with while
it lasts (``api/key_watch.py``): :func:`authenticate` keeps it in ``g.key``.

Each key may make ``TUNEFORGE_RATE_LIMIT_PER_SECOND`` requests a second (bursts of twice
that) across every API process on every host (its bucket is in the database:
:mod:`models.plumbing.ratelimit`); past it the answer is 429 with ``Retry-After``.
"""

from __future__ import annotations

import math

from flask import Flask, Response, g, request

from api import loopback
from api.errors import problem
from api.services import service
from models.settings import Settings
from models.store.records import DEFAULT_OWNER

PUBLIC_PREFIXES = ("/healthz", "/readyz", "/metrics", "/openapi.", "/docs", "/ui")
# The front page and the dashboard's files hold no data: the page asks for a key itself.
PUBLIC_PATHS = ("/",)
SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "an API key (`tuneforge keys create`, or TUNEFORGE_API_KEYS)",
    },
    "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
}
# Either scheme, or none when the service runs without keys on a loopback address.
SECURITY = [{}, {"bearerAuth": []}, {"apiKeyHeader": []}]


def _presented_key() -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("X-API-Key", "").strip()


def init_app(app: Flask, settings: Settings) -> None:
    rate = settings.rate_limit_per_second
    allowed_hosts = loopback.allowed_names(settings.allowed_hosts)

    @app.before_request
    def authenticate() -> Response | None:
        g.owner, g.key = DEFAULT_OWNER, None  # no key: the default tenant, while none is needed
        keys = service().keys
        public = request.path in PUBLIC_PATHS or request.path.startswith(PUBLIC_PREFIXES)
        if public:
            return None
        if not keys.required():  # open to the machine, hence to its browsers: see loopback
            return loopback.refusal(allowed_hosts)
        presented = _presented_key()
        tenant = keys.tenant_of(presented) if presented else None
        if tenant is None:
            return problem(
                401,
                "a valid API key is required (Authorization: Bearer <key> or X-API-Key)",
                headers={"WWW-Authenticate": "Bearer"},
            )
        wait = service().rate_limiter.take(presented)
        if wait:
            return problem(
                429,
                f"too many requests with this key: at most {rate} a second; "
                f"try again in {wait:.2f} s",
                headers={"Retry-After": str(math.ceil(wait))},
            )
        g.owner, g.key = tenant, presented
        return None


def current_owner() -> str:
    """The tenant the current request acts for."""
    return g.get("owner", DEFAULT_OWNER)
