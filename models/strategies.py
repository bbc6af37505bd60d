"""Search strategies behind one interface: propose a candidate, record its result.

The worker owns the loop: it asks ``propose(number)`` for trial ``number``, evaluates it,
and tells ``record``. Candidates depend only on the spec and the seed, so a resumed job
proposes the same candidate for the same number and skips the ones already recorded.
"""

from __future__ import annotations

from typing import Any, Protocol

from models.space import Dimension, grid, sample


class Strategy(Protocol):
    """What to try next."""

    total: int

    def propose(self, number: int) -> dict[str, Any] | None:
        """The candidate for trial ``number``, or ``None`` when the search is done."""

    def record(self, number: int, params: dict[str, Any], score: float | None) -> None:
        """Learn from a finished trial (``score`` is ``None`` when it failed)."""


class FixedList:
    """A strategy whose candidates are all known up front (grid, random)."""

    def __init__(self, candidates: list[dict[str, Any]]) -> None:
        self.candidates = candidates
        self.total = len(candidates)

    def propose(self, number: int) -> dict[str, Any] | None:
        return self.candidates[number] if number < self.total else None

    def record(self, number: int, params: dict[str, Any], score: float | None) -> None:
        return None


def make_strategy(
    name: str,
    dims: list[Dimension],
    n_trials: int,
    seed: int | None,
) -> Strategy:
    """The strategy called ``name`` over ``dims``."""
    if name == "grid":
        return FixedList(grid(dims))
    if name == "random":
        return FixedList(sample(dims, n_trials, seed))
    raise ValueError(f"unknown strategy {name!r}")
