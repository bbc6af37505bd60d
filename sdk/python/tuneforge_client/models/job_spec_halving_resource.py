from typing import Literal

JobSpecHalvingResource = Literal["max_iter", "n_estimators", "n_samples"]

JOB_SPEC_HALVING_RESOURCE_VALUES: set[JobSpecHalvingResource] = {
    "max_iter",
    "n_estimators",
    "n_samples",
}


def check_job_spec_halving_resource(value: str) -> JobSpecHalvingResource:
    if value in JOB_SPEC_HALVING_RESOURCE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {JOB_SPEC_HALVING_RESOURCE_VALUES!r}")
