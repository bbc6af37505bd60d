from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.new_study_space_additional_property_type_1_type import (
    NewStudySpaceAdditionalPropertyType1Type,
    check_new_study_space_additional_property_type_1_type,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.new_study_space_additional_property_type_1_when import NewStudySpaceAdditionalPropertyType1When


T = TypeVar("T", bound="NewStudySpaceAdditionalPropertyType1")


@_attrs_define
class NewStudySpaceAdditionalPropertyType1:
    """
    Attributes:
        type_ (NewStudySpaceAdditionalPropertyType1Type):
        choices (list[bool | float | None | str]):
        when (NewStudySpaceAdditionalPropertyType1When | Unset): search this parameter only while these categorical
            parameters take one of the listed values
    """

    type_: NewStudySpaceAdditionalPropertyType1Type
    choices: list[bool | float | None | str]
    when: NewStudySpaceAdditionalPropertyType1When | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        type_: str = self.type_

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
                "choices": choices,
            }
        )
        if when is not UNSET:
            field_dict["when"] = when

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.new_study_space_additional_property_type_1_when import NewStudySpaceAdditionalPropertyType1When  # noqa: PLC0415

        d = dict(src_dict)
        type_ = check_new_study_space_additional_property_type_1_type(d.pop("type"))

        choices = []
        _choices = d.pop("choices")
        for choices_item_data in _choices:

            def _parse_choices_item(data: object) -> bool | float | None | str:
                if data is None:
                    return data
                return cast(bool | float | None | str, data)

            choices_item = _parse_choices_item(choices_item_data)

            choices.append(choices_item)

        _when = d.pop("when", UNSET)
        when: NewStudySpaceAdditionalPropertyType1When | Unset
        if isinstance(_when, Unset):
            when = UNSET
        else:
            when = NewStudySpaceAdditionalPropertyType1When.from_dict(_when)

        new_study_space_additional_property_type_1 = cls(
            type_=type_,
            choices=choices,
            when=when,
        )

        return new_study_space_additional_property_type_1
