from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.job_best_best_params_type_0 import JobBestBestParamsType0


T = TypeVar("T", bound="JobBest")


@_attrs_define
class JobBest:
    """
    Attributes:
        best_trial (int):  Example: 5.
        best_score (float | None):  Example: 0.9626.
        best_params (JobBestBestParamsType0 | None):  Example: {'max_depth': 3, 'min_samples_leaf': 10}.
    """

    best_trial: int
    best_score: float | None
    best_params: JobBestBestParamsType0 | None

    def to_dict(self) -> dict[str, Any]:
        from ..models.job_best_best_params_type_0 import JobBestBestParamsType0  # noqa: PLC0415

        best_trial = self.best_trial

        best_score: float | None
        best_score = self.best_score

        best_params: dict[str, Any] | None
        if isinstance(self.best_params, JobBestBestParamsType0):
            best_params = self.best_params.to_dict()
        else:
            best_params = self.best_params

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "best_trial": best_trial,
                "best_score": best_score,
                "best_params": best_params,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job_best_best_params_type_0 import JobBestBestParamsType0  # noqa: PLC0415

        d = dict(src_dict)
        best_trial = d.pop("best_trial")

        def _parse_best_score(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        best_score = _parse_best_score(d.pop("best_score"))

        def _parse_best_params(data: object) -> JobBestBestParamsType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                best_params_type_0 = JobBestBestParamsType0.from_dict(data)

                return best_params_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(JobBestBestParamsType0 | None, data)

        best_params = _parse_best_params(d.pop("best_params"))

        job_best = cls(
            best_trial=best_trial,
            best_score=best_score,
            best_params=best_params,
        )

        return job_best
