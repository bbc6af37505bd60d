from typing import Literal

OnnxInputType = Literal["double", "string"]

ONNX_INPUT_TYPE_VALUES: set[OnnxInputType] = {
    "double",
    "string",
}


def check_onnx_input_type(value: str) -> OnnxInputType:
    if value in ONNX_INPUT_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {ONNX_INPUT_TYPE_VALUES!r}")
