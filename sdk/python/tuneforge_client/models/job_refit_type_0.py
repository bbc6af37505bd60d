from typing import Literal

JobRefitType0 = Literal["done", "failed", "refitting", "stopped"]

JOB_REFIT_TYPE_0_VALUES: set[JobRefitType0] = {
    "done",
    "failed",
    "refitting",
    "stopped",
}


def check_job_refit_type_0(value: str) -> JobRefitType0:
    if value in JOB_REFIT_TYPE_0_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {JOB_REFIT_TYPE_0_VALUES!r}")
