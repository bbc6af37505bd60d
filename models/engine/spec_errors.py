"""Collecting a spec's mistakes, so that one answer names them all.

A client that sends a spec with a misspelt target, an unknown scorer and a bad fold count
should hear about all three at once, not one per round trip. The checks in
:mod:`models.engine.spec` and :mod:`models.engine.space` run inside
:meth:`SpecErrors.collect`; a check that needs a value an earlier one refused is skipped
(its field is already named), and :meth:`SpecErrors.raise_found` raises one
:class:`~models.exceptions.SpecError` for everything found.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from models.exceptions import SpecError


class SpecErrors:
    """The :class:`SpecError` s found so far."""

    def __init__(self) -> None:
        self.found: list[SpecError] = []

    @contextmanager
    def collect(self) -> Iterator[None]:
        """Run a check; a :class:`SpecError` it raises is kept, and the caller goes on."""
        try:
            yield
        except SpecError as error:
            self.found.append(error)

    def add(self, error: SpecError) -> None:
        self.found.append(error)

    def raise_found(self) -> None:
        """Raise one error naming every field found wrong; nothing when none was."""
        if self.found:
            raise SpecError.of(self.found)
