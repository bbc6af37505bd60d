"""``Idempotency-Key`` on POST: replay the first response to a retry, refuse a reused key.

The records live in :mod:`models.idempotency`; this module reads the header and turns
the outcomes into HTTP: a replay carries ``Idempotent-Replayed: true``, a reused key with a
different request is 422, a retry while the first is in flight is 409.
"""

from __future__ import annotations

from typing import Any

from flask import Response, json, request
from sqlalchemy.orm import Session

from api.errors import problem
from models import idempotency
from models.exceptions import SpecError

HEADER = "Idempotency-Key"
PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": "Makes a retry safe: the same key and body within 24 hours returns the "
    "first response and creates nothing; the same key with another body is 422; a retry "
    "while the first is still handled is 409. Keys are scoped to the caller.",
    "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY_LENGTH},
}


def key_from_request() -> str | None:
    """The request's idempotency key, checked; ``None`` when there is none."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > idempotency.MAX_KEY_LENGTH or not key.isprintable():
        raise SpecError(
            f"must be 1 to {idempotency.MAX_KEY_LENGTH} printable characters", field=HEADER
        )
    return key


def replay(record: idempotency.IdempotencyRecord) -> Response:
    response = Response(record.body, status=record.status, mimetype="application/json")
    for name, value in (record.headers or {}).items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def refusal(outcome: idempotency.Outcome) -> Response | None:
    """The response for a claim that cannot go ahead, or ``None`` for NEW and REPLAY."""
    if outcome.claim is idempotency.Claim.IN_FLIGHT:
        return problem(
            409,
            "a request with this Idempotency-Key is still being handled; retry later",
            headers={"Retry-After": "1"},
        )
    if outcome.claim is idempotency.Claim.MISMATCH:
        return problem(
            422,
            "this Idempotency-Key was used with a different request",
            {HEADER: ["was used with a different request body"]},
        )
    return None


def remember(
    session: Session,
    record: idempotency.IdempotencyRecord,
    fingerprint: str,
    status: int,
    headers: dict[str, str],
    document: dict[str, Any],
) -> None:
    """Store a successful response (as serialised JSON) for later replays."""
    idempotency.complete(session, record, fingerprint, status, headers, json.dumps(document))
