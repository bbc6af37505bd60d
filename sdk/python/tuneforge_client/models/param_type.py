from typing import Literal

ParamType = Literal["bool", "choice", "float", "int"]

PARAM_TYPE_VALUES: set[ParamType] = {
    "bool",
    "choice",
    "float",
    "int",
}


def check_param_type(value: str) -> ParamType:
    if value in PARAM_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {PARAM_TYPE_VALUES!r}")
