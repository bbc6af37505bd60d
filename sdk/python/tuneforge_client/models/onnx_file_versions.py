from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T", bound="OnnxFileVersions")


class OnnxFileVersions(dict[str, "str"]):
    """what converted the graph and what checked it

    Example:
        {'skl2onnx': '1.20.0', 'onnx': '1.23.2', 'onnxruntime': '1.32.0'}

    """

    @property
    def additional_properties(self) -> dict[str, str]:
        return self

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        onnx_file_versions = cls()

        onnx_file_versions.update(d)
        return onnx_file_versions

    @property
    def additional_keys(self) -> list[str]:
        return list(self.keys())
