"""The domain's exceptions.

::

    TuneforgeError            root; never raised itself
    ├── NotFound              no such dataset or job (for this owner)
    ├── Conflict              the request clashes with the record's state
    │   └── Busy              ... for a while (try again later)
    ├── DatasetError          an uploaded table cannot be read or breaks a limit
    ├── SpecError             a search spec is invalid (names the field)
    ├── RowsError             rows to predict on cannot be read (names the field)
    ├── TooLarge              an upload exceeds the size limit
    ├── QuotaExceeded         the tenant is over a quota (try again later)
    └── Unavailable           the database or the storage is out of reach (try again soon)

``api/errors.py`` turns each into one problem+json response.
"""

from __future__ import annotations


class TuneforgeError(Exception):
    """Root of every error the domain raises on purpose."""

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field

    @property
    def errors(self) -> dict[str, list[str]] | None:
        """``{field: [message]}`` when the error is about one field."""
        return {self.field: [self.detail]} if self.field else None


class NotFound(TuneforgeError):
    """No record with that id is visible to the caller."""


class Conflict(TuneforgeError):
    """The operation is not allowed in the record's current state."""


class Busy(Conflict):
    """The record is in a state that ends by itself (a cancelled job's best candidate
    being refit): the same request may succeed after ``retry_after`` seconds."""

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class DatasetError(TuneforgeError):
    """An uploaded table cannot be parsed or breaks a limit."""


class SpecError(TuneforgeError):
    """A search spec is invalid; ``field`` names the offending field.

    :meth:`of` joins several into one, so that a spec with several mistakes is refused
    once, naming each field (``errors`` then maps each field to its messages).
    """

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        errors: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(detail, field=field)
        self._errors = errors

    @property
    def errors(self) -> dict[str, list[str]] | None:
        return self._errors if self._errors is not None else super().errors

    @classmethod
    def of(cls, found: list[SpecError]) -> SpecError:
        """One error for everything ``found`` (not empty): itself when there is one."""
        if len(found) == 1:
            return found[0]
        errors: dict[str, list[str]] = {}
        for error in found:
            for name, messages in (error.errors or {"body": [error.detail]}).items():
                listed = errors.setdefault(name, [])
                listed += [message for message in messages if message not in listed]
        return cls(f"the spec is invalid: {', '.join(errors)}", errors=errors)


class RowsError(TuneforgeError):
    """Rows sent for predictions cannot be read as the model's training columns; ``field``
    names the column, row or part of the body."""


class TooLarge(TuneforgeError):
    """An upload is larger than the configured maximum."""


class QuotaExceeded(TuneforgeError):
    """The tenant is over a quota: too many jobs at once, too much stored, too many
    requests; ``retry_after`` is when to try again, in seconds."""

    def __init__(self, detail: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(detail, field=field)
        self.retry_after = retry_after


class Unavailable(TuneforgeError):
    """A backing service (the database, the storage) is out of reach just now: nothing
    is wrong with the request, and the same request may succeed after ``retry_after``
    seconds. :func:`models.store.outages.as_unavailable` tells these from bugs."""

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
