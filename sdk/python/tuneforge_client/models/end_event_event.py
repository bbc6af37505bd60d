from enum import StrEnum


class EndEventEvent(StrEnum):
    END = "end"

    def __str__(self) -> str:
        return str(self.value)
