from typing import Literal

JobSpecHalvingMinResourcesType1 = Literal["exhaust", "smallest"]

JOB_SPEC_HALVING_MIN_RESOURCES_TYPE_1_VALUES: set[JobSpecHalvingMinResourcesType1] = {
    "exhaust",
    "smallest",
}


def check_job_spec_halving_min_resources_type_1(value: str) -> JobSpecHalvingMinResourcesType1:
    if value in JOB_SPEC_HALVING_MIN_RESOURCES_TYPE_1_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {JOB_SPEC_HALVING_MIN_RESOURCES_TYPE_1_VALUES!r}")
