from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SuggestionsRequest")


@_attrs_define
class SuggestionsRequest:
    """
    Attributes:
        count (int | Unset): trials the caller will evaluate now, 1 to 32 Default: 1.
    """

    count: int | Unset = 1

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if count is not UNSET:
            field_dict["count"] = count

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        count = d.pop("count", UNSET)

        suggestions_request = cls(
            count=count,
        )

        return suggestions_request
