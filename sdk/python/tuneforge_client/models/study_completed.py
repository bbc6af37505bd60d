from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.study_completed_state import StudyCompletedState, check_study_completed_state

if TYPE_CHECKING:
    from ..models.study_completed_best_params_type_0 import StudyCompletedBestParamsType0


T = TypeVar("T", bound="StudyCompleted")


@_attrs_define
class StudyCompleted:
    """
    Attributes:
        state (StudyCompletedState):
        trials_completed (int):
        best_trial (int | None):
        best_value (float | None):
        best_params (None | StudyCompletedBestParamsType0):
    """

    state: StudyCompletedState
    trials_completed: int
    best_trial: int | None
    best_value: float | None
    best_params: None | StudyCompletedBestParamsType0

    def to_dict(self) -> dict[str, Any]:
        from ..models.study_completed_best_params_type_0 import StudyCompletedBestParamsType0  # noqa: PLC0415

        state: str = self.state

        trials_completed = self.trials_completed

        best_trial: int | None
        best_trial = self.best_trial

        best_value: float | None
        best_value = self.best_value

        best_params: dict[str, Any] | None
        if isinstance(self.best_params, StudyCompletedBestParamsType0):
            best_params = self.best_params.to_dict()
        else:
            best_params = self.best_params

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "state": state,
                "trials_completed": trials_completed,
                "best_trial": best_trial,
                "best_value": best_value,
                "best_params": best_params,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.study_completed_best_params_type_0 import StudyCompletedBestParamsType0  # noqa: PLC0415

        d = dict(src_dict)
        state = check_study_completed_state(d.pop("state"))

        trials_completed = d.pop("trials_completed")

        def _parse_best_trial(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        best_trial = _parse_best_trial(d.pop("best_trial"))

        def _parse_best_value(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        best_value = _parse_best_value(d.pop("best_value"))

        def _parse_best_params(data: object) -> None | StudyCompletedBestParamsType0:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                best_params_type_0 = StudyCompletedBestParamsType0.from_dict(data)

                return best_params_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StudyCompletedBestParamsType0, data)

        best_params = _parse_best_params(d.pop("best_params"))

        study_completed = cls(
            state=state,
            trials_completed=trials_completed,
            best_trial=best_trial,
            best_value=best_value,
            best_params=best_params,
        )

        return study_completed
