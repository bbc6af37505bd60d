from typing import Literal

ListStudiesSort = Literal["-created_at", "-name", "created_at", "name"]

LIST_STUDIES_SORT_VALUES: set[ListStudiesSort] = {
    "-created_at",
    "-name",
    "created_at",
    "name",
}


def check_list_studies_sort(value: str) -> ListStudiesSort:
    if value in LIST_STUDIES_SORT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_STUDIES_SORT_VALUES!r}")
