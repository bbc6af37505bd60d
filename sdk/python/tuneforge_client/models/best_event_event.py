from enum import StrEnum


class BestEventEvent(StrEnum):
    BEST = "best"

    def __str__(self) -> str:
        return str(self.value)
