from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T", bound="EstimatorResourceParams")


class EstimatorResourceParams(dict[str, "int"]):
    """parameters halving may use as its resource, with their full budget"""

    @property
    def additional_properties(self) -> dict[str, int]:
        return self

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        estimator_resource_params = cls()

        estimator_resource_params.update(d)
        return estimator_resource_params

    @property
    def additional_keys(self) -> list[str]:
        return list(self.keys())
