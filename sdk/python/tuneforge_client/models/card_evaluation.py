from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.card_cv import CardCV
    from ..models.card_evaluation_scores import CardEvaluationScores


T = TypeVar("T", bound="CardEvaluation")


@_attrs_define
class CardEvaluation:
    """
    Attributes:
        scoring (str):
        cv (CardCV):
        cv_score (float): the best trial's mean over the folds
        cv_std (float | None): its standard deviation over the folds
        fold_scores (list[float | None]):
        test_score (float | None):
        test_size (float | None):
        scores (CardEvaluationScores):
    """

    scoring: str
    cv: CardCV
    cv_score: float
    cv_std: float | None
    fold_scores: list[float | None]
    test_score: float | None
    test_size: float | None
    scores: CardEvaluationScores

    def to_dict(self) -> dict[str, Any]:
        scoring = self.scoring

        cv = self.cv.to_dict()

        cv_score = self.cv_score

        cv_std: float | None
        cv_std = self.cv_std

        fold_scores = []
        for fold_scores_item_data in self.fold_scores:
            fold_scores_item: float | None
            fold_scores_item = fold_scores_item_data
            fold_scores.append(fold_scores_item)

        test_score: float | None
        test_score = self.test_score

        test_size: float | None
        test_size = self.test_size

        scores = self.scores.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "scoring": scoring,
                "cv": cv,
                "cv_score": cv_score,
                "cv_std": cv_std,
                "fold_scores": fold_scores,
                "test_score": test_score,
                "test_size": test_size,
                "scores": scores,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.card_cv import CardCV  # noqa: PLC0415
        from ..models.card_evaluation_scores import CardEvaluationScores  # noqa: PLC0415

        d = dict(src_dict)
        scoring = d.pop("scoring")

        cv = CardCV.from_dict(d.pop("cv"))

        cv_score = d.pop("cv_score")

        def _parse_cv_std(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        cv_std = _parse_cv_std(d.pop("cv_std"))

        fold_scores = []
        _fold_scores = d.pop("fold_scores")
        for fold_scores_item_data in _fold_scores:

            def _parse_fold_scores_item(data: object) -> float | None:
                if data is None:
                    return data
                return cast(float | None, data)

            fold_scores_item = _parse_fold_scores_item(fold_scores_item_data)

            fold_scores.append(fold_scores_item)

        def _parse_test_score(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        test_score = _parse_test_score(d.pop("test_score"))

        def _parse_test_size(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        test_size = _parse_test_size(d.pop("test_size"))

        scores = CardEvaluationScores.from_dict(d.pop("scores"))

        card_evaluation = cls(
            scoring=scoring,
            cv=cv,
            cv_score=cv_score,
            cv_std=cv_std,
            fold_scores=fold_scores,
            test_score=test_score,
            test_size=test_size,
            scores=scores,
        )

        return card_evaluation
