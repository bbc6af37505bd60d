from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.estimator_params_additional_property import EstimatorParamsAdditionalProperty


T = TypeVar("T", bound="EstimatorParams")


@_attrs_define
class EstimatorParams:
    """task → parameter → what it accepts

    Example:
        {'max_depth': 3, 'min_samples_leaf': 10}

    """

    additional_properties: dict[str, EstimatorParamsAdditionalProperty] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = prop.to_dict()

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.estimator_params_additional_property import EstimatorParamsAdditionalProperty  # noqa: PLC0415

        d = dict(src_dict)
        estimator_params = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional_property = EstimatorParamsAdditionalProperty.from_dict(prop_dict)

            additional_properties[prop_name] = additional_property

        estimator_params.additional_properties = additional_properties
        return estimator_params

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> EstimatorParamsAdditionalProperty:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: EstimatorParamsAdditionalProperty) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
