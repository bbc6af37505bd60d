from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.new_study_space_additional_property_type_2_type import (
    NewStudySpaceAdditionalPropertyType2Type,
    check_new_study_space_additional_property_type_2_type,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.new_study_space_additional_property_type_2_when import NewStudySpaceAdditionalPropertyType2When


T = TypeVar("T", bound="NewStudySpaceAdditionalPropertyType2")


@_attrs_define
class NewStudySpaceAdditionalPropertyType2:
    """
    Attributes:
        low (float):
        high (float):
        type_ (NewStudySpaceAdditionalPropertyType2Type | Unset): default: the parameter's own (see GET /v1/estimators)
        log (bool | Unset): sample on a log scale (low > 0)
        when (NewStudySpaceAdditionalPropertyType2When | Unset): search this parameter only while these categorical
            parameters take one of the listed values
    """

    low: float
    high: float
    type_: NewStudySpaceAdditionalPropertyType2Type | Unset = UNSET
    log: bool | Unset = UNSET
    when: NewStudySpaceAdditionalPropertyType2When | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        low = self.low

        high = self.high

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_

        log = self.log

        when: dict[str, Any] | Unset = UNSET
        if not isinstance(self.when, Unset):
            when = self.when.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "low": low,
                "high": high,
            }
        )
        if type_ is not UNSET:
            field_dict["type"] = type_
        if log is not UNSET:
            field_dict["log"] = log
        if when is not UNSET:
            field_dict["when"] = when

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.new_study_space_additional_property_type_2_when import NewStudySpaceAdditionalPropertyType2When  # noqa: PLC0415

        d = dict(src_dict)
        low = d.pop("low")

        high = d.pop("high")

        _type_ = d.pop("type", UNSET)
        type_: NewStudySpaceAdditionalPropertyType2Type | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = check_new_study_space_additional_property_type_2_type(_type_)

        log = d.pop("log", UNSET)

        _when = d.pop("when", UNSET)
        when: NewStudySpaceAdditionalPropertyType2When | Unset
        if isinstance(_when, Unset):
            when = UNSET
        else:
            when = NewStudySpaceAdditionalPropertyType2When.from_dict(_when)

        new_study_space_additional_property_type_2 = cls(
            low=low,
            high=high,
            type_=type_,
            log=log,
            when=when,
        )

        return new_study_space_additional_property_type_2
