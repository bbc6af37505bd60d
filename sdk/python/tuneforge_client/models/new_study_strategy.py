from typing import Literal

NewStudyStrategy = Literal["bayesian", "grid", "random"]

NEW_STUDY_STRATEGY_VALUES: set[NewStudyStrategy] = {
    "bayesian",
    "grid",
    "random",
}


def check_new_study_strategy(value: str) -> NewStudyStrategy:
    if value in NEW_STUDY_STRATEGY_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {NEW_STUDY_STRATEGY_VALUES!r}")
