from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from ..models.search_spec_param_space_additional_property_type_1 import SearchSpecParamSpaceAdditionalPropertyType1
    from ..models.search_spec_param_space_additional_property_type_2 import SearchSpecParamSpaceAdditionalPropertyType2


T = TypeVar("T", bound="SearchSpecParamSpace")


class SearchSpecParamSpace(
    dict[
        str,
        "list[bool | float | None | str] | SearchSpecParamSpaceAdditionalPropertyType1 | SearchSpecParamSpaceAdditionalPropertyType2",
    ]
):
    """estimator parameter → the values to try; default: the catalog's space (see GET /v1/estimators)

    Example:
        {'max_depth': [2, 4, 8, None], 'min_samples_leaf': {'type': 'int', 'low': 1, 'high': 20}}

    """

    @property
    def additional_properties(
        self,
    ) -> dict[
        str,
        list[bool | float | None | str]
        | SearchSpecParamSpaceAdditionalPropertyType1
        | SearchSpecParamSpaceAdditionalPropertyType2,
    ]:
        return self

    def to_dict(self) -> dict[str, Any]:
        from ..models.search_spec_param_space_additional_property_type_1 import (
            SearchSpecParamSpaceAdditionalPropertyType1,  # noqa: PLC0415
        )

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            if isinstance(prop, list):
                field_dict[prop_name] = []
                for additional_property_type_0_item_data in prop:
                    additional_property_type_0_item: bool | float | None | str
                    additional_property_type_0_item = additional_property_type_0_item_data
                    field_dict[prop_name].append(additional_property_type_0_item)

            elif isinstance(prop, SearchSpecParamSpaceAdditionalPropertyType1):
                field_dict[prop_name] = prop.to_dict()
            else:
                field_dict[prop_name] = prop.to_dict()

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.search_spec_param_space_additional_property_type_1 import (
            SearchSpecParamSpaceAdditionalPropertyType1,  # noqa: PLC0415
        )
        from ..models.search_spec_param_space_additional_property_type_2 import (
            SearchSpecParamSpaceAdditionalPropertyType2,  # noqa: PLC0415
        )

        d = dict(src_dict)
        search_spec_param_space = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():

            def _parse_additional_property(
                data: object,
            ) -> (
                list[bool | float | None | str]
                | SearchSpecParamSpaceAdditionalPropertyType1
                | SearchSpecParamSpaceAdditionalPropertyType2
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
                    additional_property_type_1 = SearchSpecParamSpaceAdditionalPropertyType1.from_dict(data)

                    return additional_property_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                additional_property_type_2 = SearchSpecParamSpaceAdditionalPropertyType2.from_dict(data)

                return additional_property_type_2

            additional_property = _parse_additional_property(prop_dict)

            additional_properties[prop_name] = additional_property

        search_spec_param_space.update(additional_properties)
        return search_spec_param_space

    @property
    def additional_keys(self) -> list[str]:
        return list(self.keys())
