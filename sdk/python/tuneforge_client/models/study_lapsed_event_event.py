from typing import Literal

StudyLapsedEventEvent = Literal["lapsed"]

STUDY_LAPSED_EVENT_EVENT_VALUES: set[StudyLapsedEventEvent] = {
    "lapsed",
}


def check_study_lapsed_event_event(value: str) -> StudyLapsedEventEvent:
    if value in STUDY_LAPSED_EVENT_EVENT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {STUDY_LAPSED_EVENT_EVENT_VALUES!r}")
