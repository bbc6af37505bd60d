from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="CardModel")


@_attrs_define
class CardModel:
    """
    Attributes:
        estimator (str):
        task (str):
        target (str):
        classes (list[Any] | None):
        feature_columns (list[str]):
        sha256 (None | str): the joblib file's
    """

    estimator: str
    task: str
    target: str
    classes: list[Any] | None
    feature_columns: list[str]
    sha256: None | str

    def to_dict(self) -> dict[str, Any]:
        estimator = self.estimator

        task = self.task

        target = self.target

        classes: list[Any] | None
        if isinstance(self.classes, list):
            classes = self.classes

        else:
            classes = self.classes

        feature_columns = self.feature_columns

        sha256: None | str
        sha256 = self.sha256

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "estimator": estimator,
                "task": task,
                "target": target,
                "classes": classes,
                "feature_columns": feature_columns,
                "sha256": sha256,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        estimator = d.pop("estimator")

        task = d.pop("task")

        target = d.pop("target")

        def _parse_classes(data: object) -> list[Any] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                classes_type_0 = cast(list[Any], data)

                return classes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[Any] | None, data)

        classes = _parse_classes(d.pop("classes"))

        feature_columns = cast(list[str], d.pop("feature_columns"))

        def _parse_sha256(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sha256 = _parse_sha256(d.pop("sha256"))

        card_model = cls(
            estimator=estimator,
            task=task,
            target=target,
            classes=classes,
            feature_columns=feature_columns,
            sha256=sha256,
        )

        return card_model
