from typing import Literal

StudyImportanceMethod = Literal["fanova"]

STUDY_IMPORTANCE_METHOD_VALUES: set[StudyImportanceMethod] = {
    "fanova",
}


def check_study_importance_method(value: str) -> StudyImportanceMethod:
    if value in STUDY_IMPORTANCE_METHOD_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {STUDY_IMPORTANCE_METHOD_VALUES!r}")
