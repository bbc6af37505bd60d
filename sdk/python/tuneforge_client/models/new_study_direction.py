from typing import Literal

NewStudyDirection = Literal["maximize", "minimize"]

NEW_STUDY_DIRECTION_VALUES: set[NewStudyDirection] = {
    "maximize",
    "minimize",
}


def check_new_study_direction(value: str) -> NewStudyDirection:
    if value in NEW_STUDY_DIRECTION_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {NEW_STUDY_DIRECTION_VALUES!r}")
