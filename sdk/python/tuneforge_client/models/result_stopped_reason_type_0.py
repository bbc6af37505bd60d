from typing import Literal

ResultStoppedReasonType0 = Literal["cancelled", "completed", "timeout"]

RESULT_STOPPED_REASON_TYPE_0_VALUES: set[ResultStoppedReasonType0] = {
    "cancelled",
    "completed",
    "timeout",
}


def check_result_stopped_reason_type_0(value: str) -> ResultStoppedReasonType0:
    if value in RESULT_STOPPED_REASON_TYPE_0_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {RESULT_STOPPED_REASON_TYPE_0_VALUES!r}")
