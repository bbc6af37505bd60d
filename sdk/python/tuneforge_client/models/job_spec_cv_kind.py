from typing import Literal

JobSpecCVKind = Literal["group", "holdout", "kfold", "stratified", "timeseries"]

JOB_SPEC_CV_KIND_VALUES: set[JobSpecCVKind] = {
    "group",
    "holdout",
    "kfold",
    "stratified",
    "timeseries",
}


def check_job_spec_cv_kind(value: str) -> JobSpecCVKind:
    if value in JOB_SPEC_CV_KIND_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {JOB_SPEC_CV_KIND_VALUES!r}")
