from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..models.metric import Metric


T = TypeVar("T", bound="TrialMetrics")


class TrialMetrics(dict[str, "Metric"]):
    """every requested metric, by scorer name

    Example:
        {'roc_auc': {'mean': 0.9626, 'std': 0.0117, 'fold_scores': [0.95, 0.97, 0.96, 0.98, 0.95]}}

    """

    @property
    def additional_properties(self) -> dict[str, Metric]:
        return self

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = prop.to_dict()

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.metric import Metric  # noqa: PLC0415

        d = dict(src_dict)
        trial_metrics = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional_property = Metric.from_dict(prop_dict)

            additional_properties[prop_name] = additional_property

        trial_metrics.update(additional_properties)
        return trial_metrics

    @property
    def additional_keys(self) -> list[str]:
        return list(self.keys())
