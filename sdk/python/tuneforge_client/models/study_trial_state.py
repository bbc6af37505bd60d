from typing import Literal

StudyTrialState = Literal["failed", "leased", "pruned", "succeeded"]

STUDY_TRIAL_STATE_VALUES: set[StudyTrialState] = {
    "failed",
    "leased",
    "pruned",
    "succeeded",
}


def check_study_trial_state(value: str) -> StudyTrialState:
    if value in STUDY_TRIAL_STATE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {STUDY_TRIAL_STATE_VALUES!r}")
