from typing import Literal

JobSpecTask = Literal["classification", "regression"]

JOB_SPEC_TASK_VALUES: set[JobSpecTask] = {
    "classification",
    "regression",
}


def check_job_spec_task(value: str) -> JobSpecTask:
    if value in JOB_SPEC_TASK_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {JOB_SPEC_TASK_VALUES!r}")
