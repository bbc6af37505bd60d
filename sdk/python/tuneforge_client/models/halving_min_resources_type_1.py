from typing import Literal

HalvingMinResourcesType1 = Literal["exhaust", "smallest"]

HALVING_MIN_RESOURCES_TYPE_1_VALUES: set[HalvingMinResourcesType1] = {
    "exhaust",
    "smallest",
}


def check_halving_min_resources_type_1(value: str) -> HalvingMinResourcesType1:
    if value in HALVING_MIN_RESOURCES_TYPE_1_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {HALVING_MIN_RESOURCES_TYPE_1_VALUES!r}")
