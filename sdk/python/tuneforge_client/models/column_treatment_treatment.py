from typing import Literal

ColumnTreatmentTreatment = Literal["dropped", "numeric", "one_hot", "one_hot_top", "ordinal"]

COLUMN_TREATMENT_TREATMENT_VALUES: set[ColumnTreatmentTreatment] = {
    "dropped",
    "numeric",
    "one_hot",
    "one_hot_top",
    "ordinal",
}


def check_column_treatment_treatment(value: str) -> ColumnTreatmentTreatment:
    if value in COLUMN_TREATMENT_TREATMENT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {COLUMN_TREATMENT_TREATMENT_VALUES!r}")
