from typing import Literal

JobEndStatus = Literal["cancelled", "failed", "queued", "running", "succeeded"]

JOB_END_STATUS_VALUES: set[JobEndStatus] = {
    "cancelled",
    "failed",
    "queued",
    "running",
    "succeeded",
}


def check_job_end_status(value: str) -> JobEndStatus:
    if value in JOB_END_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {JOB_END_STATUS_VALUES!r}")
