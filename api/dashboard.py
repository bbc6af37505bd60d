"""The dashboard under ``/ui`` and the front page ``/`` that links to it.

Not part of the JSON API (so not in ``openapi.yaml``, like ``/docs``): static files from
``api/ui/`` that the browser runs against the public ``/v1`` API, asking for a key only
when the API answers 401. Every answer here carries a Content-Security-Policy that keeps
the page to this host: no script, style, font or request may go anywhere else.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

ASSETS = Path(__file__).with_name("ui")
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
FRONT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tuneforge</title>
<link rel="stylesheet" href="/ui/style.css"><link rel="icon" href="data:,"></head>
<body class="front"><h1>tuneforge</h1>
<p>Hyperparameter tuning as a service.</p>
<ul>
<li><a href="/ui" data-testid="ui-link">Dashboard</a>: datasets, searches, their plots</li>
<li><a href="/docs">API docs</a> (<a href="/openapi.yaml">openapi.yaml</a>)</li>
</ul></body></html>
"""

blp = Blueprint("dashboard", __name__)


@blp.after_request
def _lock_to_this_host(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@blp.get("/")
def front_page() -> Response:
    return Response(FRONT_PAGE, mimetype="text/html")


@blp.get("/ui")
@blp.get("/ui/")
def index() -> Response:
    # no-cache: a new release's page must not run against an old app.js
    return send_from_directory(ASSETS, "index.html", max_age=0)


@blp.get("/ui/<path:filename>")
def asset(filename: str) -> Response:
    return send_from_directory(ASSETS, filename, max_age=0)
