from typing import Literal

SearchSpecTask = Literal["classification", "regression"]

SEARCH_SPEC_TASK_VALUES: set[SearchSpecTask] = {
    "classification",
    "regression",
}


def check_search_spec_task(value: str) -> SearchSpecTask:
    if value in SEARCH_SPEC_TASK_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SEARCH_SPEC_TASK_VALUES!r}")
