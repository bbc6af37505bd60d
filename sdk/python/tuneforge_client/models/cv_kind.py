from typing import Literal

CVKind = Literal["group", "holdout", "kfold", "stratified", "timeseries"]

CV_KIND_VALUES: set[CVKind] = {
    "group",
    "holdout",
    "kfold",
    "stratified",
    "timeseries",
}


def check_cv_kind(value: str) -> CVKind:
    if value in CV_KIND_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {CV_KIND_VALUES!r}")
