from typing import Literal

ColumnDtype = Literal["boolean", "float", "integer", "string"]

COLUMN_DTYPE_VALUES: set[ColumnDtype] = {
    "boolean",
    "float",
    "integer",
    "string",
}


def check_column_dtype(value: str) -> ColumnDtype:
    if value in COLUMN_DTYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {COLUMN_DTYPE_VALUES!r}")
