from typing import Literal

DimensionType = Literal["categorical", "float", "int"]

DIMENSION_TYPE_VALUES: set[DimensionType] = {
    "categorical",
    "float",
    "int",
}


def check_dimension_type(value: str) -> DimensionType:
    if value in DIMENSION_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {DIMENSION_TYPE_VALUES!r}")
