from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="StudySuggested")


@_attrs_define
class StudySuggested:
    """
    Attributes:
        numbers (list[int]):
        lease_expires_at (datetime.datetime):
    """

    numbers: list[int]
    lease_expires_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        numbers = self.numbers

        lease_expires_at = self.lease_expires_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "numbers": numbers,
                "lease_expires_at": lease_expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        numbers = cast(list[int], d.pop("numbers"))

        lease_expires_at = datetime.datetime.fromisoformat(d.pop("lease_expires_at"))

        study_suggested = cls(
            numbers=numbers,
            lease_expires_at=lease_expires_at,
        )

        return study_suggested
