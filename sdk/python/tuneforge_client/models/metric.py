from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="Metric")


@_attrs_define
class Metric:
    """
    Attributes:
        mean (float):
        std (float):
        fold_scores (list[float]):
    """

    mean: float
    std: float
    fold_scores: list[float]

    def to_dict(self) -> dict[str, Any]:
        mean = self.mean

        std = self.std

        fold_scores = self.fold_scores

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "mean": mean,
                "std": std,
                "fold_scores": fold_scores,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        mean = d.pop("mean")

        std = d.pop("std")

        fold_scores = cast(list[float], d.pop("fold_scores"))

        metric = cls(
            mean=mean,
            std=std,
            fold_scores=fold_scores,
        )

        return metric
