from typing import Literal

EstimatorTasksItem = Literal["classification", "regression"]

ESTIMATOR_TASKS_ITEM_VALUES: set[EstimatorTasksItem] = {
    "classification",
    "regression",
}


def check_estimator_tasks_item(value: str) -> EstimatorTasksItem:
    if value in ESTIMATOR_TASKS_ITEM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {ESTIMATOR_TASKS_ITEM_VALUES!r}")
