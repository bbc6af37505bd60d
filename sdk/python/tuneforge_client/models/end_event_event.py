from typing import Literal

EndEventEvent = Literal["end"]

END_EVENT_EVENT_VALUES: set[EndEventEvent] = {
    "end",
}


def check_end_event_event(value: str) -> EndEventEvent:
    if value in END_EVENT_EVENT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {END_EVENT_EVENT_VALUES!r}")
