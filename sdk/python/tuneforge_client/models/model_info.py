from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.model_info_format import ModelInfoFormat

T = TypeVar("T", bound="ModelInfo")


@_attrs_define
class ModelInfo:
    """
    Attributes:
        format_ (ModelInfoFormat):  Example: joblib.
        sha256 (str):  Example: 5c6bd4d4c1e96d7db295b91bae812ad349346229c5c9a55bdf6c9cdc8508a8f1.
        size_bytes (int):  Example: 122354.
        sklearn_version (str):  Example: 1.9.1.
        joblib_version (str):  Example: 1.6.0.
        feature_columns (list[str]):  Example: ['mean radius', 'mean texture'].
        target (str):  Example: target.
        classes (list[bool | float | None | str] | None):  Example: [0, 1].
    """

    format_: ModelInfoFormat
    sha256: str
    size_bytes: int
    sklearn_version: str
    joblib_version: str
    feature_columns: list[str]
    target: str
    classes: list[bool | float | None | str] | None

    def to_dict(self) -> dict[str, Any]:
        format_ = self.format_.value

        sha256 = self.sha256

        size_bytes = self.size_bytes

        sklearn_version = self.sklearn_version

        joblib_version = self.joblib_version

        feature_columns = self.feature_columns

        target = self.target

        classes: list[bool | float | None | str] | None
        if isinstance(self.classes, list):
            classes = []
            for classes_type_0_item_data in self.classes:
                classes_type_0_item: bool | float | None | str
                classes_type_0_item = classes_type_0_item_data
                classes.append(classes_type_0_item)

        else:
            classes = self.classes

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "format": format_,
                "sha256": sha256,
                "size_bytes": size_bytes,
                "sklearn_version": sklearn_version,
                "joblib_version": joblib_version,
                "feature_columns": feature_columns,
                "target": target,
                "classes": classes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        format_ = ModelInfoFormat(d.pop("format"))

        sha256 = d.pop("sha256")

        size_bytes = d.pop("size_bytes")

        sklearn_version = d.pop("sklearn_version")

        joblib_version = d.pop("joblib_version")

        feature_columns = cast(list[str], d.pop("feature_columns"))

        target = d.pop("target")

        def _parse_classes(data: object) -> list[bool | float | None | str] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                classes_type_0 = []
                _classes_type_0 = data
                for classes_type_0_item_data in _classes_type_0:

                    def _parse_classes_type_0_item(data: object) -> bool | float | None | str:
                        if data is None:
                            return data
                        return cast(bool | float | None | str, data)

                    classes_type_0_item = _parse_classes_type_0_item(classes_type_0_item_data)

                    classes_type_0.append(classes_type_0_item)

                return classes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[bool | float | None | str] | None, data)

        classes = _parse_classes(d.pop("classes"))

        model_info = cls(
            format_=format_,
            sha256=sha256,
            size_bytes=size_bytes,
            sklearn_version=sklearn_version,
            joblib_version=joblib_version,
            feature_columns=feature_columns,
            target=target,
            classes=classes,
        )

        return model_info
