"""Who is calling: API keys, each bound to one tenant.

``TUNEFORGE_API_KEYS`` lists ``tenant:key`` pairs (a bare ``key`` belongs to the
``default`` tenant). When it is empty, authentication is off and every caller is the
default tenant; the CLI then refuses to listen on anything but a loopback address.
Every query is scoped through :func:`current_owner`.
"""

from __future__ import annotations

import hmac

from flask import Flask, Response, g, request

from api.errors import problem
from models.store.records import DEFAULT_OWNER

PUBLIC_PREFIXES = ("/healthz", "/readyz", "/metrics", "/openapi.", "/docs")
SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "an API key from TUNEFORGE_API_KEYS",
    },
    "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
}
# Either scheme, or none when the service runs without keys on a loopback address.
SECURITY = [{}, {"bearerAuth": []}, {"apiKeyHeader": []}]


def parse_keys(entries: tuple[str, ...]) -> dict[str, str]:
    """``("acme:s3cret", "k2")`` → ``{"s3cret": "acme", "k2": "default"}``."""
    keys = {}
    for entry in entries:
        tenant, sep, key = entry.partition(":")
        keys[key if sep else tenant] = tenant if sep else DEFAULT_OWNER
    return keys


def _presented_key() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("X-API-Key")


def init_app(app: Flask, entries: tuple[str, ...]) -> None:
    keys = parse_keys(entries)

    @app.before_request
    def authenticate() -> Response | None:
        g.owner = DEFAULT_OWNER
        if not keys or request.path.startswith(PUBLIC_PREFIXES):
            return None
        presented = _presented_key() or ""
        for key, tenant in keys.items():
            if hmac.compare_digest(presented.encode(), key.encode()):
                g.owner = tenant
                return None
        return problem(
            401,
            "a valid API key is required (Authorization: Bearer <key> or X-API-Key)",
            headers={"WWW-Authenticate": "Bearer"},
        )


def current_owner() -> str:
    """The tenant the current request acts for."""
    return g.get("owner", DEFAULT_OWNER)
