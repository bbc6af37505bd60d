from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.param_type import ParamType, check_param_type
from ..types import UNSET, Unset

T = TypeVar("T", bound="Param")


@_attrs_define
class Param:
    """
    Attributes:
        type_ (ParamType):
        low (float | Unset): int and float: the smallest value allowed
        high (float | Unset): int and float: the largest value allowed
        choices (list[bool | float | None | str] | Unset): choice: every value; int and float: values allowed besides
        doc (str | Unset):
    """

    type_: ParamType
    low: float | Unset = UNSET
    high: float | Unset = UNSET
    choices: list[bool | float | None | str] | Unset = UNSET
    doc: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        type_: str = self.type_

        low = self.low

        high = self.high

        choices: list[bool | float | None | str] | Unset = UNSET
        if not isinstance(self.choices, Unset):
            choices = []
            for choices_item_data in self.choices:
                choices_item: bool | float | None | str
                choices_item = choices_item_data
                choices.append(choices_item)

        doc = self.doc

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
            }
        )
        if low is not UNSET:
            field_dict["low"] = low
        if high is not UNSET:
            field_dict["high"] = high
        if choices is not UNSET:
            field_dict["choices"] = choices
        if doc is not UNSET:
            field_dict["doc"] = doc

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = check_param_type(d.pop("type"))

        low = d.pop("low", UNSET)

        high = d.pop("high", UNSET)

        _choices = d.pop("choices", UNSET)
        choices: list[bool | float | None | str] | Unset = UNSET
        if _choices is not UNSET:
            choices = []
            for choices_item_data in _choices:

                def _parse_choices_item(data: object) -> bool | float | None | str:
                    if data is None:
                        return data
                    return cast(bool | float | None | str, data)

                choices_item = _parse_choices_item(choices_item_data)

                choices.append(choices_item)

        doc = d.pop("doc", UNSET)

        param = cls(
            type_=type_,
            low=low,
            high=high,
            choices=choices,
            doc=doc,
        )

        return param
