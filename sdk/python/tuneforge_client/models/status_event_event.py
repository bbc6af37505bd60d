from typing import Literal

StatusEventEvent = Literal["status"]

STATUS_EVENT_EVENT_VALUES: set[StatusEventEvent] = {
    "status",
}


def check_status_event_event(value: str) -> StatusEventEvent:
    if value in STATUS_EVENT_EVENT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {STATUS_EVENT_EVENT_VALUES!r}")
