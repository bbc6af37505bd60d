from enum import StrEnum


class TrialEventEvent(StrEnum):
    TRIAL = "trial"

    def __str__(self) -> str:
        return str(self.value)
