from typing import Literal

StudyBestEventEvent = Literal["best"]

STUDY_BEST_EVENT_EVENT_VALUES: set[StudyBestEventEvent] = {
    "best",
}


def check_study_best_event_event(value: str) -> StudyBestEventEvent:
    if value in STUDY_BEST_EVENT_EVENT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {STUDY_BEST_EVENT_EVENT_VALUES!r}")
