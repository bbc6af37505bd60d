from typing import Literal

HalvingResource = Literal["max_iter", "n_estimators", "n_samples"]

HALVING_RESOURCE_VALUES: set[HalvingResource] = {
    "max_iter",
    "n_estimators",
    "n_samples",
}


def check_halving_resource(value: str) -> HalvingResource:
    if value in HALVING_RESOURCE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {HALVING_RESOURCE_VALUES!r}")
