from typing import Literal

ImportanceMethod = Literal["fanova"]

IMPORTANCE_METHOD_VALUES: set[ImportanceMethod] = {
    "fanova",
}


def check_importance_method(value: str) -> ImportanceMethod:
    if value in IMPORTANCE_METHOD_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {IMPORTANCE_METHOD_VALUES!r}")
