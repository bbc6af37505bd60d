from enum import StrEnum


class DownloadModelFormat(StrEnum):
    JOBLIB = "joblib"
    SKOPS = "skops"

    def __str__(self) -> str:
        return str(self.value)
