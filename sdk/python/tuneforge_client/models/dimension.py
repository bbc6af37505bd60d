from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.dimension_type import DimensionType, check_dimension_type
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.dimension_when import DimensionWhen


T = TypeVar("T", bound="Dimension")


@_attrs_define
class Dimension:
    """
    Attributes:
        type_ (DimensionType):
        low (float | Unset): int and float: the smallest value
        high (float | Unset): int and float: the largest value
        log (bool | Unset): int and float: sampled on a log scale
        choices (list[bool | float | None | str] | Unset): categorical: every value
        when (DimensionWhen | Unset): searched only while these parameters take one of these values
    """

    type_: DimensionType
    low: float | Unset = UNSET
    high: float | Unset = UNSET
    log: bool | Unset = UNSET
    choices: list[bool | float | None | str] | Unset = UNSET
    when: DimensionWhen | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        type_: str = self.type_

        low = self.low

        high = self.high

        log = self.log

        choices: list[bool | float | None | str] | Unset = UNSET
        if not isinstance(self.choices, Unset):
            choices = []
            for choices_item_data in self.choices:
                choices_item: bool | float | None | str
                choices_item = choices_item_data
                choices.append(choices_item)

        when: dict[str, Any] | Unset = UNSET
        if not isinstance(self.when, Unset):
            when = self.when.to_dict()

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
        if log is not UNSET:
            field_dict["log"] = log
        if choices is not UNSET:
            field_dict["choices"] = choices
        if when is not UNSET:
            field_dict["when"] = when

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dimension_when import DimensionWhen  # noqa: PLC0415

        d = dict(src_dict)
        type_ = check_dimension_type(d.pop("type"))

        low = d.pop("low", UNSET)

        high = d.pop("high", UNSET)

        log = d.pop("log", UNSET)

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

        _when = d.pop("when", UNSET)
        when: DimensionWhen | Unset
        if isinstance(_when, Unset):
            when = UNSET
        else:
            when = DimensionWhen.from_dict(_when)

        dimension = cls(
            type_=type_,
            low=low,
            high=high,
            log=log,
            choices=choices,
            when=when,
        )

        return dimension
