from typing import Literal

StudyReportedEventEvent = Literal["reported"]

STUDY_REPORTED_EVENT_EVENT_VALUES: set[StudyReportedEventEvent] = {
    "reported",
}


def check_study_reported_event_event(value: str) -> StudyReportedEventEvent:
    if value in STUDY_REPORTED_EVENT_EVENT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {STUDY_REPORTED_EVENT_EVENT_VALUES!r}")
