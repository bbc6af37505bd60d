from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.onnx_input_type import OnnxInputType, check_onnx_input_type

T = TypeVar("T", bound="OnnxInput")


@_attrs_define
class OnnxInput:
    """
    Attributes:
        name (str): the column's name
        type_ (OnnxInputType): double for a number column (missing: NaN); string for a text or boolean one
            ("True"/"False"; missing: "" or "NA")
    """

    name: str
    type_: OnnxInputType

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        type_: str = self.type_

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        type_ = check_onnx_input_type(d.pop("type"))

        onnx_input = cls(
            name=name,
            type_=type_,
        )

        return onnx_input
