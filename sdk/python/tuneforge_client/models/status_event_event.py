from enum import StrEnum


class StatusEventEvent(StrEnum):
    STATUS = "status"

    def __str__(self) -> str:
        return str(self.value)
