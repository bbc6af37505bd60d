from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.column_treatment_treatment import ColumnTreatmentTreatment, check_column_treatment_treatment

T = TypeVar("T", bound="ColumnTreatment")


@_attrs_define
class ColumnTreatment:
    """
    Attributes:
        column (str):  Example: mean radius.
        treatment (ColumnTreatmentTreatment):  Example: numeric.
        reason (str):  Example: median-imputed and standardised.
    """

    column: str
    treatment: ColumnTreatmentTreatment
    reason: str

    def to_dict(self) -> dict[str, Any]:
        column = self.column

        treatment: str = self.treatment

        reason = self.reason

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "column": column,
                "treatment": treatment,
                "reason": reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        column = d.pop("column")

        treatment = check_column_treatment_treatment(d.pop("treatment"))

        reason = d.pop("reason")

        column_treatment = cls(
            column=column,
            treatment=treatment,
            reason=reason,
        )

        return column_treatment
