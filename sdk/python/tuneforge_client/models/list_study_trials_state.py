from typing import Literal

ListStudyTrialsState = Literal["failed", "leased", "pruned", "succeeded"]

LIST_STUDY_TRIALS_STATE_VALUES: set[ListStudyTrialsState] = {
    "failed",
    "leased",
    "pruned",
    "succeeded",
}


def check_list_study_trials_state(value: str) -> ListStudyTrialsState:
    if value in LIST_STUDY_TRIALS_STATE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_STUDY_TRIALS_STATE_VALUES!r}")
