from typing import Literal

StudySuggestedEventEvent = Literal["suggested"]

STUDY_SUGGESTED_EVENT_EVENT_VALUES: set[StudySuggestedEventEvent] = {
    "suggested",
}


def check_study_suggested_event_event(value: str) -> StudySuggestedEventEvent:
    if value in STUDY_SUGGESTED_EVENT_EVENT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {STUDY_SUGGESTED_EVENT_EVENT_VALUES!r}")
