from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..models.estimator_default_space_additional_property import EstimatorDefaultSpaceAdditionalProperty


T = TypeVar("T", bound="EstimatorDefaultSpace")


class EstimatorDefaultSpace(dict[str, "EstimatorDefaultSpaceAdditionalProperty"]):
    """task → the space searched when a spec gives none"""

    @property
    def additional_properties(self) -> dict[str, EstimatorDefaultSpaceAdditionalProperty]:
        return self

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = prop.to_dict()

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.estimator_default_space_additional_property import EstimatorDefaultSpaceAdditionalProperty  # noqa: PLC0415

        d = dict(src_dict)
        estimator_default_space = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional_property = EstimatorDefaultSpaceAdditionalProperty.from_dict(prop_dict)

            additional_properties[prop_name] = additional_property

        estimator_default_space.update(additional_properties)
        return estimator_default_space

    @property
    def additional_keys(self) -> list[str]:
        return list(self.keys())
