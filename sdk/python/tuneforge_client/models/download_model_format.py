from typing import Literal

DownloadModelFormat = Literal["joblib", "onnx", "skops"]

DOWNLOAD_MODEL_FORMAT_VALUES: set[DownloadModelFormat] = {
    "joblib",
    "onnx",
    "skops",
}


def check_download_model_format(value: str) -> DownloadModelFormat:
    if value in DOWNLOAD_MODEL_FORMAT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {DOWNLOAD_MODEL_FORMAT_VALUES!r}")
