from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="ModelInfo")


@_attrs_define
class ModelInfo:
    """
    Attributes:
        format_ (str):  Example: joblib.
        sha256 (str):  Example: 5c6bd4d4c1e96d7db295b91bae812ad349346229c5c9a55bdf6c9cdc8508a8f1.
        size_bytes (int):  Example: 122354.
        sklearn_version (str):  Example: 1.9.1.
        joblib_version (str):  Example: 1.6.0.
        feature_columns (list[str]):  Example: ['mean radius', 'mean texture'].
        target (str):  Example: target.
        classes (list[Any] | None):  Example: [0, 1].
    """

    format_: str
    sha256: str
    size_bytes: int
    sklearn_version: str
    joblib_version: str
    feature_columns: list[str]
    target: str
    classes: list[Any] | None

    def to_dict(self) -> dict[str, Any]:
        format_ = self.format_

        sha256 = self.sha256

        size_bytes = self.size_bytes

        sklearn_version = self.sklearn_version

        joblib_version = self.joblib_version

        feature_columns = self.feature_columns

        target = self.target

        classes: list[Any] | None
        if isinstance(self.classes, list):
            classes = self.classes

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
        format_ = d.pop("format")

        sha256 = d.pop("sha256")

        size_bytes = d.pop("size_bytes")

        sklearn_version = d.pop("sklearn_version")

        joblib_version = d.pop("joblib_version")

        feature_columns = cast(list[str], d.pop("feature_columns"))

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
