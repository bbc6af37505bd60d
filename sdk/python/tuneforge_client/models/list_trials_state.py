from typing import Literal

ListTrialsState = Literal["failed", "pruned", "succeeded"]

LIST_TRIALS_STATE_VALUES: set[ListTrialsState] = {
    "failed",
    "pruned",
    "succeeded",
}


def check_list_trials_state(value: str) -> ListTrialsState:
    if value in LIST_TRIALS_STATE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_TRIALS_STATE_VALUES!r}")
