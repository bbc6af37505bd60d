from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ParamImportance")


@_attrs_define
class ParamImportance:
    """
    Attributes:
        param (str):  Example: max_depth.
        importance (float): between 0 and 1; the shares sum to 1
    """

    param: str
    importance: float

    def to_dict(self) -> dict[str, Any]:
        param = self.param

        importance = self.importance

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "param": param,
                "importance": importance,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        param = d.pop("param")

        importance = d.pop("importance")

        param_importance = cls(
            param=param,
            importance=importance,
        )

        return param_importance
