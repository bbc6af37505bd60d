"""How a trial ended. Its own small module: the store's records name it without importing
scikit-learn."""

from __future__ import annotations

import enum


class TrialState(enum.StrEnum):
    """How a trial ended."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PRUNED = "pruned"
