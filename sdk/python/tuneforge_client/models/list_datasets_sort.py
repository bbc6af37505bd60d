from typing import Literal

ListDatasetsSort = Literal["-created_at", "-name", "created_at", "name"]

LIST_DATASETS_SORT_VALUES: set[ListDatasetsSort] = {
    "-created_at",
    "-name",
    "created_at",
    "name",
}


def check_list_datasets_sort(value: str) -> ListDatasetsSort:
    if value in LIST_DATASETS_SORT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_DATASETS_SORT_VALUES!r}")
