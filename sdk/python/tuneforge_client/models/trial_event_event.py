from typing import Literal

TrialEventEvent = Literal["trial"]

TRIAL_EVENT_EVENT_VALUES: set[TrialEventEvent] = {
    "trial",
}


def check_trial_event_event(value: str) -> TrialEventEvent:
    if value in TRIAL_EVENT_EVENT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {TRIAL_EVENT_EVENT_VALUES!r}")
