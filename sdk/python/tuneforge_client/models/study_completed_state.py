from typing import Literal

StudyCompletedState = Literal["completed", "running"]

STUDY_COMPLETED_STATE_VALUES: set[StudyCompletedState] = {
    "completed",
    "running",
}


def check_study_completed_state(value: str) -> StudyCompletedState:
    if value in STUDY_COMPLETED_STATE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {STUDY_COMPLETED_STATE_VALUES!r}")
