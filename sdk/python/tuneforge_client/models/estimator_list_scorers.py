from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

T = TypeVar("T", bound="EstimatorListScorers")


class EstimatorListScorers(dict[str, "list[str]"]):
    """task → the scikit-learn scorer names a spec of that task may use (some need a binary target; scorers named neg_* are
    errors, negated so that higher is better)

    """

    @property
    def additional_properties(self) -> dict[str, list[str]]:
        return self

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = prop

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        estimator_list_scorers = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional_property = cast(list[str], prop_dict)

            additional_properties[prop_name] = additional_property

        estimator_list_scorers.update(additional_properties)
        return estimator_list_scorers

    @property
    def additional_keys(self) -> list[str]:
        return list(self.keys())
