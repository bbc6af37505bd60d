from typing import Literal

StudyCompletedEventEvent = Literal["completed"]

STUDY_COMPLETED_EVENT_EVENT_VALUES: set[StudyCompletedEventEvent] = {
    "completed",
}


def check_study_completed_event_event(value: str) -> StudyCompletedEventEvent:
    if value in STUDY_COMPLETED_EVENT_EVENT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {STUDY_COMPLETED_EVENT_EVENT_VALUES!r}")
