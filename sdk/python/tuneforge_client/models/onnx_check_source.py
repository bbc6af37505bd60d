from typing import Literal

OnnxCheckSource = Literal["test", "training_sample"]

ONNX_CHECK_SOURCE_VALUES: set[OnnxCheckSource] = {
    "test",
    "training_sample",
}


def check_onnx_check_source(value: str) -> OnnxCheckSource:
    if value in ONNX_CHECK_SOURCE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {ONNX_CHECK_SOURCE_VALUES!r}")
