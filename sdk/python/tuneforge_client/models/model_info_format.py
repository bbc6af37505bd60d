from enum import StrEnum


class ModelInfoFormat(StrEnum):
    JOBLIB = "joblib"

    def __str__(self) -> str:
        return str(self.value)
