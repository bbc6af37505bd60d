from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..models.estimator_params_additional_property import EstimatorParamsAdditionalProperty


T = TypeVar("T", bound="EstimatorParams")


class EstimatorParams(dict[str, "EstimatorParamsAdditionalProperty"]):
    """task → parameter → what it accepts

    Example:
        {'max_depth': 3, 'min_samples_leaf': 10}

    """

    @property
    def additional_properties(self) -> dict[str, EstimatorParamsAdditionalProperty]:
        return self

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

        estimator_params.update(additional_properties)
        return estimator_params

    @property
    def additional_keys(self) -> list[str]:
        return list(self.keys())
