"""Every way a call can fail, as one exception tree.

The API answers each error with ``application/problem+json`` (RFC 9457); the client
raises it, typed by status, instead of returning it::

    TuneforgeError
    ├── ProblemError            any non-2xx answer: status, title, detail, type, errors
    │   ├── BadRequest          400
    │   ├── Unauthorized        401
    │   ├── Forbidden           403
    │   ├── NotFound            404
    │   ├── RequestTimeout      408  (the request body came too slowly)
    │   ├── Conflict            409
    │   ├── PayloadTooLarge     413
    │   ├── ValidationError     422  (``errors`` names the fields)
    │   ├── RateLimited         429  (``retry_after`` seconds)
    │   └── ServerError         5xx
    │       └── ServiceUnavailable  503  (``retry_after`` seconds: the database is out of reach)
    ├── SpecError               the spec cannot be sent as written (a tuple, an unknown
    │                           distribution): ``errors`` names each field, as a 422's does
    ├── Unreachable             no answer (connection refused, timed out, cut short)
    ├── WaitTimeout             wait() gave up; ``job`` is the last state seen
    └── JobFailed               tune(): the job ended but did not succeed; ``job``
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from tuneforge_client.models import Job

__all__ = [
    "BadRequest",
    "Conflict",
    "Forbidden",
    "JobFailed",
    "NotFound",
    "PayloadTooLarge",
    "ProblemError",
    "RateLimited",
    "RequestTimeout",
    "ServerError",
    "ServiceUnavailable",
    "SpecError",
    "TuneforgeError",
    "Unauthorized",
    "Unreachable",
    "ValidationError",
    "WaitTimeout",
]


class TuneforgeError(Exception):
    """The base of every exception this package raises."""


class ProblemError(TuneforgeError):
    """The API answered with an error status; the fields mirror its problem+json body.

    ``errors`` maps a dotted field name (``cv.folds``) to its messages; it is empty when
    the problem is not about fields.
    """

    def __init__(
        self,
        status: int,
        title: str = "",
        detail: str = "",
        type: str = "about:blank",
        errors: dict[str, list[str]] | None = None,
    ) -> None:
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
        self.errors: dict[str, list[str]] = dict(errors or {})
        super().__init__(self._message())

    def _message(self) -> str:
        head = f"{self.status} {self.title}".strip()
        if self.detail:
            head = f"{head}: {self.detail}"
        reasons = [f"{field}: {'; '.join(messages)}" for field, messages in self.errors.items()]
        return "\n  ".join([head, *reasons])


class BadRequest(ProblemError):
    """400: the request could not be read."""


class Unauthorized(ProblemError):
    """401: no API key, or one the service does not know."""


class Forbidden(ProblemError):
    """403: the key may not do this."""


class NotFound(ProblemError):
    """404: no such dataset or job (for this key's tenant)."""


class RequestTimeout(ProblemError):
    """408: the request's head or body came too slowly (a slow or stalled upload)."""


class Conflict(ProblemError):
    """409: not in this state (a result before the job succeeded, cancelling an ended job)."""


class PayloadTooLarge(ProblemError):
    """413: the upload is larger than the service accepts."""


class ValidationError(ProblemError):
    """422: the request is well formed but wrong; ``errors`` says which field and why."""


class RateLimited(ProblemError):
    """429: too many requests or over a quota; retry after ``retry_after`` seconds."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(*args, **kwargs)


class ServerError(ProblemError):
    """5xx: the service (or a proxy before it) failed; the request may be retried."""


class ServiceUnavailable(ServerError):
    """503: the service's database or storage is out of reach for now; try again after
    ``retry_after`` seconds (``None`` when the answer did not say). :meth:`Client.wait`
    waits such an outage out."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(*args, **kwargs)


class SpecError(TuneforgeError, ValueError):
    """The spec has values with no single meaning in JSON (a tuple, a distribution other
    than randint, uniform and loguniform, a scikit-learn splitter); nothing was sent.

    ``errors`` maps each field (``param_space.C``) to its messages, as
    :class:`ValidationError`'s does for what the service refuses, and the message lists
    every field.
    """

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = dict(errors)
        lines = [f"{field}: {'; '.join(messages)}" for field, messages in self.errors.items()]
        super().__init__("\n  ".join(["the spec cannot be sent as written", *lines]))


class Unreachable(TuneforgeError):
    """The service did not answer (refused, timed out) or the answer was cut short."""


class WaitTimeout(TuneforgeError):
    """``wait()`` ran out of time before the job ended; ``job`` is its last state."""

    def __init__(self, job: Job, timeout: float) -> None:
        self.job = job
        self.timeout = timeout
        super().__init__(f"job {job.id} is still {job.status} after {timeout:g} s")


class JobFailed(TuneforgeError):
    """The job ended without succeeding (failed or cancelled); ``job`` says why."""

    def __init__(self, job: Job) -> None:
        self.job = job
        reason = f": {job.error}" if isinstance(getattr(job, "error", None), str) else ""
        super().__init__(f"job {job.id} {job.status}{reason}")


_BY_STATUS: dict[int, type[ProblemError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    408: RequestTimeout,
    409: Conflict,
    413: PayloadTooLarge,
    422: ValidationError,
    429: RateLimited,
    503: ServiceUnavailable,
}


def problem_from(response: httpx.Response) -> ProblemError:
    """The exception for a non-2xx ``response``, whatever its body (a proxy's HTML too)."""
    status = response.status_code
    body = _json_object(response)
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else ProblemError)
    fields: dict[str, Any] = {
        "title": str(body.get("title") or response.reason_phrase),
        "detail": str(body.get("detail") or ("" if body else response.text[:500])),
        "type": str(body.get("type") or "about:blank"),
        "errors": _field_errors(body.get("errors")),
    }
    if cls is RateLimited or cls is ServiceUnavailable:
        return cls(status, retry_after=_seconds(response.headers.get("Retry-After")), **fields)
    return cls(status, **fields)


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _field_errors(errors: Any) -> dict[str, list[str]]:
    if not isinstance(errors, dict):
        return {}
    return {
        str(field): [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]
        for field, messages in errors.items()
    }


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date: rare enough not to parse
