from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.onnx_check import OnnxCheck
    from ..models.onnx_file_opset import OnnxFileOpset
    from ..models.onnx_file_versions import OnnxFileVersions
    from ..models.onnx_input import OnnxInput


T = TypeVar("T", bound="OnnxFile")


@_attrs_define
class OnnxFile:
    """
    Attributes:
        available (bool):
        reason (str | Unset): when unavailable: why (the conversion's error, or the check)
        sha256 (str | Unset):
        size_bytes (int | Unset):
        inputs (list[OnnxInput] | Unset): one named input per training column, in the table's order
        check (OnnxCheck | Unset):
        opset (OnnxFileOpset | Unset): the operator sets the graph uses, by domain ("" is ai.onnx) Example: {'': 18,
            'ai.onnx.ml': 3}.
        versions (OnnxFileVersions | Unset): what converted the graph and what checked it Example: {'skl2onnx':
            '1.20.0', 'onnx': '1.23.2', 'onnxruntime': '1.32.0'}.
        seconds (float | Unset): time the export and its check took
    """

    available: bool
    reason: str | Unset = UNSET
    sha256: str | Unset = UNSET
    size_bytes: int | Unset = UNSET
    inputs: list[OnnxInput] | Unset = UNSET
    check: OnnxCheck | Unset = UNSET
    opset: OnnxFileOpset | Unset = UNSET
    versions: OnnxFileVersions | Unset = UNSET
    seconds: float | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        available = self.available

        reason = self.reason

        sha256 = self.sha256

        size_bytes = self.size_bytes

        inputs: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.inputs, Unset):
            inputs = []
            for inputs_item_data in self.inputs:
                inputs_item = inputs_item_data.to_dict()
                inputs.append(inputs_item)

        check: dict[str, Any] | Unset = UNSET
        if not isinstance(self.check, Unset):
            check = self.check.to_dict()

        opset: dict[str, Any] | Unset = UNSET
        if not isinstance(self.opset, Unset):
            opset = self.opset.to_dict()

        versions: dict[str, Any] | Unset = UNSET
        if not isinstance(self.versions, Unset):
            versions = self.versions.to_dict()

        seconds = self.seconds

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "available": available,
            }
        )
        if reason is not UNSET:
            field_dict["reason"] = reason
        if sha256 is not UNSET:
            field_dict["sha256"] = sha256
        if size_bytes is not UNSET:
            field_dict["size_bytes"] = size_bytes
        if inputs is not UNSET:
            field_dict["inputs"] = inputs
        if check is not UNSET:
            field_dict["check"] = check
        if opset is not UNSET:
            field_dict["opset"] = opset
        if versions is not UNSET:
            field_dict["versions"] = versions
        if seconds is not UNSET:
            field_dict["seconds"] = seconds

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.onnx_check import OnnxCheck  # noqa: PLC0415
        from ..models.onnx_file_opset import OnnxFileOpset  # noqa: PLC0415
        from ..models.onnx_file_versions import OnnxFileVersions  # noqa: PLC0415
        from ..models.onnx_input import OnnxInput  # noqa: PLC0415

        d = dict(src_dict)
        available = d.pop("available")

        reason = d.pop("reason", UNSET)

        sha256 = d.pop("sha256", UNSET)

        size_bytes = d.pop("size_bytes", UNSET)

        _inputs = d.pop("inputs", UNSET)
        inputs: list[OnnxInput] | Unset = UNSET
        if _inputs is not UNSET:
            inputs = []
            for inputs_item_data in _inputs:
                inputs_item = OnnxInput.from_dict(inputs_item_data)

                inputs.append(inputs_item)

        _check = d.pop("check", UNSET)
        check: OnnxCheck | Unset
        if isinstance(_check, Unset):
            check = UNSET
        else:
            check = OnnxCheck.from_dict(_check)

        _opset = d.pop("opset", UNSET)
        opset: OnnxFileOpset | Unset
        if isinstance(_opset, Unset):
            opset = UNSET
        else:
            opset = OnnxFileOpset.from_dict(_opset)

        _versions = d.pop("versions", UNSET)
        versions: OnnxFileVersions | Unset
        if isinstance(_versions, Unset):
            versions = UNSET
        else:
            versions = OnnxFileVersions.from_dict(_versions)

        seconds = d.pop("seconds", UNSET)

        onnx_file = cls(
            available=available,
            reason=reason,
            sha256=sha256,
            size_bytes=size_bytes,
            inputs=inputs,
            check=check,
            opset=opset,
            versions=versions,
            seconds=seconds,
        )

        return onnx_file
