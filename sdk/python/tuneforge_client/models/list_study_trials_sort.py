from typing import Literal

ListStudyTrialsSort = Literal["-mean_score", "-number", "mean_score", "number"]

LIST_STUDY_TRIALS_SORT_VALUES: set[ListStudyTrialsSort] = {
    "-mean_score",
    "-number",
    "mean_score",
    "number",
}


def check_list_study_trials_sort(value: str) -> ListStudyTrialsSort:
    if value in LIST_STUDY_TRIALS_SORT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_STUDY_TRIALS_SORT_VALUES!r}")
