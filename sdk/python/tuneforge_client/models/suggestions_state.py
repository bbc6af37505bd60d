from typing import Literal

SuggestionsState = Literal["completed", "running"]

SUGGESTIONS_STATE_VALUES: set[SuggestionsState] = {
    "completed",
    "running",
}


def check_suggestions_state(value: str) -> SuggestionsState:
    if value in SUGGESTIONS_STATE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SUGGESTIONS_STATE_VALUES!r}")
