from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="OnnxTolerance")


@_attrs_define
class OnnxTolerance:
    """
    Attributes:
        rtol (float):
        atol (float):
    """

    rtol: float
    atol: float

    def to_dict(self) -> dict[str, Any]:
        rtol = self.rtol

        atol = self.atol

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "rtol": rtol,
                "atol": atol,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        rtol = d.pop("rtol")

        atol = d.pop("atol")

        onnx_tolerance = cls(
            rtol=rtol,
            atol=atol,
        )

        return onnx_tolerance
