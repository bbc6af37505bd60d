from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.family_result_best_params_type_0 import FamilyResultBestParamsType0


T = TypeVar("T", bound="FamilyResult")


@_attrs_define
class FamilyResult:
    """
    Attributes:
        estimator (str):  Example: random_forest.
        n_trials (int):
        n_failed_trials (int):
        best_trial (int | None):
        best_score (float | None):
        best_params (FamilyResultBestParamsType0 | None): the family's own parameters (without its prefix)
        mean_fit_time_s (float | None):
    """

    estimator: str
    n_trials: int
    n_failed_trials: int
    best_trial: int | None
    best_score: float | None
    best_params: FamilyResultBestParamsType0 | None
    mean_fit_time_s: float | None

    def to_dict(self) -> dict[str, Any]:
        from ..models.family_result_best_params_type_0 import FamilyResultBestParamsType0  # noqa: PLC0415

        estimator = self.estimator

        n_trials = self.n_trials

        n_failed_trials = self.n_failed_trials

        best_trial: int | None
        best_trial = self.best_trial

        best_score: float | None
        best_score = self.best_score

        best_params: dict[str, Any] | None
        if isinstance(self.best_params, FamilyResultBestParamsType0):
            best_params = self.best_params.to_dict()
        else:
            best_params = self.best_params

        mean_fit_time_s: float | None
        mean_fit_time_s = self.mean_fit_time_s

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "estimator": estimator,
                "n_trials": n_trials,
                "n_failed_trials": n_failed_trials,
                "best_trial": best_trial,
                "best_score": best_score,
                "best_params": best_params,
                "mean_fit_time_s": mean_fit_time_s,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.family_result_best_params_type_0 import FamilyResultBestParamsType0  # noqa: PLC0415

        d = dict(src_dict)
        estimator = d.pop("estimator")

        n_trials = d.pop("n_trials")

        n_failed_trials = d.pop("n_failed_trials")

        def _parse_best_trial(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        best_trial = _parse_best_trial(d.pop("best_trial"))

        def _parse_best_score(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        best_score = _parse_best_score(d.pop("best_score"))

        def _parse_best_params(data: object) -> FamilyResultBestParamsType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                best_params_type_0 = FamilyResultBestParamsType0.from_dict(data)

                return best_params_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FamilyResultBestParamsType0 | None, data)

        best_params = _parse_best_params(d.pop("best_params"))

        def _parse_mean_fit_time_s(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        mean_fit_time_s = _parse_mean_fit_time_s(d.pop("mean_fit_time_s"))

        family_result = cls(
            estimator=estimator,
            n_trials=n_trials,
            n_failed_trials=n_failed_trials,
            best_trial=best_trial,
            best_score=best_score,
            best_params=best_params,
            mean_fit_time_s=mean_fit_time_s,
        )

        return family_result
