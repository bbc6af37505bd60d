from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.study_importance_method import StudyImportanceMethod, check_study_importance_method

if TYPE_CHECKING:
    from ..models.param_importance import ParamImportance


T = TypeVar("T", bound="StudyImportance")


@_attrs_define
class StudyImportance:
    """
    Attributes:
        method (StudyImportanceMethod):
        n_trials (int): the scored trials weighed Example: 37.
        importances (list[ParamImportance]): largest first; empty while it cannot be computed (see detail) Example:
            [{'param': 'max_depth', 'importance': 0.71}, {'param': 'min_samples_leaf', 'importance': 0.29}].
        rung (int | None): for a successive-halving search, the rung whose trials were weighed: 0, the first, where
            every candidate ran on the same budget (scores on bigger budgets are not comparable with it); null for other
            searches
        detail (None | str): why importances is empty; null when it is not
        study_id (str):
    """

    method: StudyImportanceMethod
    n_trials: int
    importances: list[ParamImportance]
    rung: int | None
    detail: None | str
    study_id: str

    def to_dict(self) -> dict[str, Any]:
        method: str = self.method

        n_trials = self.n_trials

        importances = []
        for importances_item_data in self.importances:
            importances_item = importances_item_data.to_dict()
            importances.append(importances_item)

        rung: int | None
        rung = self.rung

        detail: None | str
        detail = self.detail

        study_id = self.study_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "method": method,
                "n_trials": n_trials,
                "importances": importances,
                "rung": rung,
                "detail": detail,
                "study_id": study_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.param_importance import ParamImportance  # noqa: PLC0415

        d = dict(src_dict)
        method = check_study_importance_method(d.pop("method"))

        n_trials = d.pop("n_trials")

        importances = []
        _importances = d.pop("importances")
        for importances_item_data in _importances:
            importances_item = ParamImportance.from_dict(importances_item_data)

            importances.append(importances_item)

        def _parse_rung(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        rung = _parse_rung(d.pop("rung"))

        def _parse_detail(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        detail = _parse_detail(d.pop("detail"))

        study_id = d.pop("study_id")

        study_importance = cls(
            method=method,
            n_trials=n_trials,
            importances=importances,
            rung=rung,
            detail=detail,
            study_id=study_id,
        )

        return study_importance
