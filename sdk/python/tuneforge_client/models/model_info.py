from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.model_info_format import ModelInfoFormat, check_model_info_format

if TYPE_CHECKING:
    from ..models.model_info_versions_type_0 import ModelInfoVersionsType0
    from ..models.onnx_file import OnnxFile
    from ..models.skops_file import SkopsFile


T = TypeVar("T", bound="ModelInfo")


@_attrs_define
class ModelInfo:
    """
    Attributes:
        format_ (ModelInfoFormat): the default download's format Example: joblib.
        sha256 (str): the joblib file's Example: 5c6bd4d4c1e96d7db295b91bae812ad349346229c5c9a55bdf6c9cdc8508a8f1.
        size_bytes (int): the joblib file's Example: 122354.
        sklearn_version (str):  Example: 1.9.1.
        joblib_version (str):  Example: 1.6.0.
        versions (ModelInfoVersionsType0 | None): the versions it was trained with, which loading it needs: python,
            scikit-learn, numpy, scipy, pandas, joblib, skops, and lightgbm or xgboost for their estimators (null: a model
            saved before they were recorded) Example: {'python': '3.11.9', 'scikit-learn': '1.9.1', 'numpy': '2.4.6',
            'scipy': '1.17.1', 'pandas': '3.1.1', 'joblib': '1.6.0', 'skops': '0.16.0'}.
        skops (None | SkopsFile): null: a model saved before skops files were written
        onnx (None | OnnxFile): null: a model saved before ONNX files were written
        feature_columns (list[str]):  Example: ['mean radius', 'mean texture'].
        target (str):  Example: target.
        classes (list[bool | float | None | str] | None):  Example: [0, 1].
    """

    format_: ModelInfoFormat
    sha256: str
    size_bytes: int
    sklearn_version: str
    joblib_version: str
    versions: ModelInfoVersionsType0 | None
    skops: None | SkopsFile
    onnx: None | OnnxFile
    feature_columns: list[str]
    target: str
    classes: list[bool | float | None | str] | None

    def to_dict(self) -> dict[str, Any]:
        from ..models.model_info_versions_type_0 import ModelInfoVersionsType0  # noqa: PLC0415
        from ..models.onnx_file import OnnxFile  # noqa: PLC0415
        from ..models.skops_file import SkopsFile  # noqa: PLC0415

        format_: str = self.format_

        sha256 = self.sha256

        size_bytes = self.size_bytes

        sklearn_version = self.sklearn_version

        joblib_version = self.joblib_version

        versions: dict[str, Any] | None
        if isinstance(self.versions, ModelInfoVersionsType0):
            versions = self.versions.to_dict()
        else:
            versions = self.versions

        skops: dict[str, Any] | None
        if isinstance(self.skops, SkopsFile):
            skops = self.skops.to_dict()
        else:
            skops = self.skops

        onnx: dict[str, Any] | None
        if isinstance(self.onnx, OnnxFile):
            onnx = self.onnx.to_dict()
        else:
            onnx = self.onnx

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
                "versions": versions,
                "skops": skops,
                "onnx": onnx,
                "feature_columns": feature_columns,
                "target": target,
                "classes": classes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.model_info_versions_type_0 import ModelInfoVersionsType0  # noqa: PLC0415
        from ..models.onnx_file import OnnxFile  # noqa: PLC0415
        from ..models.skops_file import SkopsFile  # noqa: PLC0415

        d = dict(src_dict)
        format_ = check_model_info_format(d.pop("format"))

        sha256 = d.pop("sha256")

        size_bytes = d.pop("size_bytes")

        sklearn_version = d.pop("sklearn_version")

        joblib_version = d.pop("joblib_version")

        def _parse_versions(data: object) -> ModelInfoVersionsType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                versions_type_0 = ModelInfoVersionsType0.from_dict(data)

                return versions_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModelInfoVersionsType0 | None, data)

        versions = _parse_versions(d.pop("versions"))

        def _parse_skops(data: object) -> None | SkopsFile:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                skops_type_0 = SkopsFile.from_dict(data)

                return skops_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SkopsFile, data)

        skops = _parse_skops(d.pop("skops"))

        def _parse_onnx(data: object) -> None | OnnxFile:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                onnx_type_0 = OnnxFile.from_dict(data)

                return onnx_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OnnxFile, data)

        onnx = _parse_onnx(d.pop("onnx"))

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
            versions=versions,
            skops=skops,
            onnx=onnx,
            feature_columns=feature_columns,
            target=target,
            classes=classes,
        )

        return model_info
