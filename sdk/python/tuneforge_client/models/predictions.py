from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Predictions")


@_attrs_define
class Predictions:
    """
    Attributes:
        predictions (list[bool | float | str]): one per row: a class, or a number Example: ['yes'].
        ignored_columns (list[str]): columns sent that the model does not take, ignored Example: ['customer_id'].
        classes (list[bool | float | str] | Unset): a classifier's classes, the order of each row's probabilities
            Example: ['no', 'yes'].
        probabilities (list[list[float]] | Unset): per row, each class's probability in `classes` order (classifiers
            whose estimator gives them) Example: [[0.18, 0.82]].
    """

    predictions: list[bool | float | str]
    ignored_columns: list[str]
    classes: list[bool | float | str] | Unset = UNSET
    probabilities: list[list[float]] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        predictions = []
        for predictions_item_data in self.predictions:
            predictions_item: bool | float | str
            predictions_item = predictions_item_data
            predictions.append(predictions_item)

        ignored_columns = self.ignored_columns

        classes: list[bool | float | str] | Unset = UNSET
        if not isinstance(self.classes, Unset):
            classes = []
            for classes_item_data in self.classes:
                classes_item: bool | float | str
                classes_item = classes_item_data
                classes.append(classes_item)

        probabilities: list[list[float]] | Unset = UNSET
        if not isinstance(self.probabilities, Unset):
            probabilities = []
            for probabilities_item_data in self.probabilities:
                probabilities_item = probabilities_item_data

                probabilities.append(probabilities_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "predictions": predictions,
                "ignored_columns": ignored_columns,
            }
        )
        if classes is not UNSET:
            field_dict["classes"] = classes
        if probabilities is not UNSET:
            field_dict["probabilities"] = probabilities

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        predictions = []
        _predictions = d.pop("predictions")
        for predictions_item_data in _predictions:

            def _parse_predictions_item(data: object) -> bool | float | str:
                return cast(bool | float | str, data)

            predictions_item = _parse_predictions_item(predictions_item_data)

            predictions.append(predictions_item)

        ignored_columns = cast(list[str], d.pop("ignored_columns"))

        _classes = d.pop("classes", UNSET)
        classes: list[bool | float | str] | Unset = UNSET
        if _classes is not UNSET:
            classes = []
            for classes_item_data in _classes:

                def _parse_classes_item(data: object) -> bool | float | str:
                    return cast(bool | float | str, data)

                classes_item = _parse_classes_item(classes_item_data)

                classes.append(classes_item)

        _probabilities = d.pop("probabilities", UNSET)
        probabilities: list[list[float]] | Unset = UNSET
        if _probabilities is not UNSET:
            probabilities = []
            for probabilities_item_data in _probabilities:
                probabilities_item = cast(list[float], probabilities_item_data)

                probabilities.append(probabilities_item)

        predictions = cls(
            predictions=predictions,
            ignored_columns=ignored_columns,
            classes=classes,
            probabilities=probabilities,
        )

        return predictions
