from enum import StrEnum


class JobSpecCVKind(StrEnum):
    GROUP = "group"
    HOLDOUT = "holdout"
    KFOLD = "kfold"
    STRATIFIED = "stratified"
    TIMESERIES = "timeseries"

    def __str__(self) -> str:
        return str(self.value)
