from typing import Literal

ListTrialsSort = Literal["-mean_score", "-number", "mean_score", "number"]

LIST_TRIALS_SORT_VALUES: set[ListTrialsSort] = {
    "-mean_score",
    "-number",
    "mean_score",
    "number",
}


def check_list_trials_sort(value: str) -> ListTrialsSort:
    if value in LIST_TRIALS_SORT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_TRIALS_SORT_VALUES!r}")
