from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="DataWarning")


@_attrs_define
class DataWarning:
    """
    Attributes:
        code (str): what kind: encoding, nul_removed, dialect_guessed, sep_line, decimal_comma, decimal_point,
            column_decimal_comma, column_decimal_point, thousands_separator, odd_cells_missing, column_dropped (datasets);
            target_missing, similar_classes, possible_leak, warm_start_unfit, warm_start_unscored, warm_start_limit,
            auto_family_left_out (jobs). More codes may come. Example: decimal_comma.
        message (str): what was done, in words for people Example: Numbers are written with a decimal comma, found from
            the first rows: 2,5 was read as 2.5, and 1.234,5 as 1234.5..
        column (str | Unset): the column it is about, if it is about one Example: price.
        job_id (str | Unset): warm_start_*: the parent job it is about
        trials (list[int] | Unset): warm_start_unfit: the parent's trial numbers left out
    """

    code: str
    message: str
    column: str | Unset = UNSET
    job_id: str | Unset = UNSET
    trials: list[int] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        message = self.message

        column = self.column

        job_id = self.job_id

        trials: list[int] | Unset = UNSET
        if not isinstance(self.trials, Unset):
            trials = self.trials

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "code": code,
                "message": message,
            }
        )
        if column is not UNSET:
            field_dict["column"] = column
        if job_id is not UNSET:
            field_dict["job_id"] = job_id
        if trials is not UNSET:
            field_dict["trials"] = trials

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        message = d.pop("message")

        column = d.pop("column", UNSET)

        job_id = d.pop("job_id", UNSET)

        trials = cast(list[int], d.pop("trials", UNSET))

        data_warning = cls(
            code=code,
            message=message,
            column=column,
            job_id=job_id,
            trials=trials,
        )

        return data_warning
