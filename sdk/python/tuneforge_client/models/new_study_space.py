from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from ..models.new_study_space_additional_property_type_1 import NewStudySpaceAdditionalPropertyType1
    from ..models.new_study_space_additional_property_type_2 import NewStudySpaceAdditionalPropertyType2


T = TypeVar("T", bound="NewStudySpace")


class NewStudySpace(
    dict[
        str,
        "list[bool | float | None | str] | NewStudySpaceAdditionalPropertyType1 | NewStudySpaceAdditionalPropertyType2",
    ]
):
    """parameter → its values, written as a job's param_space (a list, or {type: int|float|categorical, low, high, log,
    choices, when})

        Example:
            {'x': {'type': 'float', 'low': -5, 'high': 5}, 'kind': ['a', 'b']}

    """

    @property
    def additional_properties(
        self,
    ) -> dict[
        str,
        list[bool | float | None | str] | NewStudySpaceAdditionalPropertyType1 | NewStudySpaceAdditionalPropertyType2,
    ]:
        return self

    def to_dict(self) -> dict[str, Any]:
        from ..models.new_study_space_additional_property_type_1 import NewStudySpaceAdditionalPropertyType1  # noqa: PLC0415

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            if isinstance(prop, list):
                field_dict[prop_name] = []
                for additional_property_type_0_item_data in prop:
                    additional_property_type_0_item: bool | float | None | str
                    additional_property_type_0_item = additional_property_type_0_item_data
                    field_dict[prop_name].append(additional_property_type_0_item)

            elif isinstance(prop, NewStudySpaceAdditionalPropertyType1):
                field_dict[prop_name] = prop.to_dict()
            else:
                field_dict[prop_name] = prop.to_dict()

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.new_study_space_additional_property_type_1 import NewStudySpaceAdditionalPropertyType1  # noqa: PLC0415
        from ..models.new_study_space_additional_property_type_2 import NewStudySpaceAdditionalPropertyType2  # noqa: PLC0415

        d = dict(src_dict)
        new_study_space = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():

            def _parse_additional_property(
                data: object,
            ) -> (
                list[bool | float | None | str]
                | NewStudySpaceAdditionalPropertyType1
                | NewStudySpaceAdditionalPropertyType2
            ):
                try:
                    if not isinstance(data, list):
                        raise TypeError()
                    additional_property_type_0 = []
                    _additional_property_type_0 = data
                    for additional_property_type_0_item_data in _additional_property_type_0:

                        def _parse_additional_property_type_0_item(data: object) -> bool | float | None | str:
                            if data is None:
                                return data
                            return cast(bool | float | None | str, data)

                        additional_property_type_0_item = _parse_additional_property_type_0_item(
                            additional_property_type_0_item_data
                        )

                        additional_property_type_0.append(additional_property_type_0_item)

                    return additional_property_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    additional_property_type_1 = NewStudySpaceAdditionalPropertyType1.from_dict(data)

                    return additional_property_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                additional_property_type_2 = NewStudySpaceAdditionalPropertyType2.from_dict(data)

                return additional_property_type_2

            additional_property = _parse_additional_property(prop_dict)

            additional_properties[prop_name] = additional_property

        new_study_space.update(additional_properties)
        return new_study_space

    @property
    def additional_keys(self) -> list[str]:
        return list(self.keys())
