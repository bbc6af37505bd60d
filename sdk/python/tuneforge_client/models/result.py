from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.result_scoring import ResultScoring, check_result_scoring
from ..models.result_stopped_reason_type_0 import ResultStoppedReasonType0, check_result_stopped_reason_type_0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.column_treatment import ColumnTreatment
    from ..models.fallback import Fallback
    from ..models.family_result import FamilyResult
    from ..models.model_info import ModelInfo
    from ..models.result_best_params import ResultBestParams
    from ..models.result_scores import ResultScores


T = TypeVar("T", bound="Result")


@_attrs_define
class Result:
    """
    Attributes:
        job_id (str):  Example: job_019b2c4d5e6f7a8b9c0d1e2f3a4b.
        best_params (ResultBestParams):  Example: {'max_depth': 3, 'min_samples_leaf': 10}.
        best_score (float | None): null when it fell back Example: 0.9626.
        best_trial (int | None): null when it fell back Example: 5.
        scoring (ResultScoring):  Example: roc_auc.
        test_score (float | None):
        scores (ResultScores): every metric of the best trial, by scorer name Example: {'roc_auc': {'cv': 0.9626,
            'cv_std': 0.0117, 'test': None}}.
        n_trials (int):  Example: 15.
        n_failed_trials (int):  Example: 0.
        n_pruned_trials (int):  Example: 0.
        n_train_rows (int):  Example: 569.
        n_test_rows (int):  Example: 0.
        dropped_target_rows (int):  Example: 0.
        stopped_reason (None | ResultStoppedReasonType0):  Example: completed.
        columns (list[ColumnTreatment]):
        model (ModelInfo):
        estimator (str): the estimator the model is: the spec's, or the family an auto job chose Example:
            hist_gradient_boosting.
        families (list[FamilyResult] | None): an auto job: how each family did, in the order tried; null for one
            estimator
        fallback (Fallback | None | Unset): set when the budget ran out before any trial finished: the model is then the
            estimator's cheap configuration, not the best of a search
    """

    job_id: str
    best_params: ResultBestParams
    best_score: float | None
    best_trial: int | None
    scoring: ResultScoring
    test_score: float | None
    scores: ResultScores
    n_trials: int
    n_failed_trials: int
    n_pruned_trials: int
    n_train_rows: int
    n_test_rows: int
    dropped_target_rows: int
    stopped_reason: None | ResultStoppedReasonType0
    columns: list[ColumnTreatment]
    model: ModelInfo
    estimator: str
    families: list[FamilyResult] | None
    fallback: Fallback | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.fallback import Fallback  # noqa: PLC0415

        job_id = self.job_id

        best_params = self.best_params.to_dict()

        best_score: float | None
        best_score = self.best_score

        best_trial: int | None
        best_trial = self.best_trial

        scoring: str = self.scoring

        test_score: float | None
        test_score = self.test_score

        scores = self.scores.to_dict()

        n_trials = self.n_trials

        n_failed_trials = self.n_failed_trials

        n_pruned_trials = self.n_pruned_trials

        n_train_rows = self.n_train_rows

        n_test_rows = self.n_test_rows

        dropped_target_rows = self.dropped_target_rows

        stopped_reason: None | str
        if isinstance(self.stopped_reason, str):
            stopped_reason = self.stopped_reason
        else:
            stopped_reason = self.stopped_reason

        columns = []
        for columns_item_data in self.columns:
            columns_item = columns_item_data.to_dict()
            columns.append(columns_item)

        model = self.model.to_dict()

        estimator = self.estimator

        families: list[dict[str, Any]] | None
        if isinstance(self.families, list):
            families = []
            for families_type_0_item_data in self.families:
                families_type_0_item = families_type_0_item_data.to_dict()
                families.append(families_type_0_item)

        else:
            families = self.families

        fallback: dict[str, Any] | None | Unset
        if isinstance(self.fallback, Unset):
            fallback = UNSET
        elif isinstance(self.fallback, Fallback):
            fallback = self.fallback.to_dict()
        else:
            fallback = self.fallback

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "job_id": job_id,
                "best_params": best_params,
                "best_score": best_score,
                "best_trial": best_trial,
                "scoring": scoring,
                "test_score": test_score,
                "scores": scores,
                "n_trials": n_trials,
                "n_failed_trials": n_failed_trials,
                "n_pruned_trials": n_pruned_trials,
                "n_train_rows": n_train_rows,
                "n_test_rows": n_test_rows,
                "dropped_target_rows": dropped_target_rows,
                "stopped_reason": stopped_reason,
                "columns": columns,
                "model": model,
                "estimator": estimator,
                "families": families,
            }
        )
        if fallback is not UNSET:
            field_dict["fallback"] = fallback

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.column_treatment import ColumnTreatment  # noqa: PLC0415
        from ..models.fallback import Fallback  # noqa: PLC0415
        from ..models.family_result import FamilyResult  # noqa: PLC0415
        from ..models.model_info import ModelInfo  # noqa: PLC0415
        from ..models.result_best_params import ResultBestParams  # noqa: PLC0415
        from ..models.result_scores import ResultScores  # noqa: PLC0415

        d = dict(src_dict)
        job_id = d.pop("job_id")

        best_params = ResultBestParams.from_dict(d.pop("best_params"))

        def _parse_best_score(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        best_score = _parse_best_score(d.pop("best_score"))

        def _parse_best_trial(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        best_trial = _parse_best_trial(d.pop("best_trial"))

        scoring = check_result_scoring(d.pop("scoring"))

        def _parse_test_score(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        test_score = _parse_test_score(d.pop("test_score"))

        scores = ResultScores.from_dict(d.pop("scores"))

        n_trials = d.pop("n_trials")

        n_failed_trials = d.pop("n_failed_trials")

        n_pruned_trials = d.pop("n_pruned_trials")

        n_train_rows = d.pop("n_train_rows")

        n_test_rows = d.pop("n_test_rows")

        dropped_target_rows = d.pop("dropped_target_rows")

        def _parse_stopped_reason(data: object) -> None | ResultStoppedReasonType0:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                stopped_reason_type_0 = check_result_stopped_reason_type_0(data)

                return stopped_reason_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ResultStoppedReasonType0, data)

        stopped_reason = _parse_stopped_reason(d.pop("stopped_reason"))

        columns = []
        _columns = d.pop("columns")
        for columns_item_data in _columns:
            columns_item = ColumnTreatment.from_dict(columns_item_data)

            columns.append(columns_item)

        model = ModelInfo.from_dict(d.pop("model"))

        estimator = d.pop("estimator")

        def _parse_families(data: object) -> list[FamilyResult] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                families_type_0 = []
                _families_type_0 = data
                for families_type_0_item_data in _families_type_0:
                    families_type_0_item = FamilyResult.from_dict(families_type_0_item_data)

                    families_type_0.append(families_type_0_item)

                return families_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[FamilyResult] | None, data)

        families = _parse_families(d.pop("families"))

        def _parse_fallback(data: object) -> Fallback | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                fallback_type_0 = Fallback.from_dict(data)

                return fallback_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Fallback | None | Unset, data)

        fallback = _parse_fallback(d.pop("fallback", UNSET))

        result = cls(
            job_id=job_id,
            best_params=best_params,
            best_score=best_score,
            best_trial=best_trial,
            scoring=scoring,
            test_score=test_score,
            scores=scores,
            n_trials=n_trials,
            n_failed_trials=n_failed_trials,
            n_pruned_trials=n_pruned_trials,
            n_train_rows=n_train_rows,
            n_test_rows=n_test_rows,
            dropped_target_rows=dropped_target_rows,
            stopped_reason=stopped_reason,
            columns=columns,
            model=model,
            estimator=estimator,
            families=families,
            fallback=fallback,
        )

        return result
