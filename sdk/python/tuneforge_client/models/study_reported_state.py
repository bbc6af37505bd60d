from typing import Literal

StudyReportedState = Literal["failed", "pruned", "succeeded"]

STUDY_REPORTED_STATE_VALUES: set[StudyReportedState] = {
    "failed",
    "pruned",
    "succeeded",
}


def check_study_reported_state(value: str) -> StudyReportedState:
    if value in STUDY_REPORTED_STATE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {STUDY_REPORTED_STATE_VALUES!r}")
