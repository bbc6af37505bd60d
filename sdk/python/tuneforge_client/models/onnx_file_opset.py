from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T", bound="OnnxFileOpset")


class OnnxFileOpset(dict[str, "int"]):
    """the operator sets the graph uses, by domain ("" is ai.onnx)

    Example:
        {'': 18, 'ai.onnx.ml': 3}

    """

    @property
    def additional_properties(self) -> dict[str, int]:
        return self

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        onnx_file_opset = cls()

        onnx_file_opset.update(d)
        return onnx_file_opset

    @property
    def additional_keys(self) -> list[str]:
        return list(self.keys())
