from enum import StrEnum


class TrialState(StrEnum):
    FAILED = "failed"
    PRUNED = "pruned"
    SUCCEEDED = "succeeded"

    def __str__(self) -> str:
        return str(self.value)
