from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..models.score import Score


T = TypeVar("T", bound="ResultScores")


class ResultScores(dict[str, "Score"]):
    """every metric of the best trial, by scorer name

    Example:
        {'roc_auc': {'cv': 0.9626, 'cv_std': 0.0117, 'test': None}}

    """

    @property
    def additional_properties(self) -> dict[str, Score]:
        return self

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = prop.to_dict()

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.score import Score  # noqa: PLC0415

        d = dict(src_dict)
        result_scores = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional_property = Score.from_dict(prop_dict)

            additional_properties[prop_name] = additional_property

        result_scores.update(additional_properties)
        return result_scores

    @property
    def additional_keys(self) -> list[str]:
        return list(self.keys())
