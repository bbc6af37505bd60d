from typing import Literal

ColumnTargetTask = Literal["classification", "regression"]

COLUMN_TARGET_TASK_VALUES: set[ColumnTargetTask] = {
    "classification",
    "regression",
}


def check_column_target_task(value: str) -> ColumnTargetTask:
    if value in COLUMN_TARGET_TASK_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {COLUMN_TARGET_TASK_VALUES!r}")
