from typing import Literal

TrialState = Literal["failed", "pruned", "succeeded"]

TRIAL_STATE_VALUES: set[TrialState] = {
    "failed",
    "pruned",
    "succeeded",
}


def check_trial_state(value: str) -> TrialState:
    if value in TRIAL_STATE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {TRIAL_STATE_VALUES!r}")
