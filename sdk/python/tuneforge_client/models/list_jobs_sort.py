from typing import Literal

ListJobsSort = Literal["-best_score", "-created_at", "-name", "best_score", "created_at", "name"]

LIST_JOBS_SORT_VALUES: set[ListJobsSort] = {
    "-best_score",
    "-created_at",
    "-name",
    "best_score",
    "created_at",
    "name",
}


def check_list_jobs_sort(value: str) -> ListJobsSort:
    if value in LIST_JOBS_SORT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_JOBS_SORT_VALUES!r}")
