from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.study_new_best_best_params import StudyNewBestBestParams


T = TypeVar("T", bound="StudyNewBest")


@_attrs_define
class StudyNewBest:
    """
    Attributes:
        best_trial (int):
        best_value (float):
        best_params (StudyNewBestBestParams):
    """

    best_trial: int
    best_value: float
    best_params: StudyNewBestBestParams

    def to_dict(self) -> dict[str, Any]:
        best_trial = self.best_trial

        best_value = self.best_value

        best_params = self.best_params.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "best_trial": best_trial,
                "best_value": best_value,
                "best_params": best_params,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.study_new_best_best_params import StudyNewBestBestParams  # noqa: PLC0415

        d = dict(src_dict)
        best_trial = d.pop("best_trial")

        best_value = d.pop("best_value")

        best_params = StudyNewBestBestParams.from_dict(d.pop("best_params"))

        study_new_best = cls(
            best_trial=best_trial,
            best_value=best_value,
            best_params=best_params,
        )

        return study_new_best
