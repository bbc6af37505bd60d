"""Every error as ``application/problem+json`` (RFC 9457), in one place.

Domain exceptions map to a status here; HTTP errors (unknown route, wrong method,
oversize body, request validation) get the same shape. Validation errors carry
``errors: {field: [messages]}`` with dotted field names (``cv.folds``).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, json
from werkzeug.exceptions import HTTPException

from models.exceptions import (
    Busy,
    Conflict,
    DatasetError,
    NotFound,
    QuotaExceeded,
    RowsError,
    SpecError,
    TooLarge,
    TuneforgeError,
    Unavailable,
)
from models.store.outages import as_unavailable

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

STATUS_OF: dict[type[TuneforgeError], int] = {
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    DatasetError: 422,
    RowsError: 422,
    SpecError: 422,
    QuotaExceeded: 429,
    Unavailable: 503,
}


def problem(
    status: int,
    detail: str,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow/webargs nested messages → ``{"cv.folds": ["..."]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, list):
        out[prefix or "body"] = [str(m) for m in messages]
        return out
    for key, value in messages.items():
        name = (
            "body"
            if key == "_schema" and not prefix
            else (prefix if key == "_schema" else f"{prefix}.{key}" if prefix else str(key))
        )
        if isinstance(value, dict):
            out.update(flatten_messages(value, name))
        else:
            out.setdefault(name, []).extend(str(m) for m in value)
    return out


def _validation_errors(error: HTTPException) -> dict[str, list[str]] | None:
    data = getattr(error, "data", None) or {}
    messages = data.get("errors") or data.get("messages")
    if not messages:
        return None
    # webargs nests by location ({"json": {...}, "query": {...}}); the location is noise.
    merged: dict[str, Any] = {}
    for location, fields in messages.items():
        if isinstance(fields, dict) and location in (
            "json",
            "query",
            "form",
            "files",
            "headers",
            "path",
            "view_args",
        ):
            merged.update(fields)
        else:
            merged[location] = fields
    return flatten_messages(merged)


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    errors = _validation_errors(error)
    if errors:
        fields = ", ".join(sorted(errors))
        detail = f"the request is invalid: {fields}"
    else:
        detail = error.description or HTTPStatus(status).description
    headers = {}
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return problem(status, detail, errors, headers)


def handle_domain_error(error: TuneforgeError) -> Response:
    status = next((s for cls, s in STATUS_OF.items() if isinstance(error, cls)), 400)
    headers = {}
    if isinstance(error, QuotaExceeded | Unavailable | Busy):
        headers["Retry-After"] = str(error.retry_after)
    return problem(status, error.detail, error.errors, headers)


def handle_unexpected(error: Exception) -> Response:
    """A 500, unless ``error`` says the database or the storage is out of reach: that is
    a 503 with ``Retry-After`` (the driver's errors, mapped by ``models.store.outages``)."""
    outage = as_unavailable(error)
    if outage is not None:
        log.warning("answered 503: %s (%s: %s)", outage.detail, type(error).__name__, error)
        return handle_domain_error(outage)
    log.exception("unhandled error")
    return problem(500, "an unexpected error occurred; it has been logged")


def register_error_handlers(app: Flask) -> None:
    """Install the handlers (after flask-smorest's, which they replace)."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(TuneforgeError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected)
