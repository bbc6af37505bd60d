from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.onnx_check_source import OnnxCheckSource, check_onnx_check_source
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.onnx_tolerance import OnnxTolerance


T = TypeVar("T", bound="OnnxCheck")


@_attrs_define
class OnnxCheck:
    """
    Attributes:
        rows (int): rows compared
        source (OnnxCheckSource): test: the job's test rows; training_sample: without a test split, a fixed sample of
            its training rows
        passed (bool):
        labels_equal (bool | Unset): a classifier's: every label equal
        max_abs_diff (float | Unset): a regressor's: the largest difference
        tolerance (OnnxTolerance | Unset):
    """

    rows: int
    source: OnnxCheckSource
    passed: bool
    labels_equal: bool | Unset = UNSET
    max_abs_diff: float | Unset = UNSET
    tolerance: OnnxTolerance | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        rows = self.rows

        source: str = self.source

        passed = self.passed

        labels_equal = self.labels_equal

        max_abs_diff = self.max_abs_diff

        tolerance: dict[str, Any] | Unset = UNSET
        if not isinstance(self.tolerance, Unset):
            tolerance = self.tolerance.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "rows": rows,
                "source": source,
                "passed": passed,
            }
        )
        if labels_equal is not UNSET:
            field_dict["labels_equal"] = labels_equal
        if max_abs_diff is not UNSET:
            field_dict["max_abs_diff"] = max_abs_diff
        if tolerance is not UNSET:
            field_dict["tolerance"] = tolerance

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.onnx_tolerance import OnnxTolerance  # noqa: PLC0415

        d = dict(src_dict)
        rows = d.pop("rows")

        source = check_onnx_check_source(d.pop("source"))

        passed = d.pop("passed")

        labels_equal = d.pop("labels_equal", UNSET)

        max_abs_diff = d.pop("max_abs_diff", UNSET)

        _tolerance = d.pop("tolerance", UNSET)
        tolerance: OnnxTolerance | Unset
        if isinstance(_tolerance, Unset):
            tolerance = UNSET
        else:
            tolerance = OnnxTolerance.from_dict(_tolerance)

        onnx_check = cls(
            rows=rows,
            source=source,
            passed=passed,
            labels_equal=labels_equal,
            max_abs_diff=max_abs_diff,
            tolerance=tolerance,
        )

        return onnx_check
