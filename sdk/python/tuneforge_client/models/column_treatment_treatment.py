from enum import StrEnum


class ColumnTreatmentTreatment(StrEnum):
    DROPPED = "dropped"
    NUMERIC = "numeric"
    ONE_HOT = "one_hot"
    ONE_HOT_TOP = "one_hot_top"
    ORDINAL = "ordinal"

    def __str__(self) -> str:
        return str(self.value)
