from typing import Literal

JobStoppedReasonType0 = Literal["cancelled", "completed", "timeout"]

JOB_STOPPED_REASON_TYPE_0_VALUES: set[JobStoppedReasonType0] = {
    "cancelled",
    "completed",
    "timeout",
}


def check_job_stopped_reason_type_0(value: str) -> JobStoppedReasonType0:
    if value in JOB_STOPPED_REASON_TYPE_0_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {JOB_STOPPED_REASON_TYPE_0_VALUES!r}")
