from typing import Literal

StudyState = Literal["completed", "running"]

STUDY_STATE_VALUES: set[StudyState] = {
    "completed",
    "running",
}


def check_study_state(value: str) -> StudyState:
    if value in STUDY_STATE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {STUDY_STATE_VALUES!r}")
