from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.data_warning import DataWarning
    from ..models.estimate import Estimate


T = TypeVar("T", bound="DryRun")


@_attrs_define
class DryRun:
    """
    Attributes:
        estimate (Estimate):
        warnings (list[DataWarning]): what the job would have as its warnings
    """

    estimate: Estimate
    warnings: list[DataWarning]

    def to_dict(self) -> dict[str, Any]:
        estimate = self.estimate.to_dict()

        warnings = []
        for warnings_item_data in self.warnings:
            warnings_item = warnings_item_data.to_dict()
            warnings.append(warnings_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "estimate": estimate,
                "warnings": warnings,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.data_warning import DataWarning  # noqa: PLC0415
        from ..models.estimate import Estimate  # noqa: PLC0415

        d = dict(src_dict)
        estimate = Estimate.from_dict(d.pop("estimate"))

        warnings = []
        _warnings = d.pop("warnings")
        for warnings_item_data in _warnings:
            warnings_item = DataWarning.from_dict(warnings_item_data)

            warnings.append(warnings_item)

        dry_run = cls(
            estimate=estimate,
            warnings=warnings,
        )

        return dry_run
