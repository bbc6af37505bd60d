from typing import Literal

BestEventEvent = Literal["best"]

BEST_EVENT_EVENT_VALUES: set[BestEventEvent] = {
    "best",
}


def check_best_event_event(value: str) -> BestEventEvent:
    if value in BEST_EVENT_EVENT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {BEST_EVENT_EVENT_VALUES!r}")
