from typing import Literal

ModelInfoFormat = Literal["joblib"]

MODEL_INFO_FORMAT_VALUES: set[ModelInfoFormat] = {
    "joblib",
}


def check_model_info_format(value: str) -> ModelInfoFormat:
    if value in MODEL_INFO_FORMAT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {MODEL_INFO_FORMAT_VALUES!r}")
