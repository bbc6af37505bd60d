from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="Intermediate")


@_attrs_define
class Intermediate:
    """
    Attributes:
        step (int):
        value (float):
    """

    step: int
    value: float

    def to_dict(self) -> dict[str, Any]:
        step = self.step

        value = self.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "step": step,
                "value": value,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        step = d.pop("step")

        value = d.pop("value")

        intermediate = cls(
            step=step,
            value=value,
        )

        return intermediate
