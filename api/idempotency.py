"""``Idempotency-Key`` on POST: replay the first response to a retry, refuse a reused key.

The records live in :mod:`models.store.idempotency`; this module reads the header and turns
the outcomes into HTTP: a replay carries ``Idempotent-Replayed: true``, a reused key with a
different request is 422, a retry while the first is in flight is 409.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, request

from api.auth import current_owner
from api.errors import problem
from api.services import service
from models.exceptions import SpecError
from models.store import idempotency

View = TypeVar("View", bound=Callable[..., Any])
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


def json_body_fingerprint() -> str:
    """The fingerprint of a JSON request: its body, parsed (key order does not matter)."""
    return idempotency.fingerprint_json(request.get_json(silent=True))


def idempotent(
    scope: str,
    *,
    fingerprint: Callable[[], str] | None = None,
    fingerprint_of_response: Callable[[Response], str] | None = None,
    fingerprint_of_body: Callable[[], str] | None = None,
    discard: Callable[[Response], None] | None = None,
) -> Callable[[View], View]:
    """Make a POST view safe to retry with an ``Idempotency-Key`` header.

    Put it above flask-smorest's decorators, so it sees the finished response. The
    request's fingerprint comes from ``fingerprint()`` when the request tells it up front
    (a JSON body), or, when it is known only once the body was read (an upload, streamed:
    its sha256 and name), from ``fingerprint_of_response(response)`` for the first request
    and ``fingerprint_of_body()`` for a retry of a finished one: the retry's body is read
    for its fingerprint alone (nothing is stored, no quota counted), then the first
    response is replayed, or the retry refused as another request. ``discard`` undoes a
    request whose response could not be remembered: it either completes and is
    remembered, or leaves nothing behind and frees its key.
    """

    if fingerprint is None and (fingerprint_of_response is None or fingerprint_of_body is None):
        raise TypeError("give fingerprint, or fingerprint_of_response and fingerprint_of_body")

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = key_from_request()
            if key is None:
                return view(*args, **kwargs)
            owner = current_owner()
            known = fingerprint() if fingerprint else None
            with service().sessions() as session:
                outcome = idempotency.begin(session, owner, scope, key, known)
            if (refused := refusal(outcome)) is not None:
                return refused
            first = outcome.record
            first_id = first.id  # a failed commit below expires ``first``
            if outcome.claim is idempotency.Claim.REPLAY:
                seen = known if known is not None else fingerprint_of_body()
                if idempotency.same_request(first, seen):
                    return replay(first)
                return refusal(idempotency.Outcome(idempotency.Claim.MISMATCH))
            try:
                response = view(*args, **kwargs)
            except Exception:
                _abandon(first_id)
                raise
            if response.status_code >= 300:
                _abandon(first_id)
                return response
            headers = (
                {"Location": response.headers["Location"]} if "Location" in response.headers else {}
            )
            try:
                with service().sessions() as session:
                    idempotency.complete(
                        session,
                        first,
                        known or fingerprint_of_response(response),
                        response.status_code,
                        headers,
                        response.get_data(as_text=True),
                    )
            except Exception:
                # Not remembered, so not done: undo what the request made and free its key,
                # and a retry starts afresh rather than finding the key in flight.
                if discard is not None:
                    discard(response)
                _abandon(first_id)
                raise
            return response

        return wrapper

    return decorator


def _abandon(record_id: int) -> None:
    with service().sessions() as session:
        idempotency.abandon(session, record_id)
