from typing import Literal

ListStudiesState = Literal["completed", "running"]

LIST_STUDIES_STATE_VALUES: set[ListStudiesState] = {
    "completed",
    "running",
}


def check_list_studies_state(value: str) -> ListStudiesState:
    if value in LIST_STUDIES_STATE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_STUDIES_STATE_VALUES!r}")
