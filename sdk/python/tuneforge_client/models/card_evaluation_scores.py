from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..models.card_score import CardScore


T = TypeVar("T", bound="CardEvaluationScores")


class CardEvaluationScores(dict[str, "CardScore"]):
    @property
    def additional_properties(self) -> dict[str, CardScore]:
        return self

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = prop.to_dict()

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.card_score import CardScore  # noqa: PLC0415

        d = dict(src_dict)
        card_evaluation_scores = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional_property = CardScore.from_dict(prop_dict)

            additional_properties[prop_name] = additional_property

        card_evaluation_scores.update(additional_properties)
        return card_evaluation_scores

    @property
    def additional_keys(self) -> list[str]:
        return list(self.keys())
