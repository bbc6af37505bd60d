from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

T = TypeVar("T", bound="NewStudySpaceAdditionalPropertyType1When")


class NewStudySpaceAdditionalPropertyType1When(dict[str, "list[bool | float | None | str]"]):
    """search this parameter only while these categorical parameters take one of the listed values"""

    @property
    def additional_properties(self) -> dict[str, list[bool | float | None | str]]:
        return self

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = []
            for additional_property_item_data in prop:
                additional_property_item: bool | float | None | str
                additional_property_item = additional_property_item_data
                field_dict[prop_name].append(additional_property_item)

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        new_study_space_additional_property_type_1_when = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional_property = []
            _additional_property = prop_dict
            for additional_property_item_data in _additional_property:

                def _parse_additional_property_item(data: object) -> bool | float | None | str:
                    if data is None:
                        return data
                    return cast(bool | float | None | str, data)

                additional_property_item = _parse_additional_property_item(additional_property_item_data)

                additional_property.append(additional_property_item)

            additional_properties[prop_name] = additional_property

        new_study_space_additional_property_type_1_when.update(additional_properties)
        return new_study_space_additional_property_type_1_when

    @property
    def additional_keys(self) -> list[str]:
        return list(self.keys())
